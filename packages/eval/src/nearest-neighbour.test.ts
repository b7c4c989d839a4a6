/**
 * Nearest-neighbour search: the blocked matMul form agrees with a plain loop, block edges
 * included, an exact copy reads as distance ~0, and bad shapes are refused.
 */
import { initCpuTrainingBackend } from "@edgegan/model/kernels/cpu-conv2d-backprop-filter";
import { createRng } from "@edgegan/shared/rng";
import { beforeAll, describe, expect, it } from "vitest";
import { nearestNeighbours, type Rows } from "./nearest-neighbour.ts";

beforeAll(() => initCpuTrainingBackend());

function randomRows(count: number, dim: number, seed: number): Rows {
  const rng = createRng(seed);
  return {
    values: Float32Array.from({ length: count * dim }, () => rng.nextFloat() * 2 - 1),
    count,
    dim,
  };
}

/** The definition: every pair's distance, the first minimum wins. */
function bruteForce(q: Rows, r: Rows): { distances: number[]; indices: number[] } {
  const distances: number[] = [];
  const indices: number[] = [];
  for (let i = 0; i < q.count; i++) {
    let best = Number.POSITIVE_INFINITY;
    let at = -1;
    for (let j = 0; j < r.count; j++) {
      let sum = 0;
      for (let k = 0; k < q.dim; k++) {
        sum += ((q.values[i * q.dim + k] as number) - (r.values[j * r.dim + k] as number)) ** 2;
      }
      if (sum < best) [best, at] = [sum, j];
    }
    distances.push(Math.sqrt(best));
    indices.push(at);
  }
  return { distances, indices };
}

describe("nearestNeighbours", () => {
  it("agrees with a plain loop when the blocks do not divide the counts", async () => {
    const queries = randomRows(37, 20, 1);
    const references = randomRows(101, 20, 2);
    const want = bruteForce(queries, references);
    const got = await nearestNeighbours(queries, references, { queryBlock: 8, referenceBlock: 30 });
    expect(Array.from(got.indices)).toEqual(want.indices);
    got.distances.forEach((d, i) => {
      expect(d).toBeCloseTo(want.distances[i] as number, 4);
    });
  });

  it("finds an exact copy at distance ~0 (pixel scale, 784 values in [-1, 1])", async () => {
    const references = randomRows(50, 784, 3);
    const copy = { values: references.values.slice(17 * 784, 18 * 784), count: 1, dim: 784 };
    const got = await nearestNeighbours(copy, references, { referenceBlock: 16 });
    expect(got.indices[0]).toBe(17);
    expect(got.distances[0]).toBeLessThan(0.01);
  });

  it("worked example: 1-d points", async () => {
    // queries 0.9 and 7 against references 0, 1, 5: nearest 1 (0.1) and 5 (2)
    const got = await nearestNeighbours(
      { values: Float32Array.from([0.9, 7]), count: 2, dim: 1 },
      { values: Float32Array.from([0, 1, 5]), count: 3, dim: 1 },
    );
    expect(Array.from(got.indices)).toEqual([1, 2]);
    expect(got.distances[0]).toBeCloseTo(0.1, 5);
    expect(got.distances[1]).toBeCloseTo(2, 5);
  });

  it("refuses mismatched dimensions and mis-sized matrices", async () => {
    await expect(nearestNeighbours(randomRows(2, 3, 1), randomRows(2, 4, 1))).rejects.toThrow(
      /queries have 3 values per row, references 4/,
    );
    await expect(
      nearestNeighbours({ values: new Float32Array(5), count: 2, dim: 3 }, randomRows(2, 3, 1)),
    ).rejects.toThrow(/queries must hold count \* dim = 6 values, got 5/);
  });
});
