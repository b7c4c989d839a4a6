/**
 * The Frechet distance between two Gaussians: the metric behind FID, here in the feature space
 * of a classifier trained on the dataset itself (Inception features mean little on MNIST).
 *
 * FD = |mu1 - mu2|^2 + tr(C1) + tr(C2) - 2 tr((C1^(1/2) C2 C1^(1/2))^(1/2)).
 * The trace term is computed from symmetric matrices only (C1^(1/2) C2 C1^(1/2) is symmetric
 * PSD), so both square roots come from a symmetric eigendecomposition: no complex parts, no
 * non-symmetric iterations.
 */
import type { GaussianStats } from "./gaussian-stats.ts";
import { sqrtPsd, symmetricEigen } from "./symmetric-eigen.ts";

/** The distance and its two parts (useful to see whether means or spreads differ). */
export interface FrechetResult {
  /** |mu1 - mu2|^2 + traceTerm, clamped at 0 against rounding. */
  distance: number;
  /** |mu1 - mu2|^2 */
  meanTerm: number;
  /** tr(C1) + tr(C2) - 2 tr((C1^(1/2) C2 C1^(1/2))^(1/2)) */
  covTerm: number;
}

/** Row-major product of two [n, n] matrices. */
function matMul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k] as number;
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) {
        out[i * n + j] = (out[i * n + j] as number) + aik * (b[k * n + j] as number);
      }
    }
  }
  return out;
}

/**
 * Frechet distance between N(mean1, cov1) and N(mean2, cov2).
 * @throws RangeError when the two have different dimensions or a covariance is not symmetric.
 * @example frechetDistance(gaussianStats(f1, n1, d), gaussianStats(f2, n2, d)).distance
 */
export function frechetDistance(a: GaussianStats, b: GaussianStats): FrechetResult {
  if (a.dim !== b.dim) {
    throw new RangeError(`cannot compare ${a.dim}-d and ${b.dim}-d feature statistics`);
  }
  const n = a.dim;
  let meanTerm = 0;
  for (let i = 0; i < n; i++) meanTerm += ((a.mean[i] as number) - (b.mean[i] as number)) ** 2;

  const rootA = sqrtPsd(a.cov, n);
  const inner = matMul(matMul(rootA, b.cov, n), rootA, n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const m = ((inner[i * n + j] as number) + (inner[j * n + i] as number)) / 2;
      inner[i * n + j] = m;
      inner[j * n + i] = m;
    }
  }
  const { values } = symmetricEigen(inner, n);
  let traceRoot = 0;
  for (const v of values) traceRoot += Math.sqrt(Math.max(v, 0));
  let traces = 0;
  for (let i = 0; i < n; i++) traces += (a.cov[i * n + i] as number) + (b.cov[i * n + i] as number);
  const covTerm = traces - 2 * traceRoot;
  return { distance: Math.max(meanTerm + covTerm, 0), meanTerm, covTerm };
}
