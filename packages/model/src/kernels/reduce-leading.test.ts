import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  onBothBackends,
  randomTensor,
  relativeError,
  setupBackends,
} from "../../test/backend-compare.ts";
import { columnSums } from "./reduce-leading.ts";

describe("Sum / Mean over leading axes on wasm", () => {
  beforeAll(setupBackends);

  it.each([
    [[8, 7, 7, 16], [0, 1, 2], false], // per-channel (BatchNorm, bias gradient)
    [[8, 7, 7, 16], [2, 1, 0], true], // unsorted axes, keepDims
    [[33, 6], [0], false], // rows not a multiple of 4
    [[5, 6, 7], [0, 2], false], // not a prefix: stock kernel
    [[5, 6], [0, 1], false], // all axes: stock kernel
  ] as [number[], number[], boolean][])(
    "x %j axes %j keepDims %s match cpu",
    async (shape, axes, keepDims) => {
      const { cpu, wasm, shapes, cpuShapes } = await onBothBackends(() => {
        const x = randomTensor(shape, 80);
        return [tf.sum(x, axes, keepDims), tf.mean(x, axes, keepDims)];
      });
      expect(shapes).toEqual(cpuShapes);
      for (let i = 0; i < 2; i++) {
        expect(relativeError(cpu[i] as Float32Array, wasm[i] as Float32Array)).toBeLessThan(1e-5);
      }
    },
  );

  it("sums int32 through the stock kernel", async () => {
    await tf.setBackend("wasm");
    const s = tf.sum(
      tf.tensor2d(
        [
          [1, 2],
          [3, 4],
        ],
        [2, 2],
        "int32",
      ),
      0,
    );
    expect(s.dtype).toBe("int32");
    expect(Array.from(s.dataSync())).toEqual([4, 6]);
    s.dispose();
  });
});

describe("columnSums", () => {
  it("adds every row, including the rows after the last group of four", () => {
    const v = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]); // 6 rows x 2
    expect([...columnSums(v, 6, 2)]).toEqual([36, 42]);
  });
});
