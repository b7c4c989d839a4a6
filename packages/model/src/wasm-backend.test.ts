import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  onBothBackends,
  randomTensor,
  relativeError,
  setupBackends,
} from "../test/backend-compare.ts";
import { prunedFusedGradientsEnabled } from "./kernels/pruned-fused-gradients.ts";
import { tile } from "./kernels/tile.ts";
import { registerWasmTrainingKernels } from "./wasm-backend.ts";

describe("initWasmTrainingBackend", () => {
  beforeAll(setupBackends);

  it("activates wasm with our conv kernels registered", () => {
    expect(tf.getBackend()).toBe("wasm");
    // the conv kernels have the FMA GEMM paths in front (kernels/fma-conv.ts)
    const fastPath = Symbol.for("edgegan.wasmFastPath");
    for (const name of ["Conv2D", "Conv2DBackpropFilter", "Conv2DBackpropInput"]) {
      expect((tf.getKernel(name, "wasm") as unknown as Record<symbol, unknown>)[fastPath]).toBe(
        true,
      );
    }
    expect(tf.getKernel("Tile", "wasm")?.kernelFunc).toBe(tile);
    // and unneeded conv and dense gradients are pruned (tf.fused.conv2d and matMul patched)
    expect(prunedFusedGradientsEnabled()).toBe(true);
  });

  it("registerWasmTrainingKernels is idempotent (BatchMatMul is wrapped once)", () => {
    const first = tf.getKernel("BatchMatMul", "wasm")?.kernelFunc;
    registerWasmTrainingKernels();
    registerWasmTrainingKernels();
    expect(tf.getKernel("BatchMatMul", "wasm")?.kernelFunc).toBe(first);
    const c = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3, 4]]), false, true);
    expect(Array.from(c.dataSync())).toEqual([11]);
    c.dispose();
  });

  it("gradients through conv2d and conv2dTranspose match cpu", async () => {
    const x = () => randomTensor([3, 10, 10, 2], 21) as tf.Tensor4D;
    const w1 = () => randomTensor([4, 3, 2, 5], 22) as tf.Tensor4D; // conv 2 -> 5, k 4x3, s2 same
    const w2 = () => randomTensor([4, 4, 3, 5], 23) as tf.Tensor4D; // deconv 5 -> 3, k4 s2 same
    const w3 = () => randomTensor([3, 3, 3, 4], 24) as tf.Tensor4D; // conv 3 -> 4, k3 s1 valid
    const loss = (xx: tf.Tensor4D, a: tf.Tensor4D, b: tf.Tensor4D, c: tf.Tensor4D) => {
      const h = tf.leakyRelu(tf.conv2d(xx, a, 2, "same"), 0.2); // [3,5,5,5]
      const u = tf.tanh(tf.conv2dTranspose(h, b, [3, 10, 10, 3], 2, "same")); // [3,10,10,3]
      return tf.mean(tf.square(tf.conv2d(u, c, 1, "valid")));
    };
    const { cpu, wasm } = await onBothBackends(() =>
      tf.grads(loss as (...t: tf.Tensor[]) => tf.Tensor)([x(), w1(), w2(), w3()]),
    );
    expect(wasm).toHaveLength(4);
    for (let i = 0; i < 4; i++) {
      expect(relativeError(cpu[i] as Float32Array, wasm[i] as Float32Array)).toBeLessThan(1e-4);
    }
  });

  it("dense-layer gradients (transposed matMuls) match cpu", async () => {
    const { cpu, wasm } = await onBothBackends(() =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.sigmoid(tf.matMul(a, b))))([
        randomTensor([8, 12], 31),
        randomTensor([12, 6], 32),
      ]),
    );
    for (let i = 0; i < 2; i++) {
      expect(relativeError(cpu[i] as Float32Array, wasm[i] as Float32Array)).toBeLessThan(1e-4);
    }
  });
});
