/**
 * Re-tempering a served model folder (the shipped MNIST model): same weights, another latent
 * temperature, a new version published over the old one, which is kept for pinned URLs.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { generateOnce } from "@edgegan/model/onnx-generator";
import { readModelFolder } from "@edgegan/model/read-model-folder";
import {
  EARLIER_VERSIONS_DIR,
  LATENT_SIZE,
  MANIFEST_FILE,
  ONNX_FILE,
  oneHot,
} from "@edgegan/shared";
import { createRng } from "@edgegan/shared/rng";
import { describe, expect, it } from "vitest";
import { copyShippedModel, tempDir } from "../test/fixtures.ts";
import { edgegan } from "./commands/index.ts";
import { retemperModel } from "./retemper.ts";

const N = 4;
const z = createRng(3).fillNormal(new Float32Array(N * LATENT_SIZE));
const labels = oneHot([2, 3, 5, 7]);

async function imagesOf(dir: string, latent: Float32Array = z): Promise<number[]> {
  const onnx = new Uint8Array(readFileSync(join(dir, ONNX_FILE)));
  return Array.from(await generateOnce(onnx, latent, labels, N));
}

describe("retemperModel", () => {
  it("publishes the model at T in place: new version, T on its card, the old one kept, no stale figures", async () => {
    const dir = copyShippedModel();
    const { manifest: before } = await readModelFolder(dir);
    expect(before.eval).toBeDefined();
    const originalImages = await imagesOf(
      dir,
      z.map((v) => v * Math.fround(0.9)),
    );

    const after = await retemperModel(dir, dir, 0.9);
    expect(after.version).not.toBe(before.version);
    expect(after.training.config.latentTemperature).toBe(0.9);
    expect(after.training.steps).toBe(before.training.steps);
    expect(after).not.toHaveProperty("eval"); // the figures described the old version
    expect(after.parity.maxAbsDiff).toBeGreaterThanOrEqual(before.parity.maxAbsDiff);
    expect((await readModelFolder(dir)).manifest).toEqual(after);
    expect(await imagesOf(dir)).toEqual(originalImages);
    // URLs pinned to the old version keep working
    const kept = join(dir, EARLIER_VERSIONS_DIR, before.version);
    expect((await readModelFolder(kept)).manifest.version).toBe(before.version);

    // back to 1: the original graph, byte for byte
    await retemperModel(dir, dir, 1);
    expect(readFileSync(join(dir, ONNX_FILE))).toEqual(readFileSync(join(kept, ONNX_FILE)));
  });

  it("refuses a temperature that is not > 0 and writes nothing", async () => {
    const dir = copyShippedModel();
    const manifest = readFileSync(join(dir, MANIFEST_FILE));
    await expect(retemperModel(dir, dir, 0)).rejects.toThrow(/finite number > 0, got 0/);
    expect(readFileSync(join(dir, MANIFEST_FILE))).toEqual(manifest);
    expect(existsSync(join(dir, EARLIER_VERSIONS_DIR))).toBe(false);
  });
});

describe("edgegan temper", () => {
  it("writes the model at T into --out, and names the missing flags", async () => {
    const out = join(tempDir("tempered"), "mnist");
    const code = await edgegan([
      "temper",
      "--model",
      copyShippedModel(),
      "--latent-temperature",
      "0.95",
      "--out",
      out,
    ]);
    expect(code).toBe(0);
    expect((await readModelFolder(out)).manifest.training.config.latentTemperature).toBe(0.95);
    expect(await edgegan(["temper", "--model", out])).toBe(2);
  });
});
