/**
 * Three test projects: "workerd" runs inside the Workers runtime (@cloudflare/vitest-plugin, the real
 * wrangler config and bundling rules); "node" runs Node-side checks (the deploy bundle size);
 * "chromium" checks the gallery in headless Chromium (`npm run test:gallery`, not in `npm test`).
 */

import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const here = fileURLToPath(new URL(".", import.meta.url));
// The workerd project's Vite root is the repo root: pool-workers 0.15.1 maps a non-JS module
// (the ORT .wasm in the hoisted node_modules) to `<root>/<vite id>`, which breaks with Vite's
// "/@fs/..." ids for files outside the root.
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

export default defineConfig({
  test: {
    projects: [
      {
        root: repoRoot,
        plugins: [
          cloudflareTest({
            wrangler: { configPath: `${here}wrangler.jsonc` },
            // a local R2 bucket (Miniflare) for the released-models tests; production binds
            // one only when configured in wrangler.jsonc
            // a tight rate limiter for the 429 tests; the configured one stays out of their way
            miniflare: {
              r2Buckets: ["TEST_MODELS"],
              ratelimits: {
                RATE_LIMITER: { namespace_id: "9001", simple: { limit: 1_000_000, period: 60 } },
                TEST_RATE_LIMITER: { namespace_id: "9002", simple: { limit: 3, period: 60 } },
              },
            },
          }),
        ],
        test: {
          name: "workerd",
          // One runtime for all files: each fresh isolate would recompile the 14 MB ORT wasm (~9 s).
          isolate: false,
          dir: here,
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          // the shipped models that are not bundled go into the local MODELS bucket first
          setupFiles: [`${here}test/seed-shipped-models.ts`],
          exclude: ["**/*.node.test.ts", "**/*.chromium.test.ts", "**/node_modules/**"],
          // The first request in an isolate compiles ORT's 14 MB wasm and creates the session.
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "node",
          include: ["test/**/*.node.test.ts"],
          testTimeout: 240_000,
        },
      },
      {
        // the gallery in headless Chromium (`npm run test:gallery`): apart from `npm test`, which
        // needs nothing beyond npm, and heavy enough to starve the load test if run beside it
        test: {
          name: "chromium",
          include: ["test/**/*.chromium.test.ts"],
          testTimeout: 240_000,
        },
      },
    ],
  },
});
