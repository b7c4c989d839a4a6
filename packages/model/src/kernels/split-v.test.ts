import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  onBothBackends,
  randomTensor,
  relativeError,
  setupBackends,
} from "../../test/backend-compare.ts";

describe("SplitV fast path on wasm", () => {
  beforeAll(setupBackends);

  it.each([
    [[4, 5, 5, 11], [1, 10], 3], // gradient of the label-map concat
    [[3, 150], [70, 80], 1], // wide rows
    [[6, 4], 3, 0], // equal pieces
    [[2, 5, 3], [2, -1], 1], // inferred size
  ] as [number[], number | number[], number][])(
    "x %j split %j on axis %i matches cpu",
    async (shape, split, axis) => {
      const { cpu, wasm, shapes, cpuShapes } = await onBothBackends(() =>
        tf.split(randomTensor(shape, 70), split, axis),
      );
      expect(shapes).toEqual(cpuShapes);
      for (let i = 0; i < cpu.length; i++) {
        expect(relativeError(cpu[i] as Float32Array, wasm[i] as Float32Array)).toBe(0);
      }
    },
  );
});
