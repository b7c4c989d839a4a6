/**
 * The README's table of `GET /sample` parameters, made from the parser's own table
 * (SAMPLE_PARAMETERS in packages/shared), so the reference cannot drift from what is accepted.
 * `npm run docs:api -w @edgegan/edge-api` rewrites it in README.md; a test fails while it is stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { markdownTable, withGeneratedPart } from "@edgegan/shared/markdown";
import { SAMPLE_PARAMETERS } from "@edgegan/shared/sample-query";

export const README = fileURLToPath(new URL("../README.md", import.meta.url));
const START = "<!-- sample-parameters:start (npm run docs:api) -->";
const END = "<!-- sample-parameters:end -->";

/** The table, for the default configuration (MAX_COUNT 64). */
export function sampleParametersTable(limits = { maxCount: 64 }): string {
  const escapePipes = (text: string) => text.replaceAll("|", "\\|");
  return markdownTable([
    ["parameter", "accepted", "what it does"],
    ...SAMPLE_PARAMETERS.map((p) => [
      `\`${p.name}\``,
      escapePipes(p.accepted(limits)),
      escapePipes(p.description),
    ]),
  ]);
}

/** The README with its parameter table replaced by the current one. */
export function withCurrentTable(readme: string): string {
  return withGeneratedPart(
    readme,
    { start: START, end: END, name: "README.md" },
    sampleParametersTable(),
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(README, withCurrentTable(readFileSync(README, "utf8")));
  console.log(`updated the /sample parameter table in ${README}`);
}
