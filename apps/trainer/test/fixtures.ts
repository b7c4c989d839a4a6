/**
 * Test support for the trainer's tests: the wasm backend, a temp folder, a private copy of the
 * shipped model, and a tiny classifier (a few hundred images, one epoch) cached in a temp root.
 */
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MANIFEST_FILE, ONNX_FILE } from "@edgegan/shared";
import { selectBackend } from "../src/backend.ts";
import { EDGE_MODEL_DIR } from "../src/commands/edge-models.ts";
import {
  type ClassifierBuildOptions,
  type EvalClassifier,
  loadOrTrainClassifier,
} from "../src/eval/classifier-cache.ts";

/** Options of a classifier that trains in about a second (not a usable judge: plumbing only). */
export const TINY_CLASSIFIER: ClassifierBuildOptions = {
  trainLimit: 300,
  testLimit: 200,
  floorCount: 120,
  epochs: 1,
  batchSize: 50,
};

export async function useWasm(): Promise<void> {
  await selectBackend("wasm");
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `edgegan-${prefix}-`));
}

/** A private copy of the shipped model folder (model.json + generator.onnx). */
export function copyShippedModel(): string {
  const dir = tempDir("model");
  for (const file of [MANIFEST_FILE, ONNX_FILE])
    cpSync(join(EDGE_MODEL_DIR, file), join(dir, file));
  return dir;
}

/** The tiny MNIST classifier, cached under a temp root. */
export function tinyClassifier(cacheRoot = tempDir("cache")): Promise<EvalClassifier> {
  return loadOrTrainClassifier("mnist", { ...TINY_CLASSIFIER, cacheRoot });
}
