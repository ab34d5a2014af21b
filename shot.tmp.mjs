import { chromium } from 'playwright-core';
const [url, out, wait = '#figure svg'] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
await page.goto(url);
try { await page.waitForSelector(wait, { timeout: 20000 }); } catch (e) { console.log('wait failed', e.message); }
await page.waitForTimeout(1500);
await page.screenshot({ path: out, fullPage: true });
console.log('errors', errors);
await browser.close();
