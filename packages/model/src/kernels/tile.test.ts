import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  onBothBackends,
  randomTensor,
  relativeError,
  setupBackends,
} from "../../test/backend-compare.ts";
import { tileInto } from "./tile.ts";

const CASES: [number[], number[]][] = [
  [[3], [4]],
  [
    [2, 3],
    [1, 1],
  ],
  [
    [2, 3],
    [3, 2],
  ],
  [
    [4, 1, 5],
    [1, 7, 1],
  ], // label maps: [N,1,10] -> [N,784,10]
  [
    [1, 1, 1, 6],
    [3, 4, 5, 1],
  ], // BatchNorm gradient: per-channel vector to activation shape
  [
    [2, 3, 1, 2],
    [2, 1, 3, 2],
  ],
];

describe("Tile on wasm", () => {
  beforeAll(setupBackends);

  it.each(CASES)("x %j reps %j matches cpu", async (shape, reps) => {
    const { cpu, wasm, shapes } = await onBothBackends(() =>
      tf.tile(randomTensor(shape, 41), reps),
    );
    expect(shapes[0]).toEqual(shape.map((s, i) => s * (reps[i] as number)));
    expect(relativeError(cpu[0] as Float32Array, wasm[0] as Float32Array)).toBe(0);
  });

  it("tiles int32 and bool tensors", async () => {
    await tf.setBackend("wasm");
    const i = tf.tile(tf.tensor2d([[1, 2]], [1, 2], "int32"), [2, 2]);
    expect(Array.from(i.dataSync())).toEqual([1, 2, 1, 2, 1, 2, 1, 2]);
    const b = tf.tile(tf.tensor1d([true, false], "bool"), [2]);
    expect(Array.from(b.dataSync())).toEqual([1, 0, 1, 0]);
    tf.dispose([i, b]);
  });
});

describe("tileInto", () => {
  it("repeats blocks in row-major order", () => {
    const out = new Float32Array(12);
    tileInto(new Float32Array([1, 2, 3]), [1, 3], [2, 2], out);
    expect([...out]).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]);
    const out2 = new Float32Array(8);
    tileInto(new Float32Array([1, 2, 3, 4]), [2, 2], [2, 1], out2);
    expect([...out2]).toEqual([1, 2, 3, 4, 1, 2, 3, 4]);
    const out3 = new Float32Array(8);
    tileInto(new Float32Array([1, 2, 3, 4]), [2, 2], [1, 2], out3);
    expect([...out3]).toEqual([1, 2, 1, 2, 3, 4, 3, 4]);
  });
});
