/** The README's /sample parameter table is the one the parser's table makes (not stale). */
import { readFileSync } from "node:fs";
import { SAMPLE_QUERY_PARAMETERS } from "@edgegan/shared/sample-query";
import { describe, expect, it } from "vitest";
import { README, sampleParametersTable, withCurrentTable } from "../scripts/api-reference.ts";

describe("README /sample parameters", () => {
  it("lists every accepted parameter with what it accepts", () => {
    const table = sampleParametersTable();
    for (const name of SAMPLE_QUERY_PARAMETERS)
      expect(table).toMatch(new RegExp(`\\| \`${name}\` +\\|`));
    expect(table).toContain("an integer from 1 to 64");
  });

  it("is up to date in README.md (else: npm run docs:api -w @edgegan/edge-api)", () => {
    const readme = readFileSync(README, "utf8");
    expect(withCurrentTable(readme)).toBe(readme);
  });
});
