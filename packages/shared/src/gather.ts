/**
 * Rows of a flat row-major array picked by index, in the order given: how a batch, a subset or
 * a shuffled dataset is cut out of a dataset's images and labels.
 */

/**
 * `out[k] = data[indices[k]]` for rows of `rowSize` values. Shape: [n, rowSize] -> [indices.length, rowSize].
 * @throws RangeError when an index is outside the data.
 */
export function gatherRows<T extends Float32Array | Uint8Array>(
  data: T,
  rowSize: number,
  indices: ArrayLike<number>,
): T {
  const rows = data.length / rowSize;
  const out = new (data.constructor as new (n: number) => T)(indices.length * rowSize);
  for (let k = 0; k < indices.length; k++) {
    const index = indices[k] as number;
    if (!(Number.isInteger(index) && index >= 0 && index < rows)) {
      throw new RangeError(`row index ${index} at position ${k} is outside 0..${rows - 1}`);
    }
    out.set(data.subarray(index * rowSize, (index + 1) * rowSize), k * rowSize);
  }
  return out;
}
