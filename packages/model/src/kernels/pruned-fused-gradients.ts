/**
 * Let the gradient tape skip gradients of fused ops (convolutions, dense layers) nobody asked for.
 *
 * tf.layers runs every Conv2D layer through `tf.fused.conv2d` and every Dense layer through
 * `tf.fused.matMul`, and with a linear activation those ops stay fused while recording gradients.
 * Their gradient is a customGrad that eagerly computes the gradient of EVERY input, whatever the
 * tape needs. In a GAN step that wastes work: the D step computes D's first-layer input gradient
 * (for real and fake batches, ~17% of the DCGAN's work), the G step computes D's filter and dense
 * weight gradients although only G's weights are trained, and G's dense layer computes the
 * gradient of its input (noise and labels: [64, 6272] x [6272, 110], ~10 ms of a 64-image step).
 *
 * While a gradient is being recorded, {@link enablePrunedFusedGradients} routes such linear fused
 * ops to their plain op (`conv2d`, `matMul`) plus `add(bias)`, whose registered gradients the tape
 * prunes per input. Forward values are the same math (the product, then the bias add); outside
 * gradient recording nothing changes.
 */
import * as tf from "@tensorflow/tfjs-core";

type FusedConv2d = typeof tf.fused.conv2d;
type FusedConvArgs = Parameters<FusedConv2d>[0];
type FusedMatMul = typeof tf.fused.matMul;
type FusedMatMulArgs = Parameters<FusedMatMul>[0];

const PATCHED = Symbol.for("edgegan.prunedFusedGradients");

/** The fields of a fused op's arguments that decide whether it can be split. */
interface FusionArgs {
  activation?: string;
  preluActivationWeights?: unknown;
}

/** True when the fused op can be split without changing its result: linear, under recording. */
function splittable(args: FusionArgs): boolean {
  return (
    (args.activation ?? "linear") === "linear" &&
    args.preluActivationWeights == null &&
    tf.engine().state.gradientDepth > 0
  );
}

/** conv2d + bias add, the split form of a linear NHWC fused conv. */
function splitConv2d(args: FusedConvArgs): tf.Tensor {
  const { x, filter, strides, pad, dilations, dimRoundingMode, bias } = args;
  const y = tf.conv2d(x as tf.Tensor4D, filter, strides, pad, "NHWC", dilations, dimRoundingMode);
  return bias == null ? y : tf.add(y, bias);
}

/** matMul + bias add, the split form of a linear fused matMul. */
function splitMatMul(args: FusedMatMulArgs): tf.Tensor {
  const { a, b, transposeA, transposeB, bias } = args;
  const y = tf.matMul(a, b, transposeA, transposeB);
  return bias == null ? y : tf.add(y, bias);
}

type FusedNamespace = Record<symbol, unknown> & { conv2d: FusedConv2d; matMul: FusedMatMul };

/** What {@link enablePrunedFusedGradients} replaced, to restore. */
interface Originals {
  conv2d: FusedConv2d;
  matMul: FusedMatMul;
}

/**
 * Patch `tf.fused.conv2d` and `tf.fused.matMul` (process-wide, idempotent) so that under gradient
 * recording a linear one is recorded as its plain op + bias add. Affects every backend alike.
 */
export function enablePrunedFusedGradients(): void {
  const fused = tf.fused as unknown as FusedNamespace;
  if (fused[PATCHED] !== undefined) return;
  const originals: Originals = { conv2d: fused.conv2d, matMul: fused.matMul };
  const conv2d = (args: FusedConvArgs): ReturnType<FusedConv2d> =>
    splittable(args) && (args.dataFormat ?? "NHWC") === "NHWC"
      ? (tf.tidy(() => splitConv2d(args)) as ReturnType<FusedConv2d>)
      : originals.conv2d(args);
  const matMul = (args: FusedMatMulArgs): ReturnType<FusedMatMul> =>
    splittable(args) ? tf.tidy(() => splitMatMul(args)) : originals.matMul(args);
  fused.conv2d = conv2d as FusedConv2d;
  fused.matMul = matMul as FusedMatMul;
  fused[PATCHED] = originals;
}

/** Undo {@link enablePrunedFusedGradients} (restores tfjs's own fused ops). */
export function disablePrunedFusedGradients(): void {
  const fused = tf.fused as unknown as FusedNamespace;
  const originals = fused[PATCHED] as Originals | undefined;
  if (originals === undefined) return;
  fused.conv2d = originals.conv2d;
  fused.matMul = originals.matMul;
  delete fused[PATCHED];
}

/** Whether {@link enablePrunedFusedGradients} is in effect. */
export function prunedFusedGradientsEnabled(): boolean {
  return (tf.fused as unknown as FusedNamespace)[PATCHED] !== undefined;
}
