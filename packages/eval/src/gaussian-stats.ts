/**
 * Mean and covariance of a set of feature vectors, in float64: the Gaussian summary the
 * Frechet distance compares. Kept separate so the reference statistics of a dataset's test split
 * can be computed once, cached beside the classifier, and compared with any generator's samples.
 */

/** A Gaussian fitted to d-dimensional features. */
export interface GaussianStats {
  /** Number of feature vectors summarised. */
  count: number;
  /** Feature dimension d. */
  dim: number;
  /** float64 [d] */
  mean: Float64Array;
  /** float64 [d, d] row-major, unbiased (divides by count - 1), symmetric. */
  cov: Float64Array;
}

/**
 * Fit mean and unbiased covariance to `count` row-major feature vectors.
 * @param features float32/float64 [count, dim] row-major
 * @throws RangeError when count < 2, dim < 1, the length is not count * dim or a value is not finite.
 */
export function gaussianStats(
  features: ArrayLike<number>,
  count: number,
  dim: number,
): GaussianStats {
  if (!Number.isInteger(count) || count < 2) {
    throw new RangeError(`a covariance needs at least 2 feature vectors, got ${count}`);
  }
  if (!Number.isInteger(dim) || dim < 1) {
    throw new RangeError(`feature dimension must be a positive integer, got ${dim}`);
  }
  if (features.length !== count * dim) {
    throw new RangeError(
      `expected count * dim = ${count} * ${dim} = ${count * dim} feature values, got ${features.length}`,
    );
  }
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < dim; j++) {
      const v = features[i * dim + j] as number;
      if (!Number.isFinite(v)) {
        throw new RangeError(`feature ${j} of vector ${i} is ${v}, not finite`);
      }
      mean[j] = (mean[j] as number) + v;
    }
  }
  for (let j = 0; j < dim; j++) mean[j] = (mean[j] as number) / count;

  // Upper triangle of sum (x - mean)(x - mean)^T, then mirrored.
  const cov = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < dim; j++)
      centred[j] = (features[i * dim + j] as number) - (mean[j] as number);
    for (let r = 0; r < dim; r++) {
      const cr = centred[r] as number;
      if (cr === 0) continue;
      const row = r * dim;
      for (let c = r; c < dim; c++)
        cov[row + c] = (cov[row + c] as number) + cr * (centred[c] as number);
    }
  }
  for (let r = 0; r < dim; r++) {
    for (let c = r; c < dim; c++) {
      const value = (cov[r * dim + c] as number) / (count - 1);
      cov[r * dim + c] = value;
      cov[c * dim + r] = value;
    }
  }
  return { count, dim, mean, cov };
}

/** JSON form of {@link GaussianStats} (plain arrays), for caches. */
export interface GaussianStatsJson {
  count: number;
  dim: number;
  mean: number[];
  cov: number[];
}

/** Plain-array form, exact (float64 numbers survive JSON round trips). */
export function statsToJson(stats: GaussianStats): GaussianStatsJson {
  return {
    count: stats.count,
    dim: stats.dim,
    mean: Array.from(stats.mean),
    cov: Array.from(stats.cov),
  };
}

/**
 * Rebuild stats from their JSON form.
 * @throws Error when the shape does not match dim.
 */
export function statsFromJson(json: GaussianStatsJson): GaussianStats {
  const { count, dim, mean, cov } = json;
  if (!Number.isInteger(dim) || mean?.length !== dim || cov?.length !== dim * dim) {
    throw new Error(
      `stored feature statistics are malformed: dim ${dim}, mean of ${mean?.length} and cov of ${cov?.length} values`,
    );
  }
  return { count, dim, mean: Float64Array.from(mean), cov: Float64Array.from(cov) };
}
