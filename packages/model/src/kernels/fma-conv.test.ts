import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import * as tf from "@tensorflow/tfjs-core";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  onBothBackends,
  randomTensor,
  relativeError,
  setupBackends,
} from "../../test/backend-compare.ts";
import type { FastPath } from "./fast-path.ts";
import { conv2dBackpropFilterFma, conv2dBackpropInputFma, conv2dFma } from "./fma-conv.ts";
import { relaxedSimdSupported } from "./fma-gemm.ts";

type Shape4 = [number, number, number, number];
type Pad = "same" | "valid";
/** [x shape NHWC, filter shape [kh, kw, Cin, Cout], stride, pad]: all taken by the FMA paths. */
const CASES: [Shape4, Shape4, number, Pad][] = [
  [[1, 14, 14, 64], [4, 4, 64, 64], 2, "same"], // the DCGAN's 64 <-> 128 layer, halved
  [[2, 28, 28, 8], [4, 4, 8, 16], 2, "same"],
  [[3, 9, 10, 8], [3, 3, 8, 8], 1, "same"], // P = 270: a 2-row edge tile
  [[1, 7, 6, 16], [2, 3, 16, 24], 1, "valid"],
  [[2, 11, 12, 8], [5, 4, 8, 8], 2, "valid"], // trailing rows/cols never read
];

const attrsOf = (s: number, pad: Pad) => ({ strides: [s, s], pad, dataFormat: "NHWC" });
const outShape = (xs: Shape4, fs: Shape4, s: number, pad: Pad) =>
  tf.tidy(() => tf.conv2d(tf.zeros(xs) as tf.Tensor4D, tf.zeros(fs) as tf.Tensor4D, s, pad).shape);

/** Whether `fast` takes these inputs (returns a result) rather than leaving them to XNNPACK. */
function takes(fast: FastPath, inputs: Record<string, tf.Tensor>, attrs: object): boolean {
  const backend = tf.backend() as BackendWasm;
  const out = fast({ inputs, backend, attrs: attrs as never });
  if (out === null) return false;
  for (const t of Array.isArray(out) ? out : [out]) backend.disposeData(t.dataId);
  return true;
}

describe.skipIf(!relaxedSimdSupported())("FMA GEMM conv kernels on wasm", () => {
  beforeAll(setupBackends);
  afterEach(() => {
    delete process.env.EDGEGAN_FMA_GEMM;
  });

  it.each(CASES)("conv2d x %j filter %j stride %i %s matches cpu", async (xs, fs, s, pad) => {
    const x = () => randomTensor(xs, 1) as tf.Tensor4D;
    const w = () => randomTensor(fs, 2) as tf.Tensor4D;
    const { cpu, wasm } = await onBothBackends(() => tf.conv2d(x(), w(), s, pad));
    expect(relativeError(cpu[0] as Float32Array, wasm[0] as Float32Array)).toBeLessThan(1e-5);
    const inputs = { x: x(), filter: w() };
    expect(takes(conv2dFma, inputs, { ...attrsOf(s, pad), dilations: 1 })).toBe(true);
    tf.dispose(Object.values(inputs));
  });

  /** The two gradient kernels: their inputs and attributes for a case, and their output shape. */
  const GRADIENTS = [
    {
      kernel: "Conv2DBackpropFilter",
      fast: conv2dBackpropFilterFma,
      inputs: (xs: Shape4, _: Shape4, ys: number[]) => ({
        x: randomTensor(xs, 3),
        dy: randomTensor(ys, 4),
      }),
      attrs: (_: Shape4, fs: Shape4) => ({ filterShape: fs }),
      shape: (_: Shape4, fs: Shape4) => fs,
    },
    {
      kernel: "Conv2DBackpropInput",
      fast: conv2dBackpropInputFma,
      inputs: (_: Shape4, fs: Shape4, ys: number[]) => ({
        dy: randomTensor(ys, 5),
        filter: randomTensor(fs, 6),
      }),
      attrs: (xs: Shape4) => ({ inputShape: xs }),
      shape: (xs: Shape4) => xs,
    },
  ];
  const gradientCases = GRADIENTS.flatMap((g) => CASES.map((c) => [g.kernel, ...c] as const));

  it.each(gradientCases)(
    "%s x %j filter %j stride %i %s matches cpu",
    async (name, xs, fs, s, pad) => {
      const g = GRADIENTS.find((e) => e.kernel === name);
      if (g === undefined) throw new Error(`unknown kernel ${name}`);
      const ys = outShape(xs, fs, s, pad);
      const attrs = { ...attrsOf(s, pad), ...g.attrs(xs, fs) };
      const run = () => tf.engine().runKernel(name, g.inputs(xs, fs, ys), attrs) as tf.Tensor;
      const { cpu, wasm, shapes } = await onBothBackends(run);
      expect(shapes[0]).toEqual(g.shape(xs, fs));
      expect(relativeError(cpu[0] as Float32Array, wasm[0] as Float32Array)).toBeLessThan(1e-5);
      const inputs = g.inputs(xs, fs, ys);
      expect(takes(g.fast, inputs, attrs)).toBe(true);
      tf.dispose(Object.values(inputs));
    },
  );

  it("leaves few channels, NCHW and EDGEGAN_FMA_GEMM=0 to XNNPACK", async () => {
    await tf.setBackend("wasm");
    const x = randomTensor([2, 8, 8, 3], 7);
    const w = randomTensor([3, 3, 3, 8], 8);
    expect(takes(conv2dFma, { x, filter: w }, { ...attrsOf(1, "same"), dilations: 1 })).toBe(false);
    const x8 = randomTensor([2, 8, 8, 8], 9);
    const w8 = randomTensor([3, 3, 8, 8], 10);
    const nchw = { strides: [1, 1], pad: "same", dataFormat: "NCHW", dilations: 1 };
    expect(takes(conv2dFma, { x: x8, filter: w8 }, nchw)).toBe(false);
    process.env.EDGEGAN_FMA_GEMM = "0";
    expect(takes(conv2dFma, { x: x8, filter: w8 }, { ...attrsOf(1, "same"), dilations: 1 })).toBe(
      false,
    );
    tf.dispose([x, w, x8, w8]);
  });

  it("frees its intermediates and gives the same bits on every call", async () => {
    await tf.setBackend("wasm");
    const x = randomTensor([2, 14, 14, 64], 11) as tf.Tensor4D;
    const dy = randomTensor([2, 7, 7, 128], 12) as tf.Tensor4D;
    const w = randomTensor([4, 4, 64, 128], 13) as tf.Tensor4D;
    const calls = [
      () => tf.conv2d(x, w, 2, "same"),
      () => tf.conv2dTranspose(dy, w, [2, 14, 14, 64], 2, "same"),
      () =>
        tf
          .engine()
          .runKernel(
            "Conv2DBackpropFilter",
            { x, dy },
            { ...attrsOf(2, "same"), filterShape: [4, 4, 64, 128] },
          ) as tf.Tensor,
    ];
    for (const call of calls) {
      const before = tf.engine().backend.numDataIds();
      const a = call();
      expect(tf.engine().backend.numDataIds()).toBe(before + 1);
      const b = call();
      expect(b.dataSync()).toEqual(a.dataSync());
      tf.dispose([a, b]);
    }
    tf.dispose([x, dy, w]);
  });
});
