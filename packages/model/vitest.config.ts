import { defineConfig } from "vitest/config";

// Tests run TF.js on the cpu backend and onnxruntime-web's wasm in Node: slow-ish, hence the timeout.
export default defineConfig({
  test: { include: ["src/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 60_000 },
});
