/** Publishing a model folder: verified before anything is copied, the manifest copied as written. */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readModelFolder } from "@edgegan/model/read-model-folder";
import { EARLIER_VERSIONS_DIR, EVAL_FILE, MANIFEST_FILE, ONNX_FILE } from "@edgegan/shared";
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

  it("keeps the version it replaces under earlier/VERSION/, its evaluation included", async () => {
    const first = copyShippedModel();
    const { manifest } = await readModelFolder(first);
    const second = copyShippedModel();
    const secondVersion = `${manifest.version}-next`;
    writeFileSync(
      join(second, MANIFEST_FILE),
      JSON.stringify({ ...manifest, version: secondVersion }, null, 2),
    );
    const to = join(tempDir("replaced"), "mnist");
    await publishArtifact(first, to);
    writeFileSync(join(to, EVAL_FILE), '{"fd": 1}');

    await publishArtifact(second, to);
    expect((await readModelFolder(to)).manifest.version).toBe(secondVersion);
    expect(existsSync(join(to, EVAL_FILE))).toBe(false);
    const kept = join(to, EARLIER_VERSIONS_DIR, manifest.version);
    expect((await readModelFolder(kept)).manifest.version).toBe(manifest.version);
    expect(readFileSync(join(kept, MANIFEST_FILE))).toEqual(
      readFileSync(join(first, MANIFEST_FILE)),
    );
    expect(readFileSync(join(kept, EVAL_FILE), "utf8")).toBe('{"fd": 1}');

    // publishing the same version again, or the first one back, keeps what is kept
    await publishArtifact(second, to);
    await publishArtifact(first, to);
    expect(readdirSync(join(to, EARLIER_VERSIONS_DIR)).sort()).toEqual(
      [manifest.version, secondVersion].sort(),
    );
    expect((await readModelFolder(to)).manifest.version).toBe(manifest.version);
  });

  it("refuses to replace a served model that does not verify, leaving it as it was", async () => {
    const to = join(tempDir("broken"), "mnist");
    await publishArtifact(copyShippedModel(), to);
    writeFileSync(join(to, ONNX_FILE), "not an onnx file");
    const next = copyShippedModel();
    const { manifest } = await readModelFolder(next);
    writeFileSync(join(next, MANIFEST_FILE), JSON.stringify({ ...manifest, version: "other" }));
    await expect(publishArtifact(next, to)).rejects.toThrow(
      /holds a model that does not verify, so it cannot be kept for pinned URLs/,
    );
    expect(readFileSync(join(to, ONNX_FILE), "utf8")).toBe("not an onnx file");
    expect(
      (JSON.parse(readFileSync(join(to, MANIFEST_FILE), "utf8")) as { version: string }).version,
    ).toBe(manifest.version);
    expect(existsSync(join(to, EARLIER_VERSIONS_DIR))).toBe(false);
  });
});
