/**
 * The table `npm run eval` prints: the headline numbers with the floor beside the distance,
 * then label accuracy per class. Pure text, so it is tested and reused in reports.
 */
import { dcganGeneratorMacs } from "@edgegan/model/generator";
import {
  generatorWidthOf,
  latentTemperatureOf,
  type ModelManifest,
  onnxWeightsOf,
} from "@edgegan/shared/manifest";
import type { Memorisation } from "@edgegan/shared/memorisation";
import type { EvalMetrics } from "./metrics.ts";

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

/**
 * The memorisation figure in one line: near-copy shares of samples vs held-out test images.
 * @example "near-copies: features 0.00% (test 1.02%), pixels 0.01% (test 0.98%): not memorising"
 */
export function formatNearCopies(m: Memorisation): string {
  return (
    `near-copies: features ${pct(m.features.nearCopyShare)} (test ${pct(m.features.testNearCopyShare)}), ` +
    `pixels ${pct(m.pixels.nearCopyShare)} (test ${pct(m.pixels.testNearCopyShare)}): ` +
    (m.memorising ? "MEMORISING" : "not memorising")
  );
}

/** Table rows of the memorisation figure: per space, shares, threshold and median distances. */
function memorisationRows(m: Memorisation): [string, string][] {
  const space = (name: "features" | "pixels"): [string, string] => {
    const s = m[name];
    return [
      `near-copies, ${name}`,
      `${pct(s.nearCopyShare).padStart(7)} of samples vs ${pct(s.testNearCopyShare)} of held-out test images, flagged above ${pct(s.limit)} ` +
        `(under ${s.threshold.toFixed(3)}, the test images' 1st percentile; median distance ${s.samples.p50.toFixed(3)} vs ${s.test.p50.toFixed(3)})`,
    ];
  };
  return [
    space("features"),
    space("pixels"),
    [
      "memorisation",
      `${m.memorising ? "MEMORISING: more near-copies than real test images beyond noise" : "not memorising"} ` +
        `(${m.samples} samples vs ${m.trainImages} train images; test ${m.testCalibration} calibration + ${m.testHeldOut} held out)`,
    ],
  ];
}

/** Render metrics as an aligned plain-text table (lines joined by \n, ends with \n). */
export function formatMetricsTable(metrics: EvalMetrics, title = "evaluation"): string {
  const rows: [string, string][] = [
    [
      "dataset",
      `${metrics.dataset} (classifier test accuracy ${pct(metrics.classifier.testAccuracy)})`,
    ],
    ["samples", `${metrics.samples} (${metrics.samplesPerClass} per class, seed ${metrics.seed})`],
    [
      "Frechet distance",
      `${metrics.frechetDistance.toFixed(3)}  (floor, ${metrics.floor.trainImages} train vs test: ${metrics.floor.frechetDistance.toFixed(3)})`,
    ],
    ["label accuracy", pct(metrics.labelAccuracy)],
    ["coverage", `${metrics.coverage.toFixed(4)}  (1 = all classes equally often)`],
    ...(metrics.memorisation ? memorisationRows(metrics.memorisation) : []),
    [
      "time",
      `${metrics.seconds.total.toFixed(1)} s (generate ${metrics.seconds.generate.toFixed(1)} s, classify ${metrics.seconds.classify.toFixed(1)} s${metrics.seconds.memorisation === undefined ? "" : `, near-copy search ${metrics.seconds.memorisation.toFixed(1)} s`})`,
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [
    `${title}`,
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
    "  per class (asked -> read as asked, share of all readings):",
  ];
  metrics.classNames.forEach((name, c) => {
    lines.push(
      `    ${String(c).padStart(2)} ${name.padEnd(12)} ${pct(metrics.labelAccuracyPerClass[c] ?? 0).padStart(7)}   read ${pct(metrics.predictedShare[c] ?? 0).padStart(7)}`,
    );
  });
  return `${lines.join("\n")}\n`;
}

function nearCopyCell(m: Memorisation | undefined): string {
  if (!m) return "n/a";
  return `${pct(m.features.nearCopyShare)} / ${pct(m.pixels.nearCopyShare)} (${pct(m.features.testNearCopyShare)} / ${pct(m.pixels.testNearCopyShare)})${m.memorising ? " MEMORISING" : ""}`;
}

/** One model of a comparison: its manifest and its metrics from the shared eval run. */
export interface ComparisonRow {
  manifest: ModelManifest;
  metrics: EvalMetrics;
}

/**
 * The comparison `npm run eval -- --model A --model B ...` prints: one line per model, with its
 * Frechet distance as a ratio to the first model's (all measured with one classifier, floor and
 * sample plan, so the ratio is the figure to quote). Markdown, so it pastes into docs.
 */
export function formatComparisonTable(rows: readonly ComparisonRow[]): string {
  const first = rows[0];
  if (!first) return "";
  const lines = [
    `\ncomparison (floor ${first.metrics.floor.frechetDistance.toFixed(3)}; ratios to the first model)`,
    "| model | width | MAC / image | weights | latent T | file bytes | Frechet distance | ratio | label accuracy | coverage | near-copies features / pixels (test) |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const { manifest, metrics } of rows) {
    const width = generatorWidthOf(manifest);
    const macs = width === null ? "n/a" : `${(dcganGeneratorMacs(width) / 1e6).toFixed(2)} M`;
    const ratio = metrics.frechetDistance / first.metrics.frechetDistance;
    lines.push(
      `| ${manifest.version} | ${width ?? manifest.arch} | ${macs} | ${onnxWeightsOf(manifest)} | ${latentTemperatureOf(manifest)} | ${manifest.onnx.bytes.toLocaleString("en")} | ${metrics.frechetDistance.toFixed(3)} | ${ratio.toFixed(2)}x | ${pct(metrics.labelAccuracy)} | ${metrics.coverage.toFixed(4)} | ${nearCopyCell(metrics.memorisation)} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}
