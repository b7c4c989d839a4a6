/**
 * The training settings as a model card (model.json `training`) records them: the GAN's and the
 * run's, never the command's (--out, --resume, --publish, --preset, --config say how one
 * invocation ran, not what the model is). The card is served to anyone by `GET /model`, so it
 * never holds a path of the training machine: a dataset folder and the TensorBoard log folder are
 * recorded by their last name, the teacher by name, version and sha256 (`training.teacher`), and
 * the manifest schema refuses any absolute path that slips through.
 */
import { basename, resolve } from "node:path";
import type { TeacherRef } from "@edgegan/shared/manifest";
import { recordedSettings, type TrainConfig } from "@edgegan/shared/train-config";
import { datasetCardName } from "./dataset.ts";

/** `config` without the command's fields, its paths replaced by names, and the teacher's identity. */
export function cardTraining(
  config: TrainConfig,
  teacher: TeacherRef | null,
): { config: Record<string, unknown>; teacher: TeacherRef | null } {
  return {
    config: {
      ...recordedSettings(config),
      dataset: datasetCardName(config.dataset),
      teacher: teacher?.name ?? null,
      logdir: config.logdir === null ? null : basename(resolve(config.logdir)),
    },
    teacher,
  };
}
