/**
 * Public surface of @edgegan/model: builders, losses, training step, ONNX export and parity.
 *
 * The wasm training kernels (`@edgegan/model/wasm-backend`, `./kernels/*`) are deliberately not
 * re-exported: importing them registers kernels, which only the trainer should choose to do.
 * The modules package.json lists in `exports` are also importable alone (`@edgegan/model/export-onnx` pulls in no TF.js runtime
 * code; `@edgegan/model/onnx-generator`, Node's one ONNX runner, is the only module that loads
 * onnxruntime-web, and `@edgegan/model/read-model-folder` reads a served model folder in Node).
 */
export { assertArchitecture } from "./architecture.ts";
export type { GanBatch } from "./batch.ts";
export { buildDiscriminator } from "./discriminator.ts";
export { exportGeneratorToOnnx, SUPPORTED_LAYERS } from "./export-onnx.ts";
export { buildGenerator, dcganGeneratorMacs } from "./generator.ts";
export { BN_EPSILON, BN_MOMENTUM, LEAKY_ALPHA } from "./init.ts";
export {
  type AdversarialLosses,
  adversarialLosses,
  type DiscriminatorLossOptions,
  discriminatorLoss,
  distillationLoss,
  generatorLoss,
  hingeDiscriminatorLoss,
  hingeGeneratorLoss,
  sigmoidCrossEntropyWithLogits,
} from "./losses.ts";
export { generatePlan, type OnnxGenerator, openOnnxGenerator } from "./onnx-generator.ts";
export {
  decodeOnnx,
  encodeOnnx,
  inspectOnnx,
  type OnnxIo,
  type OnnxSummary,
} from "./onnx-inspect.ts";
export { checkOnnxParity, type ParityOptions, type ParityResult } from "./onnx-parity.ts";
export { type ModelFolder, readModelFolder } from "./read-model-folder.ts";
export {
  createGan,
  type Gan,
  type StepLosses,
  trainStep,
  withFrozenBatchNormStats,
} from "./train-step.ts";
