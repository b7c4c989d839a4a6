/**
 * The end-of-run report: loss curves drawn as SVG and the per-epoch sample grids, in a
 * Markdown page a person can open (GitHub and editors render both), plus the run's figures.
 */
import { join } from "node:path";
import { writeFileAtomic } from "./atomic-write.ts";
import { cardTraining } from "./card-config.ts";
import { type MetricsLine, readJsonLines, readMetrics } from "./metrics-log.ts";
import type { Run } from "./open-run.ts";

const WIDTH = 720;
const HEIGHT = 300;
const MARGIN = { left: 56, right: 16, top: 24, bottom: 36 };

/** A polyline path for the points, scaled into the plot area. */
function polyline(
  points: Array<[number, number]>,
  xMax: number,
  yMin: number,
  yMax: number,
): string {
  const w = WIDTH - MARGIN.left - MARGIN.right;
  const h = HEIGHT - MARGIN.top - MARGIN.bottom;
  return points
    .map(([x, y]) => {
      const px = MARGIN.left + (xMax > 0 ? (x / xMax) * w : 0);
      const py = MARGIN.top + h - ((y - yMin) / (yMax - yMin || 1)) * h;
      return `${px.toFixed(1)},${py.toFixed(1)}`;
    })
    .join(" ");
}

/** SVG with the discriminator and generator loss curves over steps, with axes and ticks. */
export function renderLossCurvesSvg(metrics: MetricsLine[]): string {
  const xMax = metrics.at(-1)?.step ?? 0;
  const values = metrics.flatMap((m) => [m.dLoss, m.gLoss]).filter(Number.isFinite);
  const yMin = Math.min(0, ...values);
  const yMax = Math.max(1, ...values);
  const ticks = 5;
  const h = HEIGHT - MARGIN.top - MARGIN.bottom;
  const axis: string[] = [];
  for (let i = 0; i <= ticks; i++) {
    const y = MARGIN.top + h - (i / ticks) * h;
    const value = yMin + ((yMax - yMin) * i) / ticks;
    axis.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y}" y2="${y}" stroke="#eee"/>`,
      `<text x="${MARGIN.left - 6}" y="${y + 4}" text-anchor="end">${value.toFixed(2)}</text>`,
    );
  }
  const d = polyline(
    metrics.map((m) => [m.step, m.dLoss]),
    xMax,
    yMin,
    yMax,
  );
  const g = polyline(
    metrics.map((m) => [m.step, m.gLoss]),
    xMax,
    yMin,
    yMax,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="11">
<title>Discriminator and generator loss over training steps</title>
<rect width="100%" height="100%" fill="white"/>
${axis.join("\n")}
<text x="${MARGIN.left}" y="${HEIGHT - 8}">step 0</text>
<text x="${WIDTH - MARGIN.right}" y="${HEIGHT - 8}" text-anchor="end">step ${xMax}</text>
<text x="${WIDTH / 2}" y="14" text-anchor="middle">GAN losses (mean per metrics interval)</text>
<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="${d}"/>
<polyline fill="none" stroke="#d62728" stroke-width="1.5" points="${g}"/>
<text x="${WIDTH - MARGIN.right - 120}" y="${MARGIN.top + 12}" fill="#1f77b4">discriminator L_D</text>
<text x="${WIDTH - MARGIN.right - 120}" y="${MARGIN.top + 26}" fill="#d62728">generator L_G</text>
</svg>
`;
}

/** One line of eval-history.jsonl: the EMA generator measured after an epoch. */
export interface EvalHistoryLine {
  epoch: number;
  step: number;
  frechetDistance: number;
  floor: number;
  labelAccuracy: number;
  coverage: number;
}

export interface ReportInput {
  title: string;
  config: Record<string, unknown>;
  backend: string;
  steps: number;
  epochs: number;
  wallTimeSeconds: number;
  msPerStep: number | null;
  imagesPerSecond: number | null;
  finalLosses: { d: number; g: number } | null;
  parityMaxAbsDiff: number | null;
  /** Grid file names relative to the report, in epoch order, with a caption each. */
  grids: Array<{ file: string; caption: string }>;
  lossCurvesFile: string;
  /** Evaluations during the run (--eval-every), oldest first. */
  evalHistory: EvalHistoryLine[];
}

function evalHistorySection(history: EvalHistoryLine[]): string[] {
  if (history.length === 0) return [];
  return [
    "## Quality per epoch (EMA generator, 10,000 samples)",
    "",
    "| epoch | step | Frechet distance | floor (real vs real) | label accuracy | coverage |",
    "|---|---|---|---|---|---|",
    ...history.map(
      (h) =>
        `| ${h.epoch} | ${h.step} | ${h.frechetDistance.toFixed(3)} | ${h.floor.toFixed(3)} | ` +
        `${(100 * h.labelAccuracy).toFixed(2)}% | ${h.coverage.toFixed(4)} |`,
    ),
    "",
  ];
}

/** The Markdown report. */
export function renderReportMarkdown(r: ReportInput): string {
  const rows: Array<[string, string]> = [
    ["backend", r.backend],
    ["steps", String(r.steps)],
    ["epochs", String(r.epochs)],
    ["wall time", `${(r.wallTimeSeconds / 60).toFixed(1)} min`],
    ["ms/step (this process)", r.msPerStep === null ? "n/a" : r.msPerStep.toFixed(1)],
    ["images/s", r.imagesPerSecond === null ? "n/a" : r.imagesPerSecond.toFixed(1)],
    [
      "final L_D / L_G",
      r.finalLosses ? `${r.finalLosses.d.toFixed(4)} / ${r.finalLosses.g.toFixed(4)}` : "n/a",
    ],
    [
      "ONNX parity max abs diff",
      r.parityMaxAbsDiff === null ? "not exported" : r.parityMaxAbsDiff.toExponential(2),
    ],
  ];
  return [
    `# ${r.title}`,
    "",
    "| | |",
    "|---|---|",
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    "",
    "## Loss curves",
    "",
    `![loss curves](${r.lossCurvesFile})`,
    "",
    ...evalHistorySection(r.evalHistory),
    "## Samples (EMA generator, fixed z; row = class, column = z)",
    "",
    ...r.grids.flatMap((g) => [`### ${g.caption}`, "", `![${g.caption}](${g.file})`, ""]),
    "## Config",
    "",
    "```json",
    JSON.stringify(r.config, null, 2),
    "```",
    "",
  ].join("\n");
}

/** Write loss-curves.svg and report.md for a finished run. */
export function writeRunReport(
  run: Run,
  wallTimeSeconds: number,
  msPerStep: number | null,
  parityMaxAbsDiff: number | null,
): void {
  const { config, state, outDir } = run;
  const metrics = readMetrics(run.paths.metrics);
  writeFileAtomic(join(outDir, "loss-curves.svg"), renderLossCurvesSvg(metrics));
  const grids = Array.from({ length: state.epoch }, (_, i) => ({
    file: `samples-epoch-${i + 1}.png`,
    caption: `after epoch ${i + 1}`,
  }));
  grids.push({ file: "samples-final.png", caption: `final (step ${state.step})` });
  writeFileAtomic(
    join(outDir, "report.md"),
    renderReportMarkdown({
      title: `EdgeGAN training report: ${config.arch} on ${config.dataset}`,
      // as the model card records it: names, not paths of this machine (reports get shared)
      config: cardTraining(config, run.teacher?.ref ?? null).config,
      backend: run.backend.name,
      steps: state.step,
      epochs: state.epoch,
      wallTimeSeconds,
      msPerStep,
      imagesPerSecond: msPerStep ? (config.batchSize * 1000) / msPerStep : null,
      finalLosses: state.lastLosses,
      parityMaxAbsDiff,
      grids,
      lossCurvesFile: "loss-curves.svg",
      evalHistory: readJsonLines<EvalHistoryLine>(run.paths.evalHistory),
    }),
  );
}
