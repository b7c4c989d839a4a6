/** The README's flag reference is the one the commands' schemas make (not stale). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { flagsReference, README, withCurrentFlags } from "./flags-reference.ts";

describe("README flag reference", () => {
  it("lists each flag with its default from the schema, pipes escaped", () => {
    const reference = flagsReference();
    expect(reference).toMatch(/\| `--batch-size N` +\| 64 +\| images per step +\|/);
    expect(reference).toMatch(/\| `--arch dcgan\\\|mlp` +\| dcgan +\|/);
    expect(reference).toMatch(/\| `--per-class N` +\| 1000 +\| samples per class +\|/);
    expect(reference).toMatch(/\| `--model DIR` +\| the shipped model +\| model folder +\|/);
    expect(reference).toMatch(/This command \(not recorded\)\n\n\| flag +\| default/);
  });

  it("is up to date in apps/trainer/README.md (else: npm run docs:flags -w @edgegan/trainer)", () => {
    const readme = readFileSync(README, "utf8");
    expect(withCurrentFlags(readme)).toBe(readme);
  });
});
