import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { onBothBackends, randomTensor, relativeError, setupBackends } from "./backend-compare.ts";
import { subPixelFilter } from "./conv2d-backprop-input.ts";

type Pad = "same" | "valid";
/** [dx shape NHWC (the conv's input), filter shape [kh, kw, cin, cout], stride, pad] */
const CASES: [[number, number, number, number], [number, number, number, number], number, Pad][] = [
  [[2, 9, 9, 3], [3, 3, 3, 4], 1, "same"],
  [[2, 9, 9, 3], [3, 3, 3, 4], 2, "same"],
  [[2, 9, 9, 3], [3, 3, 3, 4], 2, "valid"],
  [[3, 8, 10, 2], [4, 2, 2, 5], 2, "same"],
  [[3, 8, 10, 2], [4, 2, 2, 5], 1, "valid"],
  [[1, 7, 6, 1], [2, 3, 1, 2], 1, "valid"],
  [[4, 14, 14, 8], [4, 4, 8, 6], 2, "same"], // the generator's k4 s2 upsampling shape
  [[2, 11, 12, 3], [5, 4, 3, 1], 3, "valid"], // kernel not a multiple of the stride
];

describe("Conv2DBackpropInput on wasm (sub-pixel XNNPACK conv)", () => {
  beforeAll(setupBackends);

  it.each(CASES)("dx %j filter %j stride %i %s matches cpu", async (xs, fs, s, pad) => {
    const ys = tf.tidy(
      () => tf.conv2d(tf.zeros(xs) as tf.Tensor4D, tf.zeros(fs) as tf.Tensor4D, s, pad).shape,
    );
    const { cpu, wasm, shapes } = await onBothBackends(() =>
      tf.conv2dTranspose(
        randomTensor(ys, 5) as tf.Tensor4D,
        randomTensor(fs, 6) as tf.Tensor4D,
        xs,
        s,
        pad,
      ),
    );
    expect(shapes[0]).toEqual(xs);
    expect(relativeError(cpu[0] as Float32Array, wasm[0] as Float32Array)).toBeLessThan(1e-4);
  });

  it("frees its intermediates", async () => {
    await tf.setBackend("wasm");
    const dy = randomTensor([2, 4, 4, 5], 7) as tf.Tensor4D;
    const w = randomTensor([3, 3, 2, 5], 8) as tf.Tensor4D;
    const before = tf.engine().backend.numDataIds();
    const dx = tf.conv2dTranspose(dy, w, [2, 8, 8, 2], 2, "same");
    expect(tf.engine().backend.numDataIds()).toBe(before + 1);
    tf.dispose([dy, w, dx]);
  });
});

describe("subPixelFilter", () => {
  it("places each tap at its flipped sub-filter position and phase channel", () => {
    // kh=3, kw=1, cin=1, cout=1, stride 2 x 1: Mh = 2, phases = 2.
    const w = [10, 20, 30]; // W[th] for th = 0, 1, 2
    const out = new Float32Array(2 * 1 * 1 * 2);
    subPixelFilter(w, [3, 1, 1, 1], 2, 1, out);
    // F[j, 0, 0, rh] = W[(1 - j) * 2 + rh]: j=0 -> W[2], W[3]=0; j=1 -> W[0], W[1].
    expect([...out]).toEqual([30, 0, 10, 20]);
  });
});
