/**
 * Test helper: select TF.js's cpu backend once, optionally with the faster Conv2DBackpropFilter
 * (kernels/cpu-conv2d-backprop-filter.ts): the stock one would make the train-step tests take minutes.
 */
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import { registerCpuTrainingKernels } from "./kernels/cpu-conv2d-backprop-filter.ts";

export {
  fastConv2DBackpropFilter,
  stockConvFilterGrad,
} from "./kernels/cpu-conv2d-backprop-filter.ts";

/** Resolve once the cpu backend is active; with `fastConvFilterGrad`, swap in the faster kernel. */
export async function useCpuBackend({ fastConvFilterGrad = false } = {}): Promise<void> {
  if (fastConvFilterGrad) registerCpuTrainingKernels();
  await tf.setBackend("cpu");
  await tf.ready();
}
