/** Model verification before onnxruntime: manifest validity, presence, byte length, sha256. */
import { describe, expect, it } from "vitest";
import fixtureBytes from "../test/fixtures/generator.onnx";
import fixtureManifest from "../test/fixtures/model.json";
import { sha256Hex, verifyModel } from "./model-source.ts";

describe("verifyModel", () => {
  it("accepts the fixture: manifest valid, byte length and sha256 match", async () => {
    const model = await verifyModel({ manifest: fixtureManifest, onnx: fixtureBytes });
    expect(model.manifest.version).toBe(fixtureManifest.version);
    expect(model.bytes.byteLength).toBe(fixtureManifest.onnx.bytes);
    expect(await sha256Hex(model.bytes)).toBe(fixtureManifest.onnx.sha256);
  });

  it("rejects a missing manifest and missing bytes, saying where to publish", async () => {
    await expect(verifyModel({ manifest: undefined, onnx: fixtureBytes })).rejects.toThrow(
      /model\.json is missing/,
    );
    await expect(verifyModel({ manifest: fixtureManifest, onnx: null })).rejects.toThrow(
      /generator\.onnx is missing or empty/,
    );
  });

  it("rejects bytes whose length or sha256 differ from the manifest", async () => {
    await expect(
      verifyModel({ manifest: fixtureManifest, onnx: new Uint8Array(10) }),
    ).rejects.toThrow(/has 10 bytes but model\.json says \d+/);
    const flipped = new Uint8Array(fixtureBytes.slice(0));
    flipped[100] = (flipped[100] as number) ^ 0xff;
    await expect(verifyModel({ manifest: fixtureManifest, onnx: flipped })).rejects.toThrow(
      /sha256 is [0-9a-f]{64} but model\.json says [0-9a-f]{64}/,
    );
  });

  it("rejects an invalid manifest naming the field", async () => {
    await expect(
      verifyModel({
        manifest: { ...fixtureManifest, onnx: { ...fixtureManifest.onnx, sha256: "xyz" } },
        onnx: fixtureBytes,
      }),
    ).rejects.toThrow(/onnx\.sha256/);
  });
});
