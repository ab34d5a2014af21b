/** Headless Debian Chromium for the dashboard tests (.ci/run installs it). */
import { existsSync } from 'node:fs';
import { expect } from 'vitest';

/** Launches Chromium headless without network side traffic; fails the test when it is not installed. */
export async function launchChromium() {
  const executablePath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
  expect(executablePath, 'Debian chromium must be installed (apt-get install -y chromium; .ci/run installs it)').toBeTruthy();
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
