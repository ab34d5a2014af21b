/**
 * Seeded randomness. Every random draw in a trial comes from a stream derived from
 * (sweep seed, a purpose label, keys), so the same request reproduces the same numbers
 * and experiments can choose what is shared: e.g. "one dataset per repeat, shared
 * across configs" is `streamFor(seed, 'data', repeat)`.
 */

/** 32-bit FNV-1a over a string: a stable, dependency-free hash for deriving seeds. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes a list of keys into one 32-bit seed (order matters). */
export function deriveSeed(...keys: Array<string | number>): number {
  return hashString(keys.map((k) => (typeof k === 'number' ? `#${k}` : k)).join('\u0001'));
}

/**
 * sfc32 generator: small, fast, passes PractRand for our volumes, and
 * (unlike Math.random) seedable.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    // Warm up so nearby seeds give unrelated streams.
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /**
   * Where the generator stands: two generators with equal fingerprints give the same draws
   * from here on (a cache of data drawn from a stream keys on it, core/blocks/features-pipeline.ts).
   */
  fingerprint(): string {
    return `${this.a >>> 0}.${this.b >>> 0}.${this.c >>> 0}.${this.d >>> 0}.${this.spareNormal ?? ''}`;
  }

  /** Uniform on [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Standard normal via Box–Muller (pairs are cached). */
  normal(): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return z;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /**
   * A fresh random permutation of 0..n-1 (Fisher–Yates). With `into` (length ≥ n) it is
   * written there instead of a new array: a training step that draws one per network
   * per step (random_batch) then allocates nothing. Same draws, same result.
   */
  permutation(n: number, into?: Int32Array): Int32Array {
    const p = into ?? new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    // nextUint32() and int() written out on the state held in locals: the same draws (the
    // state's int32 arithmetic does not depend on how a field holds it), 3× faster than a call
    // per draw (16 permutations of 400, a step of shape B's pack: 61 → 21 µs).
    let a = this.a | 0, b = this.b | 0, c = this.c | 0, d = this.d | 0;
    for (let i = n - 1; i > 0; i--) {
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      const j = Math.floor(((t >>> 0) / 4294967296) * (i + 1));
      const swap = p[i];
      p[i] = p[j];
      p[j] = swap;
    }
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    return p;
  }
}

/** A generator for one purpose within a sweep: `streamFor(seed, 'init', trialKey)`. */
export function streamFor(...keys: Array<string | number>): Rng {
  return new Rng(deriveSeed(...keys));
}
