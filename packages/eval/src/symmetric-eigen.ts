/**
 * Eigendecomposition of a real symmetric matrix by the cyclic Jacobi method, in float64.
 *
 * The Frechet distance needs the square root of covariance matrices (positive semi-definite,
 * ~128x128). Jacobi rotations are slow for big matrices but simple, unconditionally stable and
 * accurate to a few ulps on small symmetric ones, which is what an honest metric needs.
 */

/** Result of {@link symmetricEigen}: A = V diag(values) V^T. */
export interface SymmetricEigen {
  /** float64 [n] eigenvalues, in no particular order. */
  values: Float64Array;
  /** float64 [n, n] row-major; column j is the unit eigenvector of values[j]. */
  vectors: Float64Array;
}

/** Options of {@link symmetricEigen}. */
export interface EigenOptions {
  /** Stop when the off-diagonal Frobenius norm falls below tolerance * ||A||_F; default 1e-14. */
  tolerance?: number;
  /** Most full sweeps over the off-diagonal elements; default 100. */
  maxSweeps?: number;
}

/** Check that `matrix` holds n*n finite numbers and is symmetric (to a relative 1e-9). */
function assertSymmetric(matrix: ArrayLike<number>, n: number): void {
  if (!Number.isInteger(n) || n < 1 || matrix.length !== n * n) {
    throw new RangeError(
      `expected a square matrix of ${n}x${n} = ${n * n} values (row-major), got ${matrix.length} values`,
    );
  }
  let scale = 0;
  for (let i = 0; i < matrix.length; i++) {
    const v = matrix[i] as number;
    if (!Number.isFinite(v)) throw new RangeError(`matrix value at index ${i} is ${v}, not finite`);
    scale = Math.max(scale, Math.abs(v));
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = matrix[i * n + j] as number;
      const b = matrix[j * n + i] as number;
      if (Math.abs(a - b) > 1e-9 * scale) {
        throw new RangeError(`matrix is not symmetric: [${i},${j}] = ${a} but [${j},${i}] = ${b}`);
      }
    }
  }
}

/**
 * Eigenvalues and eigenvectors of a symmetric matrix (cyclic Jacobi with the classical
 * stable rotation formulas; symmetry is enforced by averaging A and A^T first).
 *
 * @param matrix row-major [n, n], symmetric
 * @throws RangeError when the size is wrong, a value is not finite or the matrix is not symmetric.
 * @example symmetricEigen([2, 1, 1, 2], 2).values // [1, 3] in some order
 */
export function symmetricEigen(
  matrix: ArrayLike<number>,
  n: number,
  { tolerance = 1e-14, maxSweeps = 100 }: EigenOptions = {},
): SymmetricEigen {
  assertSymmetric(matrix, n);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      a[i * n + j] = ((matrix[i * n + j] as number) + (matrix[j * n + i] as number)) / 2;
    }
  }
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;

  let total = 0;
  for (let i = 0; i < a.length; i++) total += (a[i] as number) ** 2;
  const threshold = tolerance * Math.sqrt(total);

  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) off += (a[p * n + q] as number) ** 2;
    }
    if (Math.sqrt(2 * off) <= threshold) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q] as number;
        if (apq === 0) continue;
        const app = a[p * n + p] as number;
        const aqq = a[q * n + q] as number;
        // Rotation angle: t = tan(theta) solves t^2 + 2 t theta - 1 = 0, smaller root.
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A' = J^T A J touches rows and columns p and q only.
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p] as number;
          const akq = a[k * n + q] as number;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k] as number;
          const aqk = a[q * n + k] as number;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        a[p * n + q] = 0;
        a[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p] as number;
          const vkq = v[k * n + q] as number;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i] as number;
  return { values, vectors: v };
}

/**
 * Square root of a symmetric positive semi-definite matrix: V diag(sqrt(max(l, 0))) V^T.
 * Eigenvalues that rounding made slightly negative are clamped to 0.
 * @param matrix row-major [n, n], symmetric PSD
 * @returns float64 [n, n] row-major, symmetric, R with R R = matrix
 */
export function sqrtPsd(matrix: ArrayLike<number>, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(matrix, n);
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const root = Math.sqrt(Math.max(values[k] as number, 0));
    if (root === 0) continue;
    for (let i = 0; i < n; i++) {
      const vik = (vectors[i * n + k] as number) * root;
      if (vik === 0) continue;
      for (let j = 0; j < n; j++) {
        out[i * n + j] = (out[i * n + j] as number) + vik * (vectors[j * n + k] as number);
      }
    }
  }
  return out;
}
