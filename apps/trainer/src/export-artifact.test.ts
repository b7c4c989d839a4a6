/** Publishing a model folder: verified before anything is copied, the manifest copied as written. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readModelFolder } from "@edgegan/model/read-model-folder";
import { MANIFEST_FILE, ONNX_FILE } from "@edgegan/shared";
import { describe, expect, it } from "vitest";
import { copyShippedModel, tempDir } from "../test/fixtures.ts";
import { publishArtifact } from "./export-artifact.ts";

describe("publishArtifact", () => {
  it("copies a verified folder, the manifest byte for byte", async () => {
    const from = copyShippedModel();
    const to = join(tempDir("published"), "mnist");
    expect(await publishArtifact(from, to)).toBe(to);
    expect((await readModelFolder(to)).manifest.version).toBe(
      (await readModelFolder(from)).manifest.version,
    );
    expect(readFileSync(join(to, MANIFEST_FILE))).toEqual(readFileSync(join(from, MANIFEST_FILE)));
  });

  it("refuses a folder whose ONNX does not match its manifest, writing nothing", async () => {
    const from = copyShippedModel();
    const bytes = readFileSync(join(from, ONNX_FILE));
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
    writeFileSync(join(from, ONNX_FILE), bytes);
    const to = join(tempDir("refused"), "mnist");
    await expect(publishArtifact(from, to)).rejects.toThrow(
      /generator\.onnx sha256 is [0-9a-f]{64} but .*model\.json says [0-9a-f]{64}: model and manifest do not belong together/,
    );
    expect(existsSync(to)).toBe(false);
  });
});
