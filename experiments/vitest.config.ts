import { defineConfig } from "vitest/config";

// The augmentation experiment's plumbing at toy size (TF.js wasm, onnxruntime-web).
export default defineConfig({
  test: { include: ["*.test.ts"], testTimeout: 120_000, hookTimeout: 60_000 },
});
