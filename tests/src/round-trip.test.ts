/**
 * The whole path, end to end: train a few DCGAN steps on a slice of MNIST (wasm backend),
 * export and verify the ONNX generator, then serve that very file from the real worker in
 * workerd (wrangler's startWorker) and check that what it serves is what the model computes.
 */

import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ONNX_IO, PIXELS_PER_IMAGE, toPixels } from "@edgegan/shared";
import { base64ToBytes } from "@edgegan/shared/base64";
import { decodeGrayscalePng } from "@edgegan/shared/png-decode";
import { buildGeneratorInputs, planSample } from "@edgegan/shared/sample-plan";
import { DEFAULT_TRAIN_CONFIG } from "@edgegan/shared/train-config";
import { train } from "@edgegan/trainer";
import * as ort from "onnxruntime-web/wasm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unstable_startWorker } from "wrangler";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
// inside the repo so the worker's imports of @edgegan/* resolve; git-ignored
const workDir = join(repoRoot, "tests", `.round-trip-${process.pid}`);
const runDir = join(workDir, "run");
const workerDir = join(workDir, "worker");

type Worker = Awaited<ReturnType<typeof unstable_startWorker>>;
let worker: Worker | undefined;
let manifest: { version: string; onnx: { sha256: string } };

/** The worker entry: the real app factory and model registry, fed with the freshly trained files. */
const WORKER_ENTRY = `
import modelBytes from "./generator.onnx";
import manifest from "./model.json";
import { createApp } from "@edgegan/edge-api/app";
import { createModelRegistry } from "@edgegan/edge-api/model-registry";
const models = createModelRegistry({ mnist: () => ({ manifest, onnx: modelBytes }) }, "mnist");
export default createApp({ models });
`;

beforeAll(async () => {
  mkdirSync(workerDir, { recursive: true });
  const quiet = { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream;
  const result = await train(
    {
      ...DEFAULT_TRAIN_CONFIG,
      arch: "dcgan",
      backend: "wasm",
      limitImages: 256,
      batchSize: 32,
      maxSteps: 3,
      metricsEvery: 1,
      checkpointMinutes: 0,
      out: runDir,
    },
    { log: () => {}, progressStream: quiet },
  );
  expect(result.status).toBe("completed");
  manifest = JSON.parse(readFileSync(join(runDir, "model.json"), "utf8"));

  cpSync(join(runDir, "generator.onnx"), join(workerDir, "generator.onnx"));
  cpSync(join(runDir, "model.json"), join(workerDir, "model.json"));
  writeFileSync(join(workerDir, "worker.ts"), WORKER_ENTRY);
  writeFileSync(
    join(workerDir, "wrangler.jsonc"),
    JSON.stringify({
      name: "edgegan-round-trip",
      main: "worker.ts",
      compatibility_date: "2026-04-01",
      compatibility_flags: ["nodejs_compat"],
      rules: [{ type: "Data", globs: ["**/*.onnx"], fallthrough: true }],
      vars: { MAX_COUNT: "64", CORS_ORIGINS: "*" },
    }),
  );
  worker = await unstable_startWorker({
    config: join(workerDir, "wrangler.jsonc"),
    dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, logLevel: "error" },
  });
  await worker.ready;
});

afterAll(async () => {
  await worker?.dispose();
  rmSync(workDir, { recursive: true, force: true });
});

async function get(path: string): Promise<Response> {
  if (!worker) throw new Error("worker did not start");
  return (await worker.fetch(`http://127.0.0.1${path}`)) as unknown as Response;
}

describe("train -> export -> serve", () => {
  it("the trainer wrote a verified artifact whose sha256 matches its bytes", () => {
    const bytes = readFileSync(join(runDir, "generator.onnx"));
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(manifest.onnx.sha256);
    const full = JSON.parse(readFileSync(join(runDir, "model.json"), "utf8"));
    expect(full.parity.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    expect(full.training.steps).toBe(3);
  });

  it("the worker loads it and describes it", async () => {
    expect((await get("/healthz")).status).toBe(200);
    const card = (await (await get("/model")).json()) as {
      manifest?: { version: string };
      version?: string;
    };
    expect(JSON.stringify(card)).toContain(manifest.version);
  });

  it("serves exactly the images the exported model computes for the request's seeds", async () => {
    const response = await get("/sample?count=6&seed=1234&format=json");
    expect(response.status).toBe(200);
    const doc = (await response.json()) as {
      seed: number;
      images: Array<{ label: number; seed: number; png: string }>;
    };
    expect(doc.seed).toBe(1234);

    const plan = planSample({ count: 6, label: null, seed: 1234 });
    expect(doc.images.map((i) => [i.label, i.seed])).toEqual(plan.map((p) => [p.label, p.seed]));

    // the same inputs through onnxruntime-web in Node
    ort.env.wasm.numThreads = 1;
    const session = await ort.InferenceSession.create(readFileSync(join(runDir, "generator.onnx")));
    const { z, label } = buildGeneratorInputs(plan);
    const out = await session.run({
      [ONNX_IO.latentInput]: new ort.Tensor("float32", z, [6, z.length / 6]),
      [ONNX_IO.labelInput]: new ort.Tensor("float32", label, [6, label.length / 6]),
    });
    const expected = toPixels(out[ONNX_IO.imageOutput]?.data as Float32Array);
    await session.release();

    doc.images.forEach((image, i) => {
      const { width, height, pixels } = decodeGrayscalePng(
        base64ToBytes(image.png.replace(/^data:image\/png;base64,/, "")),
      );
      expect([width, height]).toEqual([28, 28]);
      const want = expected.subarray(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE);
      let maxDiff = 0;
      for (let p = 0; p < PIXELS_PER_IMAGE; p++)
        maxDiff = Math.max(maxDiff, Math.abs((pixels[p] as number) - (want[p] as number)));
      expect(maxDiff, `image ${i}`).toBeLessThanOrEqual(1);
    });
  });
});
