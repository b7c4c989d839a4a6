/**
 * Let the gradient tape skip convolution gradients nobody asked for.
 *
 * tf.layers runs every Conv2D layer through `tf.fused.conv2d`, and with a linear activation that op
 * stays fused while recording gradients. Its gradient is a customGrad that eagerly computes BOTH the
 * input gradient and the filter gradient, whatever the tape needs. In a GAN step that wastes about
 * 17% of the work on the DCGAN: the D step computes D's first-layer input gradient (for real and
 * fake batches), and the G step computes D's filter gradients although only G's weights are trained.
 *
 * While a gradient is being recorded, {@link enablePrunedConvGradients} routes such linear fused
 * convs to `conv2d` (+ `add(bias)`), whose registered gradient the tape prunes per input.
 * Forward values are the same math (conv, then bias add); outside gradient recording nothing changes.
 */
import * as tf from "@tensorflow/tfjs-core";

type FusedConv2d = typeof tf.fused.conv2d;
type FusedConvArgs = Parameters<FusedConv2d>[0];

const PATCHED = Symbol.for("edgegan.prunedConvGradients");

/** True when the fused conv can be split without changing its result. */
function splittable(args: FusedConvArgs): boolean {
  const activation = args.activation ?? "linear";
  return (
    activation === "linear" &&
    args.preluActivationWeights == null &&
    (args.dataFormat ?? "NHWC") === "NHWC" &&
    tf.engine().state.gradientDepth > 0
  );
}

type FusedNamespace = Record<symbol, unknown> & { conv2d: FusedConv2d };

/**
 * Patch `tf.fused.conv2d` (process-wide, idempotent) so that under gradient recording a conv with a
 * linear activation is recorded as conv2d + bias add. Affects every backend identically (cpu too).
 */
export function enablePrunedConvGradients(): void {
  const fused = tf.fused as unknown as FusedNamespace;
  if (fused[PATCHED] !== undefined) return;
  const original = fused.conv2d;
  const patched = (args: FusedConvArgs): ReturnType<FusedConv2d> => {
    if (!splittable(args)) return original(args);
    const { x, filter, strides, pad, dataFormat, dilations, dimRoundingMode, bias } = args;
    return tf.tidy(() => {
      const y = tf.conv2d(
        x as tf.Tensor4D,
        filter,
        strides,
        pad,
        dataFormat ?? "NHWC",
        dilations,
        dimRoundingMode,
      );
      return bias == null ? y : tf.add(y, bias);
    }) as ReturnType<FusedConv2d>;
  };
  fused.conv2d = patched as FusedConv2d;
  fused[PATCHED] = original;
}

/** Undo {@link enablePrunedConvGradients} (restores tfjs's own `tf.fused.conv2d`). */
export function disablePrunedConvGradients(): void {
  const fused = tf.fused as unknown as FusedNamespace;
  const original = fused[PATCHED] as FusedConv2d | undefined;
  if (original === undefined) return;
  fused.conv2d = original;
  delete fused[PATCHED];
}

/** Whether {@link enablePrunedConvGradients} is in effect. */
export function prunedConvGradientsEnabled(): boolean {
  return (tf.fused as unknown as FusedNamespace)[PATCHED] !== undefined;
}
