/**
 * Exact nearest-neighbour search by Euclidean distance, for the memorisation figure: for every
 * query row (a generated sample, a test image) the closest reference row (a training image) and
 * the distance to it, in the classifier's feature space (128-d) or in pixels (784-d).
 *
 * Brute force, as blocked matrix products on the active TF.js backend:
 * |q - r|^2 = |q|^2 + |r|^2 - 2 q.r, so one block of queries against one block of references is
 * one matMul [qb, d] x [d, rb] plus two broadcasts, and only the per-query minimum of each block
 * comes back to JavaScript. 10,000 queries x 60,000 references x 784 pixels is ~0.47 T
 * multiply-adds: a loop in JavaScript would take many minutes on 2 cores, a matMul kernel (wasm
 * XNNPACK, or tensorflow) takes seconds to a minute.
 */
import * as tf from "@tensorflow/tfjs-core";

/** Rows of a matrix: float32 [count, dim] flattened, row-major. */
export interface Rows {
  values: Float32Array;
  count: number;
  dim: number;
}

/** The nearest reference of every query. */
export interface Neighbours {
  /** float32 [queries] Euclidean distance to the nearest reference (>= 0). */
  distances: Float32Array;
  /** int32 [queries] index of that reference row. */
  indices: Int32Array;
}

/** Block sizes of {@link nearestNeighbours} (memory ~ 4 bytes x queryBlock x referenceBlock). */
export interface NeighbourOptions {
  /** Queries per matMul; default 1,000. */
  queryBlock?: number;
  /** References per matMul; default 8,000 (32 MB of distances per block pair). */
  referenceBlock?: number;
}

function checkRows(name: string, rows: Rows): void {
  if (
    !Number.isInteger(rows.count) ||
    rows.count < 1 ||
    !Number.isInteger(rows.dim) ||
    rows.dim < 1
  ) {
    throw new RangeError(
      `${name} needs at least one row of at least one value, got ${rows.count} x ${rows.dim}`,
    );
  }
  if (rows.values.length !== rows.count * rows.dim) {
    throw new RangeError(
      `${name} must hold count * dim = ${rows.count * rows.dim} values, got ${rows.values.length}`,
    );
  }
}

/**
 * For each query row, the nearest reference row (Euclidean) and its distance.
 *
 * Float32 throughout: the expansion loses ~1e-7 of |q|^2 to rounding, so an exact copy reads as a
 * distance near 0 (clamped at 0), e.g. < 0.01 for pixel vectors in [-1, 1].
 * @throws RangeError when the dimensions differ or a matrix is empty or mis-sized.
 * @example
 * const { distances, indices } = await nearestNeighbours(
 *   { values: samples, count: 10_000, dim: 784 },
 *   { values: train, count: 60_000, dim: 784 },
 * );
 */
export async function nearestNeighbours(
  queries: Rows,
  references: Rows,
  { queryBlock = 1000, referenceBlock = 8000 }: NeighbourOptions = {},
): Promise<Neighbours> {
  checkRows("queries", queries);
  checkRows("references", references);
  if (queries.dim !== references.dim) {
    throw new RangeError(
      `queries have ${queries.dim} values per row, references ${references.dim}: they must agree`,
    );
  }
  const dim = queries.dim;
  const best = new Float32Array(queries.count).fill(Number.POSITIVE_INFINITY);
  const indices = new Int32Array(queries.count).fill(-1);
  // squared norms of the queries, added after the minimum (they do not change which row is nearest)
  const queryNorms = squaredNorms(queries);
  for (let r0 = 0; r0 < references.count; r0 += referenceBlock) {
    const rn = Math.min(referenceBlock, references.count - r0);
    const [refT, refNorms] = tf.tidy(() => {
      const ref = tf.tensor2d(references.values.subarray(r0 * dim, (r0 + rn) * dim), [rn, dim]);
      return [tf.keep(tf.transpose(ref)), tf.keep(tf.reshape(tf.sum(tf.square(ref), 1), [1, rn]))];
    }); // [dim, rn], [1, rn]
    try {
      for (let q0 = 0; q0 < queries.count; q0 += queryBlock) {
        const qn = Math.min(queryBlock, queries.count - q0);
        const [minT, argT] = tf.tidy(() => {
          const q = tf.tensor2d(queries.values.subarray(q0 * dim, (q0 + qn) * dim), [qn, dim]);
          // |r|^2 - 2 q.r: [qn, rn]
          const partial = tf.sub(refNorms as tf.Tensor, tf.mul(tf.matMul(q, refT as tf.Tensor), 2));
          return [tf.min(partial, 1), tf.argMin(partial, 1)];
        });
        const mins = (await (minT as tf.Tensor).data()) as Float32Array;
        const args = (await (argT as tf.Tensor).data()) as Int32Array;
        tf.dispose([minT as tf.Tensor, argT as tf.Tensor]);
        for (let i = 0; i < qn; i++) {
          const value = mins[i] as number;
          if (value < (best[q0 + i] as number)) {
            best[q0 + i] = value;
            indices[q0 + i] = r0 + (args[i] as number);
          }
        }
      }
    } finally {
      tf.dispose([refT as tf.Tensor, refNorms as tf.Tensor]);
    }
  }
  const distances = new Float32Array(queries.count);
  for (let i = 0; i < queries.count; i++) {
    distances[i] = Math.sqrt(Math.max(0, (best[i] as number) + (queryNorms[i] as number)));
  }
  return { distances, indices };
}

/** float64 [count] sum of squares of each row. */
function squaredNorms({ values, count, dim }: Rows): Float64Array {
  const norms = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let sum = 0;
    for (let k = i * dim; k < (i + 1) * dim; k++) sum += (values[k] as number) ** 2;
    norms[i] = sum;
  }
  return norms;
}
