/**
 * Test support: select TF.js's cpu backend, stock or with EdgeGAN's faster Conv2DBackpropFilter
 * (src/kernels/cpu-conv2d-backprop-filter.ts): the stock one would make the train-step tests take
 * minutes, while the layer and loss tests keep the stock kernels as their reference.
 */
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import { initCpuTrainingBackend } from "../src/kernels/cpu-conv2d-backprop-filter.ts";

/** Resolve once the cpu backend is active; with `fastConvFilterGrad`, with the faster kernel. */
export async function useCpuBackend({ fastConvFilterGrad = false } = {}): Promise<void> {
  if (fastConvFilterGrad) return initCpuTrainingBackend();
  await tf.setBackend("cpu");
  await tf.ready();
}
