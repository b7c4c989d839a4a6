import { defineConfig } from "vitest/config";

// The metric tests are pure arithmetic and small TF.js runs on the cpu backend.
export default defineConfig({
  test: { include: ["src/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 60_000 },
});
