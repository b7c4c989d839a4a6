/**
 * Writes the edge worker's test fixture: an UNTRAINED generator as ONNX plus a valid manifest,
 * into test/fixtures/ (and, with --ship, also into models/mnist/ so `npm start` serves something).
 *
 * The generator is packages/model's conditional DCGAN, freshly initialised (N(0, 0.02) kernels,
 * so its images are near-uniform grey), exported by packages/model's ONNX exporter: the same
 * graph shape and operators as the trained model, so tests exercise the real serving path.
 *
 * Run: `npm run make-fixture [-- --ship]` from apps/edge-api (tsx, TF.js cpu backend).
 */

import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { exportGeneratorToOnnx } from "@edgegan/model/export-onnx";
import { buildGenerator } from "@edgegan/model/generator";
import { initCpuTrainingBackend } from "@edgegan/model/kernels/cpu-conv2d-backprop-filter";
import { OnnxGraphBuilder } from "@edgegan/model/onnx-graph";
import { checkOnnxParity } from "@edgegan/model/onnx-parity";
import {
  DATASET_CLASS_NAMES,
  LATENT_SIZE,
  MANIFEST_FILE,
  MANIFEST_FORMAT_VERSION,
  type ModelManifest,
  manifestContract,
  NUM_CLASSES,
  ONNX_FILE,
  ONNX_IO,
  ONNX_OPSET,
  parseManifest,
  sha256Hex,
} from "@edgegan/shared";

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURE_DIR = join(here, "..", "test", "fixtures");
const SHIP_DIR = join(here, "..", "models", "mnist");

/** Write bytes to a temp file, then rename over the target (never a half-written file). */
function writeAtomic(path: string, data: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Generator width of the fixture: the smallest the builder accepts, so the file stays small. */
const FIXTURE_WIDTH = 8;

async function manifestFor(
  bytes: Uint8Array,
  parity: ModelManifest["parity"],
): Promise<ModelManifest> {
  return parseManifest({
    formatVersion: MANIFEST_FORMAT_VERSION,
    version: "fixture-untrained-dcgan-w8",
    createdAt: "2026-11-29T00:00:00.000Z",
    onnx: {
      file: ONNX_FILE,
      sha256: await sha256Hex(bytes),
      bytes: bytes.byteLength,
      opset: ONNX_OPSET,
    },
    arch: "dcgan",
    generatorWidth: FIXTURE_WIDTH,
    dataset: { name: "mnist", classNames: [...DATASET_CLASS_NAMES.mnist] },
    contract: manifestContract(),
    training: {
      config: { note: "untrained fixture for edge-api tests" },
      backend: "none",
      steps: 0,
      epochs: 0,
      wallTimeSeconds: 0,
      finalLosses: null,
      emaDecay: null,
    },
    parity,
  });
}

/**
 * A valid ONNX model with the wrong tensor names (inputs noise/label, output pixels), for the
 * test that the worker refuses a model that does not follow the contract.
 */
function wrongIoModel(): Uint8Array {
  const g = new OnnxGraphBuilder();
  const noise = g.addInput("noise", [ONNX_IO.batchDim, LATENT_SIZE]);
  g.addInput(ONNX_IO.labelInput, [ONNX_IO.batchDim, NUM_CLASSES]);
  const out = g.addNode("Identity", "copy", [noise]);
  g.renameTensor(out, "pixels");
  g.addOutput("pixels", [ONNX_IO.batchDim, LATENT_SIZE]);
  return g.encode("wrong_io", ONNX_OPSET, {}, "edge-api test fixture: wrong I/O names");
}

async function main(): Promise<void> {
  writeAtomic(join(FIXTURE_DIR, "wrong-io.onnx"), wrongIoModel());
  await initCpuTrainingBackend();
  // the DCGAN graph at a tiny width: the same layers, ops and I/O as a served model, ~180 KB
  const generator = buildGenerator("dcgan", FIXTURE_WIDTH);
  const bytes = exportGeneratorToOnnx(generator, "dcgan");
  const parity = await checkOnnxParity(generator, bytes, { samples: 16 });
  const manifest = await manifestFor(bytes, parity);
  const json = `${JSON.stringify(manifest, null, 2)}\n`;
  const dirs = process.argv.includes("--ship") ? [FIXTURE_DIR, SHIP_DIR] : [FIXTURE_DIR];
  for (const dir of dirs) {
    writeAtomic(join(dir, ONNX_FILE), bytes);
    writeAtomic(join(dir, MANIFEST_FILE), json);
    console.log(
      `wrote ${join(dir, ONNX_FILE)} (${bytes.byteLength} bytes, sha256 ${manifest.onnx.sha256})`,
    );
  }
}

await main();
