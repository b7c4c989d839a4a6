/** The model folder's check before onnxruntime: manifest validity, presence, byte length, sha256. */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MANIFEST_FILE, ONNX_FILE, sha256Hex, verifyModel } from "./model-folder.ts";

// the served default model, as the worker bundles it
const shipped = new URL("../../../apps/edge-api/models/mnist/", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL(MANIFEST_FILE, shipped), "utf8"));
const onnx = new Uint8Array(readFileSync(new URL(ONNX_FILE, shipped)));

describe("sha256Hex", () => {
  it("agrees with node:crypto (known digest of the empty input too)", async () => {
    expect(await sha256Hex(new Uint8Array())).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    expect(await sha256Hex(onnx)).toBe(createHash("sha256").update(onnx).digest("hex"));
  });
});

describe("verifyModel", () => {
  it("accepts the shipped folder: manifest valid, byte length and sha256 match", async () => {
    const model = await verifyModel({ manifest, onnx });
    expect(model.manifest.version).toBe(manifest.version);
    expect(model.manifest.onnx.file).toBe(ONNX_FILE);
    expect(model.bytes.byteLength).toBe(manifest.onnx.bytes);
    // an ArrayBuffer (as workerd's Data rule gives it) is accepted as well
    const buffer = onnx.buffer.slice(onnx.byteOffset, onnx.byteOffset + onnx.byteLength);
    const fromBuffer = (await verifyModel({ manifest, onnx: buffer })).bytes;
    expect(Buffer.compare(fromBuffer, onnx)).toBe(0); // (toEqual walks 1.5 MB item by item)
  });

  it("rejects a missing manifest and missing bytes, with the caller's hint", async () => {
    await expect(verifyModel({ manifest: undefined, onnx })).rejects.toThrow(
      /^model\.json is missing$/,
    );
    await expect(
      verifyModel({ manifest, onnx: null }, { where: "runs/a/", whenMissing: "publish it" }),
    ).rejects.toThrow(/^runs\/a\/generator\.onnx is missing or empty: publish it$/);
    await expect(verifyModel({ manifest, onnx: new Uint8Array() })).rejects.toThrow(
      /generator\.onnx is missing or empty/,
    );
  });

  it("rejects bytes whose length or sha256 differ from the manifest, naming both files", async () => {
    await expect(verifyModel({ manifest, onnx: new Uint8Array(10) })).rejects.toThrow(
      /has 10 bytes but model\.json says \d+: model and manifest do not belong together/,
    );
    const flipped = onnx.slice();
    flipped[100] = (flipped[100] as number) ^ 0xff;
    await expect(verifyModel({ manifest, onnx: flipped }, { where: "m/" })).rejects.toThrow(
      /^m\/generator\.onnx sha256 is [0-9a-f]{64} but m\/model\.json says [0-9a-f]{64}: model and manifest/,
    );
  });

  it("checks only the manifest when asked, names an invalid field, keeps the ONNX file in the folder", async () => {
    expect((await verifyModel({ manifest, onnx: null }, { checkBytes: false })).bytes).toEqual(
      new Uint8Array(),
    );
    await expect(
      verifyModel({ manifest: { ...manifest, onnx: { ...manifest.onnx, sha256: "xyz" } }, onnx }),
    ).rejects.toThrow(/onnx\.sha256/);
    for (const file of ["../generator.onnx", "sub/generator.onnx", "a\\b.onnx", ".."]) {
      await expect(
        verifyModel(
          { manifest: { ...manifest, onnx: { ...manifest.onnx, file } }, onnx },
          {
            where: "m/",
          },
        ),
      ).rejects.toThrow(/^m\/model\.json is not a valid manifest: onnx\.file: must be a file name/);
    }
  });
});
