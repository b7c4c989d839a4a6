/**
 * The deployable bundle (`wrangler deploy --dry-run --outdir`, no account needed) must fit the
 * Workers Paid plan's 10 MB compressed limit, and must contain the ORT wasm and every bundled model.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { wranglerBin } from "../scripts/wrangler-dev.ts";

const appDir = fileURLToPath(new URL("..", import.meta.url));
const PAID_PLAN_LIMIT = 10 * 1024 * 1024;

describe("wrangler deploy --dry-run bundle", () => {
  let outdir = "";
  afterAll(async () => {
    if (outdir) await rm(outdir, { recursive: true, force: true });
  });

  it("is under 10 MB gzip and carries the wasm and every bundled model", async () => {
    outdir = await mkdtemp(join(tmpdir(), "edge-api-bundle-"));
    const wrangler = wranglerBin();
    await promisify(execFile)(
      process.execPath,
      [wrangler, "deploy", "--dry-run", "--outdir", outdir],
      {
        cwd: appDir,
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" },
      },
    );
    const files = (await readdir(outdir)).filter((f) => !f.endsWith(".map") && f !== "README.md");
    let raw = 0;
    let gzip = 0;
    for (const file of files) {
      const bytes = await readFile(join(outdir, file));
      raw += bytes.byteLength;
      gzip += gzipSync(bytes).byteLength;
    }
    console.log(
      `bundle: ${files.length} modules, raw ${(raw / 2 ** 20).toFixed(2)} MiB, gzip ${(gzip / 2 ** 20).toFixed(2)} MiB`,
    );
    expect(files.some((f) => f.endsWith("ort-wasm-simd-threaded.wasm"))).toBe(true);
    const bundled = await Promise.all(
      files.filter((f) => f.endsWith(".onnx")).map((f) => readFile(join(outdir, f))),
    );
    const models = await readdir(join(appDir, "models"));
    expect(models).toContain("mnist");
    for (const name of models) {
      const shipped = await readFile(join(appDir, "models", name, "generator.onnx"));
      expect(
        bundled.some((b) => b.equals(shipped)),
        `models/${name} in the bundle`,
      ).toBe(true);
    }
    expect(gzip).toBeLessThan(PAID_PLAN_LIMIT);
  });
});
