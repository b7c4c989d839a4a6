/**
 * The teacher of a distillation run: a served model folder (generator.onnx + model.json), run
 * with onnxruntime-web exactly as the edge runs it, so the student learns the very images that
 * seeded URLs show today.
 */

import { basename, resolve } from "node:path";
import { type OnnxGenerator, openOnnxGenerator } from "@edgegan/model/onnx-generator";
import { type ModelFolder, readModelFolder } from "@edgegan/model/read-model-folder";
import { LATENT_SIZE, type ModelManifest, NUM_CLASSES, type TeacherRef } from "@edgegan/shared";
import { datasetCardName } from "./dataset.ts";

/** An open teacher. Call `release` when done. */
export interface Teacher {
  /** The teacher's manifest version (recorded in the student's report). */
  version: string;
  /** Who it is, as the student's model card records it: name (its folder's), version, sha256. */
  ref: TeacherRef;
  /**
   * The teacher's images for a batch's (z, one-hot label), as a batch's `teacherImages`.
   * @param z [M, 100], labels [M, 10] one-hot
   * @returns [M, 28, 28, 1] in [-1, 1] (NCHW and NHWC coincide for one channel)
   */
  imagesFor(z: Float32Array, labels: Float32Array): Promise<Float32Array>;
  release(): Promise<void>;
}

/** How a student's card and checkpoint name the model folder `dir`: its folder's name, version, sha256. */
export function teacherRefOf(dir: string, manifest: ModelManifest): TeacherRef {
  return { name: basename(resolve(dir)), version: manifest.version, sha256: manifest.onnx.sha256 };
}

/**
 * Open the model folder `dir` as a teacher for a student trained on `dataset`.
 * @throws Error when the folder is not a verified model, or was trained on another dataset.
 */
export async function openTeacher(dir: string, dataset: string): Promise<Teacher> {
  let folder: ModelFolder;
  try {
    folder = await readModelFolder(dir);
  } catch (error) {
    throw new Error(`--teacher ${dir}: ${(error as Error).message}`);
  }
  const { manifest } = folder;
  if (manifest.dataset.name !== datasetCardName(dataset)) {
    throw new Error(
      `--teacher ${dir} was trained on ${manifest.dataset.name}, but this run trains on ${datasetCardName(dataset)}`,
    );
  }
  const generator: OnnxGenerator = await openOnnxGenerator(folder.onnx);
  return {
    version: manifest.version,
    ref: teacherRefOf(dir, manifest),
    async imagesFor(z, labels) {
      const n = z.length / LATENT_SIZE;
      if (!Number.isInteger(n) || labels.length !== n * NUM_CLASSES) {
        throw new Error(
          `teacher inputs must be z [M, ${LATENT_SIZE}] and labels [M, ${NUM_CLASSES}], got ${z.length} and ${labels.length} values`,
        );
      }
      return generator.run(z, labels, n);
    },
    release: () => generator.release(),
  };
}
