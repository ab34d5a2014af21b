import { workerHost } from '../scripts/faults';
const h = await workerHost([]);
await h.start();
const body = { experiment: 'exp1', repeats: 4, params: { function: 'sin', steps: 4000, record_every: 1000 }, grid: { n_hidden: [2, 3, 4, 5] } };
const { id } = await (await fetch(`${h.url}/api/sweeps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as { id: string };
console.log('retry', await (await fetch(`${h.url}/api/sweeps/${id}/retry`, { method: 'POST' })).text());
for (let i = 0; i < 30; i++) {
  await new Promise((r) => setTimeout(r, 4000));
  const { trials } = await (await fetch(`${h.url}/api/sweeps/${id}/trials?metric=mse`)).json() as { trials: Array<{ id: string; status: string; attempts: number; error: string | null }> };
  console.log(i, trials.map((t) => `${t.status[0]}${t.attempts}`).join(' '));
  if (trials.every((t) => t.status === 'done')) break;
}
console.log(h.log().split('\n').filter((l) => !/GET \/api/.test(l)).slice(-60).join('\n'));
await h.stop();
process.exit(0);
