/**
 * `edgegan eval` (`npm run eval`): evaluate a generator ONNX (default: the shipped model),
 * print the table, write eval.json + eval-samples.png beside the model and merge the metrics
 * into model.json. Exit codes: 0 done, 1 failed, 2 bad flags.
 */
import { join } from "node:path";
import { renderEvalPicture } from "@edgegan/eval/eval-picture";
import {
  type ComparisonRow,
  formatComparisonTable,
  formatMetricsTable,
} from "@edgegan/eval/format-metrics";
import { readModelFolder } from "@edgegan/model/read-model-folder";
import { EVAL_FILE, EVAL_PICTURE_FILE, MANIFEST_FILE } from "@edgegan/shared";
import { writeFileAtomic } from "../atomic-write.ts";
import { backendLine, selectBackend } from "../backend.ts";
import { settleFlags } from "../cli-runner.ts";
import { datasetCardName, datasetFromInvocationDir, isKnownDataset } from "../dataset.ts";
import { EVAL_USAGE, parseEvalArgs } from "../eval/cli-options.ts";
import { evaluateGeneratorWithSamples } from "../eval/evaluate.ts";
import { writeEvalBesideModel } from "../eval/manifest-eval.ts";
import { fromInvocationDir } from "../invocation-dir.ts";

/** Run the command with its flags (argv without the command name); resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  const flags = settleFlags(parseEvalArgs(argv), EVAL_USAGE);
  if ("exit" in flags) return flags.exit;
  const options = flags.options;
  const dataset = options.dataset === null ? null : datasetFromInvocationDir(options.dataset);
  // read every folder first: a bad one fails before minutes of work on the others
  const folders = await Promise.all(
    options.model.map((dir) => readModelFolder(fromInvocationDir(dir))),
  );
  // a card names a folder dataset by its folder's name only (no path): it needs the flag
  const unfound = folders.find((f) => dataset === null && !isKnownDataset(f.manifest.dataset.name));
  if (unfound) {
    process.stderr.write(
      `error: ${unfound.dir} was trained on "${unfound.manifest.dataset.name}", a folder its model card names without its path; ` +
        "pass --dataset folder:DIR (or the directory of IDX files) to evaluate it\n",
    );
    return 2;
  }
  const backend = await selectBackend(options.backend);
  console.log(`classifier ${backendLine(backend)}`);
  const rows: ComparisonRow[] = [];
  for (const folder of folders) {
    const data = dataset ?? folder.manifest.dataset.name;
    console.log(`model ${folder.manifest.version} (${folder.manifest.arch}) in ${folder.dir}`);
    const { metrics, samples } = await evaluateGeneratorWithSamples(folder.onnx, {
      dataset: data,
      classNames:
        datasetCardName(data) === folder.manifest.dataset.name
          ? folder.manifest.dataset.classNames
          : undefined,
      samplesPerClass: options.perClass,
      memorisationSamples: options.memorisationSamples,
      seed: options.seed,
      log: (line) => console.log(line),
    });
    process.stdout.write(formatMetricsTable(metrics, `evaluation of ${folder.manifest.version}`));
    rows.push({ manifest: folder.manifest, metrics });
    if (options.noWrite) continue;
    await writeEvalBesideModel(folder.dir, metrics);
    const picture = renderEvalPicture(
      samples.images,
      samples.labels,
      samples.predictions,
      undefined,
      samples.closestPairs,
    );
    writeFileAtomic(join(folder.dir, EVAL_PICTURE_FILE), picture.png);
    console.log(
      `wrote ${join(folder.dir, EVAL_FILE)}, ${EVAL_PICTURE_FILE} (${picture.wrong.length} wrong readings framed, ${picture.pairs.drawn} closest pairs) and merged "eval" into ${MANIFEST_FILE}`,
    );
  }
  if (rows.length > 1) process.stdout.write(formatComparisonTable(rows));
  return 0;
}
