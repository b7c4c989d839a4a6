/** Reading a model folder in Node: the shipped one verifies; each way a folder can be wrong is named. */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MANIFEST_FILE, ONNX_FILE } from "@edgegan/shared";
import { describe, expect, it } from "vitest";
import { readModelFolder } from "./read-model-folder.ts";

const shipped = fileURLToPath(new URL("../../../apps/edge-api/models/mnist/", import.meta.url));

function copyOfShipped(): string {
  const dir = mkdtempSync(join(tmpdir(), "edgegan-folder-"));
  for (const file of [MANIFEST_FILE, ONNX_FILE]) copyFileSync(join(shipped, file), join(dir, file));
  return dir;
}

describe("readModelFolder", () => {
  it("reads and verifies the shipped model", async () => {
    const folder = await readModelFolder(shipped);
    expect(folder.dir).toBe(shipped);
    expect(folder.onnx.byteLength).toBe(folder.manifest.onnx.bytes);
    expect(folder.manifest.onnx.file).toBe(ONNX_FILE);
  });

  it("names the path of what is missing, unreadable or mismatched", async () => {
    const empty = mkdtempSync(join(tmpdir(), "edgegan-empty-"));
    await expect(readModelFolder(empty)).rejects.toThrow(
      `${join(empty, MANIFEST_FILE)} not found: a model folder holds model.json and the ONNX file it names`,
    );
    const noOnnx = copyOfShipped();
    rmSync(join(noOnnx, ONNX_FILE));
    await expect(readModelFolder(noOnnx)).rejects.toThrow(
      `${join(noOnnx, ONNX_FILE)} is missing or empty`,
    );
    const notJson = copyOfShipped();
    writeFileSync(join(notJson, MANIFEST_FILE), "{ half");
    await expect(readModelFolder(notJson)).rejects.toThrow(
      new RegExp(`^${join(notJson, MANIFEST_FILE)} is not JSON`),
    );
    const invalid = copyOfShipped();
    writeFileSync(join(invalid, MANIFEST_FILE), JSON.stringify({ version: "x" }));
    await expect(readModelFolder(invalid)).rejects.toThrow(
      `${join(invalid, MANIFEST_FILE)} is not a valid manifest`,
    );
    const truncated = copyOfShipped();
    writeFileSync(join(truncated, ONNX_FILE), new Uint8Array([1, 2, 3]));
    await expect(readModelFolder(truncated)).rejects.toThrow(
      /generator\.onnx has 3 bytes but .*model\.json says \d+: model and manifest do not belong together/,
    );
  });
});
