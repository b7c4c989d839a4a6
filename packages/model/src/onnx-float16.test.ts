import { describe, expect, it } from "vitest";
import { useCpuBackend } from "../test/cpu-backend.ts";
import { exportGeneratorToOnnx } from "./export-onnx.ts";
import { buildGenerator } from "./generator.ts";
import { float16Bits, toFloat16Weights } from "./onnx-float16.ts";
import { inspectOnnx } from "./onnx-inspect.ts";
import { checkOnnxParity } from "./onnx-parity.ts";

describe("float16Bits", () => {
  it.each([
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff], // largest half
    [65520, 0x7c00], // rounds up to infinity
    [2 ** -24, 0x0001], // smallest subnormal half
    [2 ** -26, 0x0000], // below half of it: zero
    [1 + 2 ** -11, 0x3c00], // a tie rounds to even (down)
    [1 + 3 * 2 ** -11, 0x3c02], // a tie rounds to even (up)
    [Number.POSITIVE_INFINITY, 0x7c00],
  ])("%s -> half bits %i", (value, bits) => {
    expect(float16Bits(value)).toBe(bits);
  });

  it("keeps NaN a NaN", () => {
    const bits = float16Bits(Number.NaN);
    expect(bits & 0x7c00).toBe(0x7c00);
    expect(bits & 0x3ff).not.toBe(0);
  });
});

describe("toFloat16Weights", () => {
  it("halves the file, keeps the I/O contract, and stays within 2e-3 of TF.js", async () => {
    useCpuBackend();
    const g = buildGenerator("dcgan", 32);
    const float32 = exportGeneratorToOnnx(g, "dcgan");
    const float16 = toFloat16Weights(float32);
    expect(float16.length).toBeLessThan(0.55 * float32.length);
    const before = inspectOnnx(float32);
    const after = inspectOnnx(float16);
    expect(after.inputs).toEqual(before.inputs);
    expect(after.outputs).toEqual(before.outputs);
    const casts = after.nodes.filter((n) => n.opType === "Cast");
    expect(casts.length).toBe(before.initializers.length - 1); // all but Reshape's int64 shape
    const { maxAbsDiff } = await checkOnnxParity(g, float16, { samples: 16, seed: 3 });
    expect(maxAbsDiff).toBeGreaterThan(0); // the weights did change ...
    expect(maxAbsDiff).toBeLessThanOrEqual(2e-3); // ... within the float16 tolerance
  });
});
