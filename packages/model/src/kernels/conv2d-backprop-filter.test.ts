import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  onBothBackends,
  randomTensor,
  relativeError,
  setupBackends,
} from "../../test/backend-compare.ts";

type Pad = "same" | "valid";
/** [x shape NHWC, filter shape [kh, kw, cin, cout], stride, pad] */
const CASES: [[number, number, number, number], [number, number, number, number], number, Pad][] = [
  [[2, 9, 9, 3], [3, 3, 3, 4], 1, "same"],
  [[2, 9, 9, 3], [3, 3, 3, 4], 2, "same"],
  [[2, 9, 9, 3], [3, 3, 3, 4], 2, "valid"],
  [[3, 8, 10, 2], [4, 2, 2, 5], 2, "same"],
  [[3, 8, 10, 2], [4, 2, 2, 5], 1, "valid"],
  [[1, 7, 6, 1], [2, 3, 1, 2], 1, "valid"],
  [[4, 14, 14, 8], [4, 4, 8, 6], 2, "same"],
  [[2, 11, 12, 3], [5, 4, 3, 1], 2, "valid"], // trailing rows/cols never read: cropped
];

describe("Conv2DBackpropFilter on wasm", () => {
  beforeAll(setupBackends);

  it.each(CASES)("x %j filter %j stride %i %s matches cpu", async (xs, fs, s, pad) => {
    const ys = tf.tidy(
      () => tf.conv2d(tf.zeros(xs) as tf.Tensor4D, tf.zeros(fs) as tf.Tensor4D, s, pad).shape,
    );
    const { cpu, wasm, shapes } = await onBothBackends(
      () =>
        tf
          .engine()
          .runKernel(
            "Conv2DBackpropFilter",
            { x: randomTensor(xs, 1), dy: randomTensor(ys, 2) },
            { strides: [s, s], pad, dataFormat: "NHWC", filterShape: fs },
          ) as tf.Tensor,
    );
    expect(shapes[0]).toEqual(fs);
    expect(relativeError(cpu[0] as Float32Array, wasm[0] as Float32Array)).toBeLessThan(1e-4);
  });

  it("frees its intermediates", async () => {
    await tf.setBackend("wasm");
    const x = randomTensor([2, 8, 8, 3], 3);
    const dy = randomTensor([2, 4, 4, 5], 4);
    const attrs = { strides: [2, 2], pad: "same", dataFormat: "NHWC", filterShape: [3, 3, 3, 5] };
    const before = tf.engine().backend.numDataIds();
    const dw = tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, attrs) as tf.Tensor;
    expect(tf.engine().backend.numDataIds()).toBe(before + 1);
    tf.dispose([x, dy, dw]);
  });

  it("rejects NCHW", async () => {
    await tf.setBackend("wasm");
    const x = tf.zeros([1, 3, 4, 4]);
    const dy = tf.zeros([1, 2, 4, 4]);
    expect(() =>
      tf
        .engine()
        .runKernel(
          "Conv2DBackpropFilter",
          { x, dy },
          { strides: 1, pad: "same", dataFormat: "NCHW", filterShape: [1, 1, 3, 2] },
        ),
    ).toThrow(/NHWC/);
    tf.dispose([x, dy]);
  });
});
