/**
 * The README's flag reference of `edgegan train`, `eval`, `synth` and `temper`, made from the commands'
 * schemas (the same fields as their --help), so it cannot drift from what the flags accept.
 * `npm run docs:flags -w @edgegan/trainer` rewrites it in README.md; a test fails while it is stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { withGeneratedPart } from "@edgegan/shared/markdown";
import { TRAIN_FLAG_GROUPS } from "./cli-args.ts";
import { evalFlagsSchema, synthFlagsSchema } from "./eval/cli-options.ts";
import { temperFlagsSchema } from "./retemper-options.ts";
import { flagsTable } from "./schema-flags.ts";

export const README = fileURLToPath(new URL("../README.md", import.meta.url));
const START = "<!-- flags:start (npm run docs:flags) -->";
const END = "<!-- flags:end -->";

/** The reference: a table per group of `edgegan train`, then one each for eval and synth. */
export function flagsReference(): string {
  const train = TRAIN_FLAG_GROUPS.map(
    ({ heading, schema }) =>
      `\`edgegan train\`: ${heading.replace(/:$/, "")}\n\n${flagsTable(schema)}`,
  );
  return [
    ...train,
    `\`edgegan eval\`\n\n${flagsTable(evalFlagsSchema)}`,
    `\`edgegan synth\`\n\n${flagsTable(synthFlagsSchema)}`,
    `\`edgegan temper\`\n\n${flagsTable(temperFlagsSchema)}`,
  ].join("\n\n");
}

/** The README with its flag reference replaced by the current one. */
export function withCurrentFlags(readme: string): string {
  return withGeneratedPart(readme, { start: START, end: END, name: "README.md" }, flagsReference());
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(README, withCurrentFlags(readFileSync(README, "utf8")));
  console.log(`updated the flag reference in ${README}`);
}
