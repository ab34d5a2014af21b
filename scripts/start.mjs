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
const dev = spawn('wrangler', ['dev', '--port', port, '--ip', '127.0.0.1', '--persist-to', persist, '--show-interactive-dev-session=false', ...process.argv.slice(2)], { stdio: 'inherit', env });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => dev.kill(sig));
dev.on('exit', (code) => process.exit(code ?? 0));
