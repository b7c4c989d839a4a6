/**
 * Re-tempering a served model folder (the shipped MNIST model, itself served at a latent temperature):
 * same weights, another latent temperature, a new version published over the old one, which is kept for pinned URLs.
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
import { latentTemperatureOf } from "@edgegan/shared/manifest";
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
    const { manifest: shipped } = await readModelFolder(dir);
    expect(shipped.eval).toBeDefined();
    const shippedT = latentTemperatureOf(shipped);
    expect(shippedT).not.toBe(1); // the served mnist is tempered, so the first step changes T

    // T = 1: the trained network's own graph, fed z * 0.9 below as the 0.9 graph will be
    const plain = await retemperModel(dir, dir, 1);
    expect(plain.version).not.toBe(shipped.version);
    expect(plain.training.config.latentTemperature).toBe(1);
    expect(plain.training.steps).toBe(shipped.training.steps);
    expect(plain).not.toHaveProperty("eval"); // the figures described the old version
    const plainImages = await imagesOf(
      dir,
      z.map((v) => v * Math.fround(0.9)),
    );

    const after = await retemperModel(dir, dir, 0.9);
    expect(after.version).not.toBe(plain.version);
    expect(after.training.config.latentTemperature).toBe(0.9);
    expect(after.parity.maxAbsDiff).toBeGreaterThanOrEqual(0);
    expect((await readModelFolder(dir)).manifest).toEqual(after);
    expect(await imagesOf(dir)).toEqual(plainImages);
    // URLs pinned to the old versions keep working
    const kept = (version: string) => join(dir, EARLIER_VERSIONS_DIR, version);
    for (const version of [shipped.version, plain.version]) {
      expect((await readModelFolder(kept(version))).manifest.version).toBe(version);
    }

    // back to 1: that version's graph, byte for byte; back to the shipped T: the shipped images
    // (the trainer's export and a re-tempering place the Mul differently in the file)
    await retemperModel(dir, dir, 1);
    expect(readFileSync(join(dir, ONNX_FILE))).toEqual(
      readFileSync(join(kept(plain.version), ONNX_FILE)),
    );
    await retemperModel(dir, dir, shippedT);
    expect(await imagesOf(dir)).toEqual(await imagesOf(kept(shipped.version)));
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
