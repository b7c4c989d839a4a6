/** Flags derived from a schema: names, readings by type, help with defaults, schema messages. */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { flagSpecs, flagsHelp, parseFlags } from "./schema-flags.ts";

const schema = z
  .object({
    batchSize: z.number().int().min(1).default(64).meta({ description: "images per step" }),
    lr: z.number().gt(0).meta({ description: "learning rate" }),
    arch: z.enum(["dcgan", "mlp"]).default("dcgan").meta({ description: "network" }),
    out: z.string().min(1).nullable().meta({ value: "DIR", description: "where" }),
    model: z.array(z.string()).meta({ value: "DIR", description: "repeatable" }),
    perClass: z.array(z.number().int()).nullable().meta({ description: "comma list" }),
    noWrite: z.boolean().meta({ description: "print only" }),
  })
  .strict();
/** The fields without a schema default. */
const base = {
  lr: 2e-4,
  out: null,
  model: ["a"],
  perClass: null,
  noWrite: false,
};

describe("schema flags", () => {
  it("derives one --kebab-case flag per field, with its reading and placeholder", () => {
    expect(flagSpecs(schema).map((s) => [s.flag, s.kind, s.value])).toEqual([
      ["batch-size", "number", "N"],
      ["lr", "number", "X"],
      ["arch", "enum", "dcgan|mlp"],
      ["out", "string", "DIR"],
      ["model", "strings", "DIR"],
      ["per-class", "numbers", "LIST"],
      ["no-write", "boolean", ""],
    ]);
  });

  it("reads each type and leaves the rest at the base values", () => {
    const parsed = parseFlags(
      schema,
      ["--lr", "1e-3", "--model", "x", "--model", "y", "--per-class", "1, 2,3", "--no-write"],
      base,
    );
    expect(parsed).toEqual({
      kind: "ok",
      options: {
        ...base,
        batchSize: 64,
        arch: "dcgan",
        lr: 1e-3,
        model: ["x", "y"],
        perClass: [1, 2, 3],
        noWrite: true,
      },
    });
    // a base value wins over the schema's default, a flag over both
    const overBase = parseFlags(schema, ["--arch", "mlp"], {
      ...base,
      batchSize: 8,
      arch: "dcgan",
    });
    expect(overBase.kind === "ok" && [overBase.options.batchSize, overBase.options.arch]).toEqual([
      8,
      "mlp",
    ]);
    expect(parseFlags(schema, ["-h"], base)).toEqual({ kind: "help" });
  });

  it("reports text that is not a number, and the schema's own messages per flag", () => {
    const parsed = parseFlags(schema, ["--batch-size", "0x40", "--per-class", "1,a"], base);
    expect(parsed.kind === "error" && parsed.errors).toEqual([
      '--batch-size: "0x40" is not a number',
      '--per-class: "a" is not a number',
    ]);
    const bad = parseFlags(schema, ["--batch-size", "0", "--arch", "gan"], base);
    expect(bad.kind === "error" && bad.errors.join("\n")).toMatch(
      /--batch-size: .*>=1 \(got 0\)\n--arch: .*"dcgan"\|"mlp" \(got "gan"\)/,
    );
    expect(parseFlags(schema, ["--bogus"], base).kind).toBe("error");
  });

  it("writes the help from the same fields, with the schema's defaults", () => {
    const help = flagsHelp(schema);
    expect(help).toMatch(/--batch-size N\s+images per step \(default 64\)/);
    expect(help).toMatch(/--arch dcgan\|mlp\s+network \(default dcgan\)/);
    expect(help).toMatch(/--lr X\s+learning rate\n/);
    expect(help).toMatch(/--no-write\s+print only\n/);
    expect(help).toMatch(/-h, --help\n$/);
  });

  it("writes a default in words where asked, and groups flags under headings", () => {
    const where = z.object({
      dir: z
        .string()
        .default("/abs/path")
        .meta({ description: "folder", defaultText: "the usual" }),
    });
    const help = flagsHelp([
      { heading: "Model:", schema },
      { heading: "Command:", schema: where },
    ]);
    expect(help).toMatch(/^Model:\n {2}--batch-size N/);
    expect(help).toMatch(
      /\n\nCommand:\n {2}--dir TEXT\s+folder \(default the usual\)\n {2}-h, --help\n$/,
    );
    // one column for the help text across the groups
    const columns = help
      .split("\n")
      .filter((line) => line.startsWith("  --"))
      .map((line) => /^ {2}--\S+(?: \S+)? +/.exec(line)?.[0].length);
    expect(new Set(columns).size).toBe(1);
  });

  it("refuses a field type it cannot read from a command line", () => {
    expect(() => flagSpecs(z.object({ when: z.date() }))).toThrow(
      /field when: no command-line reading/,
    );
  });
});
