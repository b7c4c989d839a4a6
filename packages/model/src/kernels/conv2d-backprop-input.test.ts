import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  onBothBackends,
  randomTensor,
  relativeError,
  setupBackends,
} from "../../test/backend-compare.ts";
import { phaseFilter, planPhase } from "./conv2d-backprop-input.ts";

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
  [[2, 28, 28, 1], [4, 4, 1, 3], 2, "same"], // one channel (the generator's last layer)
  // >= PER_PHASE_MIN_CHANNELS input channels: one XNNPACK conv per output phase
  [[2, 6, 6, 32], [4, 4, 32, 3], 2, "same"],
  [[2, 7, 8, 40], [3, 4, 40, 2], 2, "valid"],
  [[3, 9, 7, 32], [5, 3, 32, 4], 3, "same"],
  [[2, 13, 13, 32], [2, 2, 32, 3], 3, "same"], // kernel shorter than the stride: zero phases
  [[1, 5, 5, 33], [3, 3, 33, 2], 1, "same"],
];

describe("Conv2DBackpropInput on wasm (per-phase XNNPACK convs)", () => {
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

describe("planPhase", () => {
  it("plans the generator's k4 s2 'same' upsampling 7 -> 14 with no wasted rows", () => {
    // pad top 1: even dx rows come from phase 1, odd rows from phase 0.
    expect(planPhase(0, 14, 7, 4, 2, 1)).toEqual({
      first: 1,
      count: 7,
      taps: 2,
      padBefore: 0,
      padAfter: 1,
      offset: 0,
    });
    expect(planPhase(1, 14, 7, 4, 2, 1)).toEqual({
      first: 0,
      count: 7,
      taps: 2,
      padBefore: 1,
      padAfter: 0,
      offset: 0,
    });
  });

  it("gives a phase no taps when the kernel is shorter than the stride", () => {
    expect(planPhase(2, 7, 3, 2, 3, 0).taps).toBe(0);
  });
});

describe("phaseFilter", () => {
  it("flips the taps of one phase and swaps channel roles", () => {
    // kh=3, kw=1, cin=1, cout=2, stride 2 x 1, phase (0, 0): taps W[2], W[0] (flipped order).
    const w = [1, 2, 3, 4, 5, 6]; // W[kh][0][0][co] = w[kh*2 + co]
    const out = new Float32Array(2 * 1 * 2 * 1);
    phaseFilter(w, [3, 1, 1, 2], [2, 1], [0, 0], [2, 1], out);
    // F[j][0][co][0] = W[(1 - j) * 2][0][0][co]: j=0 -> W[2] = [5, 6]; j=1 -> W[0] = [1, 2].
    expect([...out]).toEqual([5, 6, 1, 2]);
  });
});
