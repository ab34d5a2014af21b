/**
 * `npm run hostile -- --server <url> [--token <API_TOKEN>] [--host worker|node]`: fires the
 * hostile-request table (scripts/hostile-table.ts, the same rows as
 * test/integration/hostile.test.ts) at a running server and prints a markdown table:
 * requests tried, clean 4xx, 5xx, crashes (server not answering /api/health afterwards)
 * and writes (sweep or trial count changed). Creates one small fixture sweep first.
 * Exits 1 unless every row was clean with no crash and no write.
 */
import { parseArgs } from 'node:util';
import { markdownReport, runHostileTable } from './hostile-table';

const { values } = parseArgs({
  options: {
    server: { type: 'string', default: process.env.ATOMSWEEP_URL ?? 'http://127.0.0.1:8787' },
    token: { type: 'string', default: process.env.API_TOKEN },
    host: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});
if (values.host !== undefined && values.host !== 'worker' && values.host !== 'node') throw new Error(`--host must be 'worker' or 'node', got '${values.host}'`);
const results = await runHostileTable(values.server!, { token: values.token, host: values.host as 'worker' | 'node' | undefined, log: values.verbose ? (l) => console.error(l) : undefined });
console.log(markdownReport(values.server!, results));
process.exit(results.every((r) => r.clean && !r.wrote && !r.crashed) ? 0 : 1);
