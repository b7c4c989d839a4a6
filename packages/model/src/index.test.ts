import { describe, expect, it } from "vitest";
import * as model from "./index.ts";

describe("@edgegan/model public surface", () => {
  it("exports the builders, losses, step, exporter, parity check, ONNX runner and folder reader, and no kernels", () => {
    for (const name of [
      "buildGenerator",
      "buildDiscriminator",
      "exportGeneratorToOnnx",
      "inspectOnnx",
      "checkOnnxParity",
      "openOnnxGenerator",
      "generatePlan",
      "readModelFolder",
      "discriminatorLoss",
      "generatorLoss",
      "createGan",
      "trainStep",
    ]) {
      expect(typeof (model as Record<string, unknown>)[name], name).toBe("function");
    }
    expect(Object.keys(model).some((k) => /wasm|kernel/i.test(k))).toBe(false);
  });
});
