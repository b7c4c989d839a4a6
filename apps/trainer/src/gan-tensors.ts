/**
 * The tensors a checkpoint holds for a GAN run, and putting them back: both networks' weights,
 * the EMA generator's, and both Adam optimisers' state, each group in a fixed order.
 */
import type { Gan } from "@edgegan/model/train-step";
import type * as tf from "@tensorflow/tfjs-core";
import type { TensorGroups } from "./checkpoint.ts";
import type { WeightEma } from "./ema.ts";

/** Read every tensor a checkpoint needs (the optimisers' state is async in TF.js). */
export async function tensorGroups(gan: Gan, ema: WeightEma): Promise<TensorGroups> {
  const [gOpt, dOpt] = await Promise.all([
    gan.gOptimizer.getWeights(),
    gan.dOptimizer.getWeights(),
  ]);
  return {
    generator: gan.generator.weights.map((w) => w.read()),
    discriminator: gan.discriminator.weights.map((w) => w.read()),
    ema: ema.values(),
    gOptimizer: gOpt.map((named) => named.tensor),
    dOptimizer: dOpt.map((named) => named.tensor),
  };
}

/**
 * Put a checkpoint's tensors back into the GAN and the EMA.
 * @param source the checkpoint's path, for messages
 * @throws Error naming the missing group, or saying the tensors do not fit this model
 */
export async function restoreTensors(
  gan: Gan,
  ema: WeightEma,
  groups: TensorGroups,
  source: string,
): Promise<void> {
  const need = (name: string): tf.Tensor[] => {
    const list = groups[name];
    if (!list)
      throw new Error(`${source} has no "${name}" tensors: not a complete EdgeGAN checkpoint`);
    return list;
  };
  try {
    gan.generator.setWeights(need("generator"));
    gan.discriminator.setWeights(need("discriminator"));
    ema.load(need("ema"));
    await gan.gOptimizer.setWeights(
      need("gOptimizer").map((tensor, i) => ({ name: `g_opt_${i}`, tensor })),
    );
    await gan.dOptimizer.setWeights(
      need("dOptimizer").map((tensor, i) => ({ name: `d_opt_${i}`, tensor })),
    );
  } catch (error) {
    throw new Error(`${source} does not fit this model: ${(error as Error).message}`);
  }
}
