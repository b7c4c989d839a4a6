import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  onBothBackends,
  randomTensor,
  relativeError,
  setupBackends,
} from "../../test/backend-compare.ts";

describe("Concat fast path on wasm", () => {
  beforeAll(setupBackends);

  it.each([
    [
      [
        [4, 5, 5, 1],
        [4, 5, 5, 10],
      ],
      3,
    ], // image ++ label maps (narrow rows, element loop)
    [
      [
        [3, 70],
        [3, 80],
        [3, 1],
      ],
      1,
    ], // wide rows (block copies) mixed with a narrow one
    [
      [
        [2, 3],
        [5, 3],
      ],
      0,
    ],
    [
      [
        [2, 3, 4],
        [2, 1, 4],
      ],
      1,
    ],
  ] as [number[][], number][])("shapes %j on axis %i match cpu", async (shapes, axis) => {
    const {
      cpu,
      wasm,
      shapes: out,
      cpuShapes,
    } = await onBothBackends(() =>
      tf.concat(
        shapes.map((s, i) => randomTensor(s, 60 + i)),
        axis,
      ),
    );
    expect(out).toEqual(cpuShapes);
    expect(relativeError(cpu[0] as Float32Array, wasm[0] as Float32Array)).toBe(0);
  });

  it("concatenates int32 and leaves strings to the stock kernel", async () => {
    await tf.setBackend("wasm");
    const i = tf.concat(
      [tf.tensor2d([[1], [2]], [2, 1], "int32"), tf.tensor2d([[3], [4]], [2, 1], "int32")],
      1,
    );
    expect(Array.from(i.dataSync())).toEqual([1, 3, 2, 4]);
    const s = tf.concat([tf.tensor1d(["a"]), tf.tensor1d(["b", "c"])]);
    expect(s.dataSync()).toEqual(["a", "b", "c"]);
    tf.dispose([i, s]);
  });
});
