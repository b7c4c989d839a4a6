import { describe, expect, it } from "vitest";
import { type ReportInput, renderLossCurvesSvg, renderReportMarkdown } from "./report.ts";

const base: ReportInput = {
  title: "run",
  config: { arch: "dcgan" },
  backend: "wasm",
  steps: 100,
  epochs: 2,
  wallTimeSeconds: 90,
  msPerStep: 600,
  imagesPerSecond: 106.7,
  finalLosses: { d: 1.2, g: 0.9 },
  parityMaxAbsDiff: 1.5e-6,
  grids: [{ file: "samples-epoch-1.png", caption: "after epoch 1" }],
  lossCurvesFile: "loss-curves.svg",
  evalHistory: [],
};

describe("report", () => {
  it("draws both loss curves scaled to the plot", () => {
    const svg = renderLossCurvesSvg([
      { step: 10, epoch: 0.1, dLoss: 1.4, gLoss: 0.7, stepsPerSecond: 1, wallTimeSeconds: 10 },
      { step: 20, epoch: 0.2, dLoss: 1.0, gLoss: 2.0, stepsPerSecond: 1, wallTimeSeconds: 20 },
    ]);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toMatch(/<title>[^<]+<\/title>/);
    expect(svg).toContain("step 20");
    // y axis spans [0, 2]: the largest loss touches the top of the plot area (y = 24)
    expect(svg).toMatch(/points="[\d.]+,[\d.]+ [\d.]+,24\.0"/);
  });

  it("lists figures and grids, and a per-epoch quality table only when evaluated", () => {
    const plain = renderReportMarkdown(base);
    expect(plain).toContain("| ms/step (this process) | 600.0 |");
    expect(plain).toContain("![after epoch 1](samples-epoch-1.png)");
    expect(plain).not.toContain("Quality per epoch");
    const evaluated = renderReportMarkdown({
      ...base,
      evalHistory: [
        {
          epoch: 1,
          step: 50,
          frechetDistance: 12.3456,
          floor: 0.744,
          labelAccuracy: 0.9712,
          coverage: 0.9991,
        },
      ],
    });
    expect(evaluated).toContain("| 1 | 50 | 12.346 | 0.744 | 97.12% | 0.9991 |");
  });
});
