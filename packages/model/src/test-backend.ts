/**
 * Test helper: select TF.js's cpu backend once. Tests import this instead of repeating the setup;
 * production code never does (the trainer chooses the backend).
 */
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";

/** Resolve once the cpu backend is active. */
export async function useCpuBackend(): Promise<void> {
  await tf.setBackend("cpu");
  await tf.ready();
}
