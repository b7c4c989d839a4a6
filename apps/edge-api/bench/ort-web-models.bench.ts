/**
 * The bare onnxruntime-web (wasm, one thread, as in Workers) `session.run` of several generator
 * models in one process, interleaved run by run: the figure that decides edge latency, compared
 * where machine noise hits every model alike. Prints p10 / p50 / p99 per model and batch size,
 * and each p50 as a ratio to the first model's.
 *
 *   npx tsx apps/edge-api/bench/ort-web-models.bench.ts --model DIR [--model DIR ...] [--runs 200]
 */
import { parseArgs } from "node:util";
import { readModelFolder } from "@edgegan/model/read-model-folder";
import { sessionFloor } from "./timing.ts";

const { values } = parseArgs({
  options: { model: { type: "string", multiple: true }, runs: { type: "string", default: "200" } },
});
const dirs = values.model ?? [];
if (dirs.length === 0)
  throw new Error("give at least one --model DIR (a model folder: model.json + its ONNX)");
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs must be a positive integer, got ${values.runs}`);

const models = Object.fromEntries(
  await Promise.all(dirs.map(async (dir) => [dir, (await readModelFolder(dir)).onnx] as const)),
);
const web = await import("onnxruntime-web");
web.env.wasm.numThreads = 1;
const result = await sessionFloor(web, models, runs);
const first = result[dirs[0] as string];
console.log(
  "| model | bytes | batch 1 p50 | batch 16 p10 / p50 / p99 | batch 64 p50 | batch 16 p50 ratio |",
);
console.log("|---|---|---|---|---|---|");
for (const dir of dirs) {
  const r = result[dir];
  const b16 = r?.["batch 16"];
  const ratio = b16 && first?.["batch 16"] ? b16.p50 / first["batch 16"].p50 : Number.NaN;
  console.log(
    `| ${dir} | ${models[dir]?.byteLength} | ${r?.["batch 1"]?.p50} ms | ${b16?.p10} / ${b16?.p50} / ${b16?.p99} ms | ${r?.["batch 64"]?.p50} ms | ${ratio.toFixed(2)}x |`,
  );
}
