/**
 * Model failure: missing, corrupt, mismatched or unloadable models give 503 JSON with the reason
 * on /sample and /healthz (which keeps answering), never a crash; failures are remembered;
 * concurrent first requests share one creation.
 */

import type { RawModel } from "@edgegan/shared";
import { describe, expect, it } from "vitest";
import wrongIoBytes from "./fixtures/wrong-io.onnx";
import {
  appWithModel,
  call,
  expectFailedModelContained,
  expectModelUnavailable,
  fixtureBytes,
  fixtureManifest,
  withFixtureManifest,
} from "./helpers.ts";

const CASES: [string, () => RawModel | Promise<RawModel>, RegExp][] = [
  [
    "missing generator.onnx",
    () => ({ manifest: fixtureManifest, onnx: undefined }),
    /generator\.onnx is missing/,
  ],
  [
    "missing model.json",
    () => ({ manifest: undefined, onnx: fixtureBytes }),
    /model\.json is missing/,
  ],
  [
    "sha256 mismatch",
    () => {
      const bytes = new Uint8Array(fixtureBytes.slice(0));
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
      return { manifest: fixtureManifest, onnx: bytes };
    },
    /sha256 is [0-9a-f]{64} but model\.json says/,
  ],
  [
    "corrupt bytes",
    () => withFixtureManifest(new TextEncoder().encode("this is not an ONNX model ".repeat(40))),
    /could not be loaded by onnxruntime-web/,
  ],
  [
    "a valid ONNX model with the wrong tensor names",
    () => withFixtureManifest(new Uint8Array(wrongIoBytes)),
    /has inputs \[noise,label\] and outputs \[pixels\]; expected inputs \[z, label\] and output image/,
  ],
  [
    "a source that throws",
    () => {
      throw new Error("bundle has no model");
    },
    /bundle has no model/,
  ],
];

describe("model failure", () => {
  it.each(CASES)(
    "%s -> 503 with the reason on /sample and /healthz",
    async (_name, load, reason) => {
      await expectFailedModelContained(appWithModel(load), reason);
    },
  );

  it("/model still shows the card when only the onnx bytes are bad, and 503 when model.json is", async () => {
    const badBytes = appWithModel(() => ({ manifest: fixtureManifest, onnx: new Uint8Array(3) }));
    expect((await call(badBytes, "/model")).status).toBe(200);
    const badManifest = appWithModel(() => ({ manifest: { version: "x" }, onnx: fixtureBytes }));
    await expectModelUnavailable(
      await call(badManifest, "/model"),
      /model\.json is not a valid manifest/,
    );
  });

  it("remembers a failure instead of reloading on every request", async () => {
    let loads = 0;
    const app = appWithModel(() => {
      loads++;
      return { manifest: fixtureManifest, onnx: null };
    });
    for (let i = 0; i < 3; i++)
      await expectModelUnavailable(await call(app, "/healthz"), /missing/);
    expect(loads).toBe(1);
  });
});

describe("session creation", () => {
  it("is shared by concurrent first requests", async () => {
    let loads = 0;
    const app = appWithModel(() => {
      loads++;
      return { manifest: fixtureManifest, onnx: fixtureBytes };
    });
    const responses = await Promise.all([
      call(app, "/healthz"),
      call(app, "/sample?count=2&seed=1"),
      call(app, "/sample?count=3&seed=2&format=png"),
      call(app, "/healthz"),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(loads).toBe(1);
  });
});
