/**
 * setLatentTemperature on exported graphs: the re-tempered graph gives for z exactly what the
 * original gives for T z, at any T and as often as it is set; 1 takes the node out again.
 */
import { LATENT_SIZE, oneHot } from "@edgegan/shared";
import { createRng } from "@edgegan/shared/rng";
import { beforeAll, describe, expect, it } from "vitest";
import { useCpuBackend } from "../test/cpu-backend.ts";
import { exportGeneratorToOnnx } from "./export-onnx.ts";
import { buildGenerator } from "./generator.ts";
import { LATENT_TEMPERATURE, setLatentTemperature } from "./latent-temperature.ts";
import { toFloat16Weights } from "./onnx-float16.ts";
import { generateOnce } from "./onnx-generator.ts";
import { decodeOnnx, encodeOnnx, inspectOnnx } from "./onnx-inspect.ts";

beforeAll(() => useCpuBackend());

const N = 6;
const z = createRng(9).fillNormal(new Float32Array(N * LATENT_SIZE));
const labels = oneHot([0, 1, 4, 5, 8, 9]);

/** The graph's images for `latent` and the fixed labels. */
async function imagesOf(bytes: Uint8Array, latent: Float32Array = z): Promise<number[]> {
  return Array.from(await generateOnce(bytes, latent, labels, N));
}

/** z times T, rounded to float32 as the graph's Mul rounds it. */
const scaled = (t: number) => z.map((v) => v * Math.fround(t));

describe("setLatentTemperature", () => {
  const g = buildGenerator("dcgan", 16);
  const plain = exportGeneratorToOnnx(g, "dcgan");

  it("adds Mul(z, T) in front: the graph gives for z what the original gives for T z, as the exporter's does", async () => {
    const cooled = setLatentTemperature(plain, 0.5);
    const s = inspectOnnx(cooled);
    expect(s.nodes[0]).toMatchObject({ opType: "Mul", name: LATENT_TEMPERATURE.node });
    expect(s.nodes.filter((n) => n.inputs.includes("z"))).toHaveLength(1);
    expect(s.metadata[LATENT_TEMPERATURE.metadataKey]).toBe("0.5");
    const images = await imagesOf(cooled);
    expect(images).toEqual(await imagesOf(plain, scaled(0.5)));
    const exported = exportGeneratorToOnnx(g, "dcgan", { latentTemperature: 0.5 });
    expect(images).toEqual(await imagesOf(exported));
    expect(images).not.toEqual(await imagesOf(plain));
  });

  it("changes a temperature in place (absolute, one node), and 1 gives back the original graph", async () => {
    const cooled = setLatentTemperature(plain, 0.5);
    const warmer = setLatentTemperature(cooled, 0.8);
    expect(inspectOnnx(warmer).nodes.filter((n) => n.opType === "Mul")).toHaveLength(1);
    expect(inspectOnnx(warmer).metadata[LATENT_TEMPERATURE.metadataKey]).toBe("0.8");
    expect(await imagesOf(warmer)).toEqual(await imagesOf(plain, scaled(0.8)));
    const back = setLatentTemperature(warmer, 1);
    expect(inspectOnnx(back).nodes.map((n) => n.opType)).not.toContain("Mul");
    expect(back).toEqual(plain);
  });

  it("works on a float16 file and keeps the temperature float32", async () => {
    const half = toFloat16Weights(plain);
    const cooled = setLatentTemperature(half, 0.9);
    expect(inspectOnnx(cooled).initializers).toContainEqual({
      name: LATENT_TEMPERATURE.initializer,
      dims: [],
    });
    expect(await imagesOf(cooled)).toEqual(await imagesOf(half, scaled(0.9)));
  });

  it("refuses a temperature that is not > 0 and a graph without z", () => {
    for (const t of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => setLatentTemperature(plain, t)).toThrow(/finite number > 0, got/);
    }
    const other = decodeOnnx(plain);
    for (const input of other.graph?.input ?? []) if (input.name === "z") input.name = "noise";
    expect(() => setLatentTemperature(encodeOnnx(other), 0.5)).toThrow(/has no input "z"/);
  });
});
