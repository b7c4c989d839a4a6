#!/usr/bin/env -S npx tsx
/**
 * The folder loader end to end: a model trained on an image folder (`--dataset folder:DIR`) and one
 * trained on the same data's IDX files, judged in one run by the same classifier (the folder's,
 * trained on its training split), the same samples and the same floor.
 *
 * The folder's labels are its sorted class names, the IDX files' labels their own order, so the
 * IDX model's asked labels are mapped to the folder's by class name before its label accuracy is
 * counted (the Frechet distance does not depend on labels). Folder names are the IDX class names
 * with "/" replaced (write-image-folder.ts).
 *
 * Run: `npx tsx experiments/folder-vs-idx.ts --folder DIR --folder-model RUN --idx-model RUN`
 */
import { parseArgs } from "node:util";
import { labelMetrics } from "@edgegan/eval/label-metrics";
import { readModelFolder } from "@edgegan/model/read-model-folder";
import {
  classNamesFor,
  evaluateGeneratorWithSamples,
  folderNameOf,
  selectBackend,
} from "@edgegan/trainer";

const { values } = parseArgs({
  options: {
    folder: { type: "string" },
    "folder-model": { type: "string" },
    "idx-model": { type: "string" },
    "per-class": { type: "string", default: "1000" },
  },
});
if (!values.folder || !values["folder-model"] || !values["idx-model"]) {
  throw new Error("usage: --folder DIR --folder-model RUN --idx-model RUN [--per-class N]");
}
await selectBackend("wasm");
const dataset = `folder:${values.folder}`;
const folderClasses = classNamesFor(dataset);
const rows: string[] = [];
for (const [what, dir] of [
  ["trained on the PNG folder", values["folder-model"]],
  ["trained on the IDX files", values["idx-model"]],
] as const) {
  const { manifest, onnx } = await readModelFolder(dir);
  const { metrics, samples } = await evaluateGeneratorWithSamples(onnx, {
    dataset,
    classNames: folderClasses,
    samplesPerClass: Number(values["per-class"]),
    log: (line) => console.log(line),
  });
  // asked label (the model's own class index) -> the folder's index of that class
  const toFolder = manifest.dataset.classNames.map((name) =>
    folderClasses.indexOf(folderNameOf(name)),
  );
  if (toFolder.some((i) => i < 0)) throw new Error(`${dir}: classes not in ${dataset}`);
  const asked = samples.labels.map((label) => toFolder[label] as number);
  const reading = labelMetrics(asked, samples.predictions);
  rows.push(
    `| ${what} | ${manifest.training.steps} | ${Math.round(manifest.training.wallTimeSeconds / 60)} min | ` +
      `${metrics.frechetDistance.toFixed(3)} | ${metrics.floor.frechetDistance.toFixed(3)} | ` +
      `${(100 * reading.labelAccuracy).toFixed(2)}% | ${reading.coverage.toFixed(3)} |`,
  );
}
console.log(
  [
    "| model | steps | wall | Frechet distance | floor | label accuracy | coverage |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n"),
);
