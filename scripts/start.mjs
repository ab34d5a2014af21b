// `npm start`: build the dashboard, apply migrations to the local D1, then serve the
// Worker (API, dashboard, queue consumer) with wrangler dev on local D1 and Queues.
import { spawn, spawnSync } from 'node:child_process';

const port = process.env.PORT ?? '8787';
const persist = process.env.ATOMSWEEP_STATE ?? '.wrangler/state';
// Offline-friendly wrangler: no telemetry, no Cloudflare API lookups.
const env = { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`\n${cmd} ${args.join(' ')} failed with exit code ${r.status}`);
    process.exit(r.status ?? 1);
  }
}

run('node', ['scripts/build-dashboard.mjs']);
run('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist]);
console.log(`\natomsweep: API and dashboard on http://127.0.0.1:${port}/\n`);
// --test-scheduled exposes the cron handler at /__scheduled: wrangler dev fires no crons.
const dev = spawn('wrangler', ['dev', '--port', port, '--ip', '127.0.0.1', '--persist-to', persist, '--show-interactive-dev-session=false', '--test-scheduled', ...process.argv.slice(2)], { stdio: 'inherit', env });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => dev.kill(sig));
dev.on('exit', (code) => process.exit(code ?? 0));

// The production cron, locally: every minute (wrangler.toml [triggers]) the scheduled
// handler (workers/scheduled.ts) requeues trials whose lease expired and re-sends queued
// trials whose messages a reload of wrangler dev dropped. The first tick, a few seconds
// after start-up, repairs what the last session left.
const CRON_MS = Number(process.env.ATOMSWEEP_CRON_MS ?? 60_000);
const tick = async () => {
  try {
    await fetch(`http://127.0.0.1:${port}/__scheduled?cron=*+*+*+*+*`);
  } catch {
    /* not up yet, or reloading: the next tick repairs */
  }
};
setTimeout(tick, 5_000).unref();
setInterval(tick, CRON_MS).unref();
