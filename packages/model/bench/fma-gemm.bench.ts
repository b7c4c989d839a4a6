/**
 * Benchmark: does our relaxed-SIMD FMA GEMM (src/kernels/fma-gemm.ts, fma-conv.ts) beat the wasm
 * backend's XNNPACK on the DCGAN step's largest convolution? One process, variants interleaved
 * round by round (so the machine's load hits all alike), medians of wall and of CPU time per
 * call, in GMAC/s of the conv's multiply-adds, every copy (im2col, packing, col2im) included in
 * the "conv call" rows; the ratios are of CPU time, which other jobs on the machine do not inflate.
 *
 *   npx tsx packages/model/bench/fma-gemm.bench.ts [--rounds 15] [--batch 32]
 *
 * The layer: D's 64 -> 128 conv, k4 s2 'same' on 14x14 (--batch images; G's transposed conv has
 * the same three products). With P = batch * 49 output pixels and K = 4 * 4 * 64 taps:
 *   forward          [P, K] x [K, 128]    (tf.conv2d)
 *   filter gradient  [128, P] x [P, K]    (Conv2DBackpropFilter, as dW^T = dy^T col)
 *   input gradient   [P, 128] x [128, K]  (Conv2DBackpropInput = conv2dTranspose's forward)
 * Rows: the conv call with EDGEGAN_FMA_GEMM=0 (XNNPACK, today's kernels) and =1 (ours); the bare
 * product with our kernel (FMA, and mul + add for comparison; B packed in the call, except for the
 * filter gradient, whose im2col writes the packed panels itself: there it is packed once outside)
 * and with tf.matMul (XNNPACK, which packs B in every call).
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import * as tf from "@tensorflow/tfjs-core";
import { fmaConvEnabled } from "../src/kernels/fma-conv.ts";
import { gemmPacked, type HeapMemory, heapGemm, packPanels } from "../src/kernels/fma-gemm.ts";
import { initWasmTrainingBackend } from "../src/wasm-backend.ts";
import { median, timeInterleaved } from "./interleaved.ts";

const { values: opts } = parseArgs({
  options: {
    rounds: { type: "string", default: "15" },
    batch: { type: "string", default: "32" },
  },
});
const rounds = Number(opts.rounds);
const batch = Number(opts.batch);
if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(batch) || batch < 1) {
  throw new Error("--rounds and --batch must be positive integers");
}

process.env.EDGEGAN_FMA_GEMM = "1";
if (!fmaConvEnabled()) throw new Error("this engine has no relaxed SIMD (Node 22 or later has)");
await initWasmTrainingBackend();
const backend = tf.backend() as BackendWasm;
const memory = (backend.wasm as unknown as { asm: { memory: HeapMemory } }).asm.memory;
const at = (t: tf.Tensor) => backend.getMemoryOffset(t.dataId);

const P = batch * 49;
const K = 1024;
const x = tf.randomUniform([batch, 14, 14, 64], -1, 1) as tf.Tensor4D;
const w = tf.randomUniform([4, 4, 64, 128], -1, 1) as tf.Tensor4D;
const dy = tf.randomUniform([batch, 7, 7, 128], -1, 1) as tf.Tensor4D;
const w2 = tf.reshape(w, [K, 128]);
const dy2 = tf.reshape(dy, [P, 128]);
const wT = tf.transpose(w2);
const col = tf.randomUniform([P, K], -1, 1);
const dyT = tf.transpose(dy2);
const colPanels = tf.zeros([P * K]); // col packed once, as im2col writes it for the filter gradient
packPanels(memory, { offset: at(col), rowBytes: K * 4, colBytes: 4 }, P, K, at(colPanels));
const out = tf.zeros([P * K]);
const pack = tf.zeros([P * K]);

const ops = {
  forward: () => tf.conv2d(x, w, 2, "same"),
  filter: () =>
    tf
      .engine()
      .runKernel(
        "Conv2DBackpropFilter",
        { x, dy },
        { strides: 2, pad: "same", dataFormat: "NHWC", filterShape: [4, 4, 64, 128] },
      ) as tf.Tensor,
  input: () => tf.conv2dTranspose(dy, w, [batch, 14, 14, 64], 2, "same"),
};
type Shape = keyof typeof ops;
/** The bare product of each shape: [A, B, m, k, n] with A and B as heap matrices. */
const products: Record<
  Shape,
  () => [Parameters<typeof heapGemm>[1], Parameters<typeof heapGemm>[2], number, number, number]
> = {
  forward: () => [
    { offset: at(col), rowBytes: K * 4, colBytes: 4 },
    { offset: at(w2), rowBytes: 512, colBytes: 4 },
    P,
    K,
    128,
  ],
  filter: () => [
    { offset: at(dyT), rowBytes: P * 4, colBytes: 4 },
    { offset: at(col), rowBytes: K * 4, colBytes: 4 },
    128,
    P,
    K,
  ],
  input: () => [
    { offset: at(dy2), rowBytes: 512, colBytes: 4 },
    { offset: at(w2), rowBytes: 4, colBytes: 512 },
    P,
    128,
    K,
  ],
};
const matMuls: Record<Shape, () => tf.Tensor> = {
  forward: () => tf.matMul(col, w2),
  filter: () => tf.matMul(dyT, col),
  input: () => tf.matMul(dy2, wT),
};

const withFma = (on: boolean, f: () => tf.Tensor) => () => {
  process.env.EDGEGAN_FMA_GEMM = on ? "1" : "0";
  tf.dispose(f());
};
const bare = (shape: Shape, fused: boolean) => () => {
  const [a, b, m, k, n] = products[shape]();
  const c = { offset: at(out), rowBytes: n * 4 };
  if (shape === "filter") gemmPacked(memory, a, at(colPanels), c, { m, k, n }, fused);
  else heapGemm(memory, a, b, c, { m, k, n }, at(pack), fused);
};

type Variant = { shape: Shape; name: string; run: () => void };
const variants: Variant[] = [];
for (const shape of Object.keys(ops) as Shape[]) {
  variants.push(
    { shape, name: "conv call, XNNPACK (EDGEGAN_FMA_GEMM=0)", run: withFma(false, ops[shape]) },
    { shape, name: "conv call, ours (im2col + FMA GEMM)", run: withFma(true, ops[shape]) },
    { shape, name: "product only, ours FMA", run: bare(shape, true) },
    { shape, name: "product only, ours mul + add", run: bare(shape, false) },
    { shape, name: "product only, XNNPACK tf.matMul", run: () => tf.dispose(matMuls[shape]()) },
  );
}

// Accuracy: each conv call, ours against XNNPACK; the forward product against float64.
for (const shape of Object.keys(ops) as Shape[]) {
  process.env.EDGEGAN_FMA_GEMM = "0";
  const ref = ops[shape]();
  process.env.EDGEGAN_FMA_GEMM = "1";
  const got = ops[shape]();
  const r = ref.dataSync();
  const g = got.dataSync();
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < r.length; i++) {
    diff = Math.max(diff, Math.abs((r[i] as number) - (g[i] as number)));
    scale = Math.max(scale, Math.abs(r[i] as number));
  }
  console.log(
    `${shape}: max |ours - XNNPACK| / max |XNNPACK| = ${(diff / scale).toExponential(2)}`,
  );
  tf.dispose([ref, got]);
}
{
  bare("forward", true)();
  const ours = new Float32Array(memory.buffer, at(out), P * 128).slice();
  const xnn = tf.matMul(col, w2);
  const xv = xnn.dataSync();
  const a = col.dataSync();
  const b = w2.dataSync();
  let eOurs = 0;
  let eXnn = 0;
  let scale = 0;
  for (let i = 0; i < P; i += 7) {
    for (let j = 0; j < 128; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (a[i * K + k] as number) * (b[k * 128 + j] as number);
      scale = Math.max(scale, Math.abs(s));
      eOurs = Math.max(eOurs, Math.abs(s - (ours[i * 128 + j] as number)));
      eXnn = Math.max(eXnn, Math.abs(s - (xv[i * 128 + j] as number)));
    }
  }
  tf.dispose(xnn);
  console.log(
    `forward product against float64 (every 7th row): ours ${(eOurs / scale).toExponential(2)}, XNNPACK ${(eXnn / scale).toExponential(2)}`,
  );
}

const load0 = loadavg()[0] as number;
const { wall, cpu } = timeInterleaved(variants, rounds);
const load1 = loadavg()[0] as number;
const macs = P * K * 128;
console.log(
  `\nbatch ${batch} (P = ${P}), ${(macs / 1e6).toFixed(0)} M multiply-adds per call, ${rounds} rounds, load ${load0.toFixed(2)} -> ${load1.toFixed(2)}`,
);
console.log(
  `${"".padEnd(44)}     wall ms (best)    GMAC/s wall | CPU ms  GMAC/s per CPU s  ratio (CPU)`,
);
for (const shape of Object.keys(ops) as Shape[]) {
  console.log(`${shape}`);
  let base = 0;
  variants.forEach((v, i) => {
    if (v.shape !== shape) return;
    const ms = median(wall[i]);
    const best = Math.min(...(wall[i] ?? []));
    const cms = median(cpu[i]);
    if (base === 0) base = cms;
    console.log(
      `  ${v.name.padEnd(42)} ${ms.toFixed(1).padStart(7)} (${best.toFixed(1).padStart(6)})  ${(macs / ms / 1e6).toFixed(2).padStart(6)}      | ${cms.toFixed(1).padStart(6)}  ${(macs / cms / 1e6).toFixed(2).padStart(6)}            ${(base / cms).toFixed(2)}x`,
    );
  });
}
