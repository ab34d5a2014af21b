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

/**
 * Right-multiplies every matrix by one D×D matrix of iid U[0,1) entries, drawn row-major
 * (numpy's rand(D, D)) and applied row by row: out += A[:, k] ⊗ M[k, :].
 */
export function mixUniform(ms: Mat[], rng: Rng): Mat[] {
  const D = ms[0].cols;
  const outs = ms.map((m) => ({ rows: m.rows, cols: D, a: new Float64Array(m.rows * D) }));
  const row = new Float64Array(D);
  for (let k = 0; k < D; k++) {
    for (let j = 0; j < D; j++) row[j] = rng.uniform();
    ms.forEach((m, q) => {
      const out = outs[q].a;
      for (let i = 0; i < m.rows; i++) {
        const x = m.a[i * D + k];
        if (x === 0) continue;
        const o = i * D;
        for (let j = 0; j < D; j++) out[o + j] += x * row[j];
      }
    });
  }
  return outs;
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
 * sklearn PCA(n_components=k).fit on the rows of `m`: centre, then the top-k right singular
 * vectors of the centred data. They come from the smaller of the Gram matrix X Xᵀ (n×n,
 * v = Xᵀu/s) and the scatter matrix XᵀX (d×d); the signs follow sklearn's svd_flip (the
 * largest-magnitude entry of each training score column is positive).
 */
export function pcaFit(m: Mat, k: number): PcaFit {
  const { rows: n, cols: d } = m;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += m.a[i * d + j] / n;
  const xc = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) xc[i * d + j] = m.a[i * d + j] - mean[j];
  let components: Float64Array[];
  let values: number[];
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
    const eig = symmetricEigen(g, n);
    values = eig.values.slice(0, k);
    components = eig.vectors.slice(0, k).map((u, c) => {
      const sv = Math.sqrt(Math.max(values[c], 0));
      const comp = new Float64Array(d);
      // A null direction (k beyond the rank) has no defined component; its scores are 0 anyway.
      if (sv < 1e-12) return comp;
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) comp[j] += (xc[i * d + j] * u[i]) / sv;
      return comp;
    });
  } else {
    const s = new Float64Array(d * d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const x = xc[i * d + j];
        if (x === 0) continue;
        for (let l = j; l < d; l++) s[j * d + l] += x * xc[i * d + l];
      }
    }
    for (let j = 0; j < d; j++) for (let l = 0; l < j; l++) s[j * d + l] = s[l * d + j];
    const eig = symmetricEigen(s, d);
    values = eig.values.slice(0, k);
    components = eig.vectors.slice(0, k);
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
