/**
 * The native peer: PyTorch on one thread (bench/torch_peer.py) timing the same step on the
 * same shapes, as a long-lived child process of the bench, so its runs interleave with
 * atomsweep's (bench/run.ts: A B A B …) and both see the machine at the same moments.
 *
 * The interpreter: Debian's python3-torch installs for the system interpreter, while a
 * pyenv (or venv) python3 earlier on PATH usually has no torch. So the candidates are
 * tried in order, `--python` first, then /usr/bin/python3, then `python3` on PATH, and the
 * first that can `import torch` is used; the report says which, and why the others failed.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { BenchShape } from './cases';

/** Debian's torch calls whatever libblas.so.3 points to: OpenBLAS makes it a fair peer, the reference BLAS does not. */
export const INSTALL_HINT = 'PyTorch not found: apt-get install -y python3-torch libopenblas0-pthread (Debian), then rerun';
export const OPENBLAS_HINT = 'apt-get install -y libopenblas0-pthread';

export interface PeerInfo {
  torch: string;
  threads: number;
  blas: string;
  python: string;
  /** Interpreters tried before it, and why they were passed over. */
  passedOver?: string[];
}

export interface PeerRun {
  steps: number;
  ms: number;
  cpuMs: number;
}

/** The first interpreter that imports torch, or why none does. */
export function findPython(preferred?: string): { python: string; passedOver: string[] } | { skipped: string } {
  const candidates = [...(preferred ? [preferred] : []), '/usr/bin/python3', 'python3'];
  const tried: string[] = [];
  for (const python of [...new Set(candidates)]) {
    if (python.includes('/') && !existsSync(python)) {
      tried.push(`${python}: not found`);
      continue;
    }
    const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
    if (!r.error && r.status === 0) return { python, passedOver: tried };
    const why = r.error ? r.error.message : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`);
    tried.push(`${python}: ${why}`);
  }
  return { skipped: `${INSTALL_HINT} (tried ${tried.join('; ')})` };
}

/** One PyTorch process answering bench/torch_peer.py's line protocol. */
export class TorchPeer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: { resolve: (v: unknown) => void; reject: (e: Error) => void }[] = [];
  private exited: Error | undefined;

  private constructor(
    readonly python: string,
    log: (s: string) => void,
  ) {
    this.child = spawn(python, [path.resolve('bench/torch_peer.py')], {
      // One thread per process must be set before Python starts; torch.set_num_threads alone is not enough.
      env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const w = this.waiting.shift();
      if (!w) return;
      try {
        const v = JSON.parse(line) as { error?: string };
        if (v.error) w.reject(new Error(`torch_peer.py: ${v.error}`));
        else w.resolve(v);
      } catch (err) {
        w.reject(new Error(`torch_peer.py answered '${line.slice(0, 200)}': ${String(err)}`));
      }
    });
    createInterface({ input: this.child.stderr }).on('line', (line) => log(`  pytorch: ${line}`));
    const fail = (e: Error) => {
      this.exited = e;
      for (const w of this.waiting.splice(0)) w.reject(e);
    };
    this.child.on('error', fail);
    this.child.on('exit', (code, signal) => fail(new Error(`torch_peer.py exited (${signal ?? `code ${code}`})`)));
  }

  /** Starts the peer with the first interpreter that has torch; `skipped` says why not. */
  static async start(log: (s: string) => void, preferredPython?: string): Promise<{ peer: TorchPeer; info: PeerInfo } | { skipped: string }> {
    const found = findPython(preferredPython);
    if ('skipped' in found) return found;
    const peer = new TorchPeer(found.python, log);
    try {
      const info = (await peer.request({ op: 'info' })) as Omit<PeerInfo, 'python'>;
      return { peer, info: { ...info, python: found.python, ...(found.passedOver.length ? { passedOver: found.passedOver } : {}) } };
    } catch (err) {
      peer.close();
      return { skipped: `pytorch peer failed to start: ${String((err as Error).message ?? err)}` };
    }
  }

  private request(req: object): Promise<unknown> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child.stdin.write(`${JSON.stringify(req)}\n`);
    });
  }

  /** Builds the shape's network and data, warms up, and returns the steps per run for about targetMs. */
  async prepare(shape: BenchShape, targetMs: number): Promise<{ steps: number; warmup: { steps: number; msPerStep: number; cpuMsPerStep: number }[] }> {
    const { id, sizes, loss, n, batchSize, lr } = shape;
    return (await this.request({ op: 'prepare', shape: { id, sizes, loss, n, batchSize, lr }, targetMs })) as {
      steps: number;
      warmup: { steps: number; msPerStep: number; cpuMsPerStep: number }[];
    };
  }

  /** `steps` timed training steps of one network of a prepared shape. */
  async run(shapeId: string, steps: number): Promise<PeerRun> {
    return (await this.request({ op: 'run', shape: shapeId, steps })) as PeerRun;
  }

  close(): void {
    this.child.stdin.end();
  }
}
