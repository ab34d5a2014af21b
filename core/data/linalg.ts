/**
 * Dense float64 matrices for feature pipelines (Exp 6): random mixing of columns (a uniform
 * matrix or a Haar-random rotation, applied without forming the D×D matrix), a symmetric
 * eigensolver and sklearn-compatible PCA. Everything runs in double precision in plain JS;
 * only the result goes back to float32 tables.
 */
import type { Table } from './dataset';
import type { Rng } from '../rng';

/** A dense row-major matrix in float64 (the feature pipeline runs in double precision). */
export interface Mat {
  rows: number;
  cols: number;
  a: Float64Array;
}

/** A table's inputs as a float64 matrix. */
export function matFromTable(t: Table): Mat {
  return { rows: t.n, cols: t.d, a: Float64Array.from(t.x) };
}

/** A matrix back to a float32 table with the given labels. */
export function matToTable(m: Mat, labels: Float32Array): Table {
  return { n: m.rows, d: m.cols, x: Float32Array.from(m.a), labels };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Rows of the mixing matrix drawn and applied at a time by mixUniform (32 × D float64). */
const MIX_BLOCK = 32;

/**
 * Right-multiplies every matrix by one D×D matrix of iid U[0,1) entries, drawn row-major
 * (numpy's rand(D, D)) and applied MIX_BLOCK rows at a time, so the D×D matrix never exists.
 *
 * Every output entry is the float64 sum out[i][j] = (…((0 + A[i][0]·M[0][j]) + A[i][1]·M[1][j])
 * + …) + A[i][D−1]·M[D−1][j], each product and each sum rounded in that order (JavaScript
 * never fuses a multiply-add). The loops below only change which entries are computed
 * together: two rows of A against four rows of M per pass over j, with the block of M and
 * the two output rows in cache. A zero A[i][k] contributes +0 or −0, which leaves a sum
 * unchanged (a sum that starts at +0 never becomes −0), so none is skipped.
 */
export function mixUniform(ms: Mat[], rng: Rng): Mat[] {
  const D = ms[0].cols;
  const outs = ms.map((m) => ({ rows: m.rows, cols: D, a: new Float64Array(m.rows * D) }));
  const block = new Float64Array(MIX_BLOCK * D);
  for (let k0 = 0; k0 < D; k0 += MIX_BLOCK) {
    const kb = Math.min(MIX_BLOCK, D - k0);
    for (let e = 0; e < kb * D; e++) block[e] = rng.uniform();
    ms.forEach((m, q) => mixBlock(m.a, outs[q].a, m.rows, D, k0, block, kb));
  }
  return outs;
}

/** out[i][·] += Σ_{kk < kb} A[i][k0 + kk] · block[kk][·], term by term in kk order, for every row i. */
function mixBlock(A: Float64Array, out: Float64Array, rows: number, D: number, k0: number, block: Float64Array, kb: number): void {
  let i = 0;
  for (; i + 2 <= rows; i += 2) {
    const o = i * D;
    const o2 = o + D;
    const r = o + k0;
    const r2 = r + D;
    let kk = 0;
    for (; kk + 4 <= kb; kk += 4) {
      const x0 = A[r + kk], x1 = A[r + kk + 1], x2 = A[r + kk + 2], x3 = A[r + kk + 3];
      const y0 = A[r2 + kk], y1 = A[r2 + kk + 1], y2 = A[r2 + kk + 2], y3 = A[r2 + kk + 3];
      const b0 = kk * D, b1 = b0 + D, b2 = b1 + D, b3 = b2 + D;
      for (let j = 0; j < D; j++) {
        const m0 = block[b0 + j], m1 = block[b1 + j], m2 = block[b2 + j], m3 = block[b3 + j];
        out[o + j] = out[o + j] + x0 * m0 + x1 * m1 + x2 * m2 + x3 * m3;
        out[o2 + j] = out[o2 + j] + y0 * m0 + y1 * m1 + y2 * m2 + y3 * m3;
      }
    }
    for (; kk < kb; kk++) {
      const x = A[r + kk];
      const y = A[r2 + kk];
      const b = kk * D;
      for (let j = 0; j < D; j++) {
        const mj = block[b + j];
        out[o + j] += x * mj;
        out[o2 + j] += y * mj;
      }
    }
  }
  for (; i < rows; i++) {
    const o = i * D;
    const r = o + k0;
    for (let kk = 0; kk < kb; kk++) {
      const x = A[r + kk];
      const b = kk * D;
      for (let j = 0; j < D; j++) out[o + j] += x * block[b + j];
    }
  }
}

/**
 * Right-multiplies every matrix by one Haar-random orthogonal D×D matrix H without forming
 * it: H = F_0 F_1 … F_{D−1}, F_n = −s·(I − v vᵀ) on the trailing block (Stewart 1980, as
 * scipy.stats.ortho_group builds H), so A·H applies the factors left to right.
 */
export function mixOrthogonal(ms: Mat[], rng: Rng): Mat[] {
  const D = ms[0].cols;
  const outs = ms.map((m) => ({ ...m, a: Float64Array.from(m.a) }));
  const v = new Float64Array(D);
  for (let n = 0; n < D; n++) {
    const len = D - n;
    let norm2 = 0;
    for (let j = 0; j < len; j++) {
      v[j] = rng.normal();
      norm2 += v[j] * v[j];
    }
    const x0 = v[0];
    const s = x0 === 0 ? 1 : Math.sign(x0);
    v[0] += s * Math.sqrt(norm2);
    const scale = Math.sqrt((norm2 - x0 * x0 + v[0] * v[0]) / 2);
    for (let j = 0; j < len; j++) v[j] /= scale;
    for (const m of outs) {
      for (let i = 0; i < m.rows; i++) {
        const o = i * D + n;
        let dot = 0;
        for (let j = 0; j < len; j++) dot += m.a[o + j] * v[j];
        for (let j = 0; j < len; j++) m.a[o + j] = -s * (m.a[o + j] - dot * v[j]);
      }
    }
  }
  return outs;
}

/** Eigenpairs of a symmetric n×n matrix (cyclic Jacobi), sorted by decreasing eigenvalue. */
export function symmetricEigen(input: Float64Array, n: number): { values: number[]; vectors: Float64Array[] } {
  const a = Float64Array.from(input);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += a[p * n + p] ** 2;
      for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = range(n).sort((i, j) => a[j * n + j] - a[i * n + i]);
  return { values: order.map((i) => a[i * n + i]), vectors: order.map((i) => Float64Array.from(range(n), (k) => v[k * n + i])) };
}

export interface PcaFit {
  mean: Float64Array;
  /** k components of length cols (unit vectors). */
  components: Float64Array[];
  /** Variance along each component (s²/(n−1)). */
  explainedVariance: number[];
}

/**
 * What every PCA fit of the rows of `m` shares, whatever the number of components: the
 * column means and the eigenpairs of the smaller of the Gram matrix X Xᵀ (n×n, when n < d)
 * and the scatter matrix XᵀX (d×d) of the centred rows. Exp 6 fits 10, 5 and 1 components
 * on the same rows (core/experiments/specs/exp06-pca-dummy-features.ts): the feature pipeline
 * (core/blocks/features-pipeline.ts) computes this once.
 */
export interface PcaBasis {
  n: number;
  d: number;
  mean: Float64Array;
  /** True when the eigenpairs are the Gram matrix's (components are then Xᵀu/s). */
  gram: boolean;
  values: number[];
  vectors: Float64Array[];
}

/** The column means of `m` and its rows centred by them. */
function centre(m: Mat, mean?: Float64Array): { mean: Float64Array; xc: Float64Array } {
  const { rows: n, cols: d } = m;
  if (!mean) {
    mean = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += m.a[i * d + j] / n;
  }
  const xc = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) xc[i * d + j] = m.a[i * d + j] - mean[j];
  return { mean, xc };
}

export function pcaBasis(m: Mat): PcaBasis {
  const { mean, xc } = centre(m);
  return basisOf(m.rows, m.cols, mean, xc);
}

function basisOf(n: number, d: number, mean: Float64Array, xc: Float64Array): PcaBasis {
  if (n < d) {
    const g = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let l = i; l < n; l++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += xc[i * d + j] * xc[l * d + j];
        g[i * n + l] = s;
        g[l * n + i] = s;
      }
    }
    return { n, d, mean, gram: true, ...symmetricEigen(g, n) };
  }
  const s = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const x = xc[i * d + j];
      if (x === 0) continue;
      for (let l = j; l < d; l++) s[j * d + l] += x * xc[i * d + l];
    }
  }
  for (let j = 0; j < d; j++) for (let l = 0; l < j; l++) s[j * d + l] = s[l * d + j];
  return { n, d, mean, gram: false, ...symmetricEigen(s, d) };
}

/** Bytes a PcaBasis holds (for caches). */
export function pcaBasisBytes(b: PcaBasis): number {
  return 8 * (b.mean.length + b.values.length + b.vectors.reduce((s, v) => s + v.length, 0));
}

/**
 * sklearn PCA(n_components=k).fit on the rows of `m`: centre, then the top-k right singular
 * vectors of the centred data. They come from the smaller of the Gram matrix X Xᵀ (n×n,
 * v = Xᵀu/s) and the scatter matrix XᵀX (d×d); the signs follow sklearn's svd_flip (the
 * largest-magnitude entry of each training score column is positive). `basis`, when given,
 * must be pcaBasis of the same rows (it is then not computed again; the same numbers).
 */
export function pcaFit(m: Mat, k: number, given?: PcaBasis): PcaFit {
  const { rows: n, cols: d } = m;
  if (given && (given.n !== n || given.d !== d)) throw new Error(`pcaFit: a basis of ${given.n}×${given.d} rows for a ${n}×${d} matrix`);
  const { mean, xc } = centre(m, given?.mean);
  const basis = given ?? basisOf(n, d, mean, xc);
  const values = basis.values.slice(0, k);
  let components: Float64Array[];
  if (basis.gram) {
    components = basis.vectors.slice(0, k).map((u, c) => {
      const sv = Math.sqrt(Math.max(values[c], 0));
      const comp = new Float64Array(d);
      // A null direction (k beyond the rank) has no defined component; its scores are 0 anyway.
      if (sv < 1e-12) return comp;
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) comp[j] += (xc[i * d + j] * u[i]) / sv;
      return comp;
    });
  } else {
    // Copies: svd_flip below changes signs, and the basis may be shared.
    components = basis.vectors.slice(0, k).map((v) => Float64Array.from(v));
  }
  for (const comp of components) {
    // svd_flip(u_based): the training score with the largest magnitude is made positive.
    let best = 0;
    let bestAbs = -1;
    for (let i = 0; i < n; i++) {
      let score = 0;
      for (let j = 0; j < d; j++) score += xc[i * d + j] * comp[j];
      if (Math.abs(score) > bestAbs) {
        bestAbs = Math.abs(score);
        best = score;
      }
    }
    if (best < 0) for (let j = 0; j < d; j++) comp[j] = -comp[j];
  }
  return { mean, components, explainedVariance: values.map((v) => Math.max(v, 0) / (n - 1)) };
}

/** sklearn's transform: (X − mean)·Vₖᵀ, no whitening. */
export function pcaTransform(fit: PcaFit, m: Mat): Mat {
  const k = fit.components.length;
  const a = new Float64Array(m.rows * k);
  for (let i = 0; i < m.rows; i++) {
    for (let c = 0; c < k; c++) {
      const comp = fit.components[c];
      let s = 0;
      for (let j = 0; j < m.cols; j++) s += (m.a[i * m.cols + j] - fit.mean[j]) * comp[j];
      a[i * k + c] = s;
    }
  }
  return { rows: m.rows, cols: k, a };
}
