/**
 * The native peer: PyTorch on one thread (bench/torch_peer.py) timing the same step on the
 * same shapes, run as a child process in the same bench run so both share the machine's
 * state. Debian's python3-torch installs for the system interpreter, so /usr/bin/python3 is
 * tried first (a pyenv python earlier on PATH would not see it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BenchShape } from './cases';

export interface PeerTiming {
  shape: string;
  msPerStep: number;
  cpuMsPerStep: number;
  stepsPerRepeat: number;
  repeats: number;
  samplesMsPerStep: number[];
}

export type PeerReport = { torch: string; threads: number; blas: string; python: string; results: PeerTiming[] } | { skipped: string };

/** Debian's torch calls whatever libblas.so.3 points to: OpenBLAS makes it a fair peer, the reference BLAS does not. */
export const INSTALL_HINT = 'PyTorch not found: apt-get install -y python3-torch libopenblas0-pthread (Debian), then rerun';

export function timePyTorch(shapes: BenchShape[], targetMs: number, repeats: number, log: (s: string) => void): PeerReport {
  const python = ['/usr/bin/python3', 'python3'].find((p) => p === 'python3' || existsSync(p))!;
  const script = path.resolve('bench/torch_peer.py');
  const job = { shapes: shapes.map(({ id, sizes, loss, n, batchSize, lr }) => ({ id, sizes, loss, n, batchSize, lr })), targetMs, repeats };
  log('pytorch (one thread):');
  const r = spawnSync(python, [script], {
    input: JSON.stringify(job),
    encoding: 'utf8',
    // One thread per process must be set before Python starts; torch.set_num_threads alone is not enough.
    env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 16 * 2 ** 20,
  });
  if (r.stderr) log(r.stderr.trimEnd());
  if (r.error || r.status !== 0) {
    const why = r.error ? String(r.error.message) : `exit ${r.status}`;
    const missing = /No module named 'torch'|ENOENT/.test(`${why} ${r.stderr ?? ''}`);
    log(`  pytorch: skipped (${missing ? INSTALL_HINT : why})`);
    return { skipped: missing ? INSTALL_HINT : `pytorch run failed: ${why}` };
  }
  const peer = JSON.parse(r.stdout) as { torch: string; threads: number; blas: string; results: PeerTiming[] };
  if (peer.blas !== 'openblas') log(`  pytorch: its BLAS is '${peer.blas}', not OpenBLAS: apt-get install -y libopenblas0-pthread for a fair peer`);
  return { python, ...peer };
}
