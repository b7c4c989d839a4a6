/**
 * A local-only timing build (never deployed; the latency bench builds and runs it in bare
 * workerd): the phases of a /sample answer, each run many times in a loop inside workerd, so
 * that workerd's millisecond clock gives sub-millisecond means. The phases are the worker's own
 * code: building the inputs (planSample + buildGeneratorInputs), the generator run through
 * src/inference.ts (tensor creation, ORT's run, the output copy), and the PNG sprite sheet.
 *
 *   GET /?model=mnist|mnist-full&count=16&n=100  ->  { inputsMs, runMs, encodeMs } (means)
 */
import { buildGeneratorInputs, planSample } from "@edgegan/shared/sample-plan";
import { parseSampleQuery } from "@edgegan/shared/sample-query";
import mnistOnnx from "../models/mnist/generator.onnx";
import mnistManifest from "../models/mnist/model.json";
import mnistFullOnnx from "../models/mnist-full/generator.onnx";
import mnistFullManifest from "../models/mnist-full/model.json";
import { createGeneratorHolder } from "../src/inference.ts";
import { renderSamplePng } from "../src/sample-render.ts";

const holders = {
  mnist: createGeneratorHolder(() => ({ manifest: mnistManifest, onnx: mnistOnnx })),
  "mnist-full": createGeneratorHolder(() => ({ manifest: mnistFullManifest, onnx: mnistFullOnnx })),
};
/** The default drawing options, as the parser gives them for a plain `format=png` request. */
const parsed = parseSampleQuery(new URLSearchParams("count=16&seed=1&format=png"), {
  maxCount: 64,
});
if (!parsed.ok) throw new Error(parsed.error.message);
const STYLE = parsed.value;

/** Mean ms of `n` calls of `phase` (after 5 unmeasured ones). */
async function meanMs(n: number, phase: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < 5; i++) await phase(i);
  const started = Date.now();
  for (let i = 0; i < n; i++) await phase(i);
  return Math.round(((Date.now() - started) / n) * 1000) / 1000;
}

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const name = url.searchParams.get("model") ?? "mnist";
    const count = Number(url.searchParams.get("count") ?? "16");
    const n = Number(url.searchParams.get("n") ?? "100");
    const holder = holders[name as keyof typeof holders];
    if (!holder) return new Response(`unknown model ${name}`, { status: 404 });
    const generator = await holder.get();
    const inputsAt = (i: number) =>
      buildGeneratorInputs(planSample({ count, label: null, seed: 1000 + i }));
    const fixed = inputsAt(0);
    const output = await generator.run(fixed.z, fixed.label, count);
    return Response.json({
      model: name,
      count,
      n,
      inputsMs: await meanMs(n, inputsAt),
      runMs: await meanMs(n, () => generator.run(fixed.z, fixed.label, count)),
      encodeMs: await meanMs(n, () => renderSamplePng(output, count, STYLE)),
    });
  },
};
