/**
 * Public surface of @edgegan/trainer for code outside it (the experiments, the cross-package
 * tests): the training driver, evaluation and synthetic data as functions, and the few helpers a
 * script around them needs. Everything else in src/ is the trainer's own; `@edgegan/trainer/edgegan`
 * is the command line (the bin's entry).
 */
export { writeFileAtomic } from "./atomic-write.ts";
export { selectBackend } from "./backend.ts";
export { recalibrateBatchNorm } from "./batch-norm-recalibration.ts";
export { loadCheckpoint } from "./checkpoint.ts";
export { EDGE_MODEL_DIR, EDGE_MODELS_DIR } from "./commands/edge-models.ts";
export { classNamesFor, loadDataset } from "./dataset.ts";
export {
  evaluateGenerator,
  evaluateGeneratorWithSamples,
  evaluateImages,
} from "./eval/evaluate.ts";
export { folderNameOf } from "./image-folder/write-image-folder.ts";
export { fromInvocationDir } from "./invocation-dir.ts";
export { synthesize, writeSyntheticSet } from "./synthesize.ts";
export { type TrainOptions, type TrainResult, train } from "./train.ts";
