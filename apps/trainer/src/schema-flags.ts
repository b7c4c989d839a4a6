/**
 * Command-line flags derived from a zod object schema, so a command's options are declared once:
 * each field is a `--kebab-case` flag, its `description` is the help text, its type says how the
 * text is read, and the schema validates the result (limits and messages live there too). The
 * usage text, with the defaults, is generated from the same fields.
 *
 * How a field's type reads its flag:
 *   number            decimal or scientific text ("64", "2e-4"); "0x10", "", " 5" are refused
 *   boolean           a switch (present = true)
 *   enum              one of its values
 *   string            the text
 *   array of strings  the flag repeated (--model a --model b)
 *   array of numbers  a comma-separated list ("0,0,5")
 * `nullable`, `optional` and `default` wrappers are looked through; a `default` is the value a
 * flag not given takes, and the help shows it. Metadata (`.meta({...})`): `description` is the
 * help text, `value` names the placeholder in the help ("DIR"), `defaultText` says the default in
 * words where its value is not for reading (a path of this machine).
 */
import { parseArgs } from "node:util";
import { markdownTable } from "@edgegan/shared/markdown";
import type { z } from "zod";
import type { ParsedFlags } from "./cli-runner.ts";

type Kind = "number" | "boolean" | "enum" | "string" | "strings" | "numbers";

/** One flag, as derived from a schema field. */
export interface FlagSpec {
  key: string;
  flag: string;
  kind: Kind;
  help: string;
  /** Placeholder in the usage text: N, X, a|b|c, DIR, ... */
  value: string;
  /** The default as the help shows it, or null when none is shown (none, null, false, a list). */
  shownDefault: string | null;
}

interface FieldMeta {
  description?: string;
  value?: string;
  defaultText?: string;
}

/** A heading and the flags under it, for a usage text in sections. */
export interface FlagGroup {
  heading: string;
  schema: z.ZodObject;
}

/** A zod type with its wrappers (nullable, optional, default) removed. */
function unwrap(type: z.ZodType): z.ZodType {
  let t = type;
  for (;;) {
    const def = t.def as { type: string; innerType?: z.ZodType };
    if (!["nullable", "optional", "default"].includes(def.type) || !def.innerType) return t;
    t = def.innerType;
  }
}

/** The value of the field's `default` wrapper, or undefined without one. */
function defaultOf(type: z.ZodType): unknown {
  let t = type;
  for (;;) {
    const def = t.def as { type: string; innerType?: z.ZodType; defaultValue?: unknown };
    if (def.type === "default") return def.defaultValue;
    if (!["nullable", "optional"].includes(def.type) || !def.innerType) return undefined;
    t = def.innerType;
  }
}

function shownDefault(type: z.ZodType, meta: FieldMeta): string | null {
  if (meta.defaultText !== undefined) return meta.defaultText;
  const value = defaultOf(type);
  if (value === undefined || value === null || value === false || Array.isArray(value)) return null;
  return String(value);
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function kindOf(key: string, type: z.ZodType): { kind: Kind; value: string } {
  const inner = unwrap(type);
  const def = inner.def as { type: string; element?: z.ZodType };
  switch (def.type) {
    case "number":
      return { kind: "number", value: (inner as z.ZodNumber).isInt ? "N" : "X" };
    case "boolean":
      return { kind: "boolean", value: "" };
    case "enum":
      return { kind: "enum", value: (inner as z.ZodEnum).options.join("|") };
    case "string":
      return { kind: "string", value: "TEXT" };
    case "array": {
      const element = def.element ? (unwrap(def.element).def as { type: string }).type : "";
      if (element === "string") return { kind: "strings", value: "TEXT" };
      if (element === "number") return { kind: "numbers", value: "LIST" };
      break;
    }
  }
  throw new Error(`field ${key}: no command-line reading for a ${def.type}`);
}

/** The flags of every field of `schema`, in declaration order. */
export function flagSpecs(schema: z.ZodObject): FlagSpec[] {
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([key, type]) => {
    const meta = (type.meta() ?? unwrap(type).meta() ?? {}) as FieldMeta;
    const { kind, value } = kindOf(key, type);
    return {
      key,
      flag: kebab(key),
      kind,
      help: meta.description ?? "",
      value: meta.value ?? value,
      shownDefault: shownDefault(type, meta),
    };
  });
}

/** Decimal or scientific number text only ("2e-4", "64", "0.5"); rejects "", "0x10", " 5". */
function readNumber(flag: string, text: string, errors: string[]): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) {
    errors.push(`--${flag}: "${text.slice(0, 40)}" is not a number`);
    return Number.NaN;
  }
  return Number(text);
}

/**
 * The error option of a flag without default: "--out: is required" when it is missing (zod's own
 * message otherwise). `z.string({ error: requiredFlag })`.
 */
export function requiredFlag(issue: { input: unknown }): string | undefined {
  return issue.input === undefined ? "is required" : undefined;
}

/**
 * Parse argv (without node and script) into options valid for `schema`, or help, or errors
 * ("--flag: what was wrong (got ...)"). Flags override `base` (a preset, a config file), which
 * overrides the schema's defaults.
 */
export function parseFlags<S extends z.ZodObject>(
  schema: S,
  argv: readonly string[],
  base: Record<string, unknown> = {},
): ParsedFlags<z.infer<S>> {
  const specs = flagSpecs(schema);
  const options: NonNullable<Parameters<typeof parseArgs>[0]>["options"] = {
    help: { type: "boolean", short: "h" },
  };
  for (const spec of specs) {
    options[spec.flag] =
      spec.kind === "boolean"
        ? { type: "boolean" }
        : { type: "string", multiple: spec.kind === "strings" };
  }
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (error) {
    return { kind: "error", errors: [(error as Error).message] };
  }
  if (values.help) return { kind: "help" };
  const errors: string[] = [];
  const given: Record<string, unknown> = {};
  for (const spec of specs) {
    const text = values[spec.flag];
    if (text === undefined) continue;
    if (spec.kind === "number") given[spec.key] = readNumber(spec.flag, text as string, errors);
    else if (spec.kind === "numbers") {
      given[spec.key] = (text as string)
        .split(",")
        .map((t) => readNumber(spec.flag, t.trim(), errors));
    } else given[spec.key] = text;
  }
  if (errors.length > 0) return { kind: "error", errors };
  const candidate = { ...base, ...given };
  const result = schema.safeParse(candidate);
  if (result.success) return { kind: "ok", options: result.data };
  const flagOf = new Map(specs.map((s) => [s.key, s.flag]));
  return {
    kind: "error",
    errors: result.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? "");
      const flag = flagOf.get(key);
      const got = key in given ? ` (got ${JSON.stringify(candidate[key])})` : "";
      return `${flag ? `--${flag}` : "flags"}: ${issue.message}${got}`;
    }),
  };
}

/**
 * The flags part of a command's usage text: one line per flag with its placeholder, help and
 * default (the schema's; null, false and lists are not shown), under a heading per group.
 */
export function flagsHelp(flags: z.ZodObject | readonly FlagGroup[]): string {
  const groups: readonly FlagGroup[] = Array.isArray(flags)
    ? flags
    : [{ heading: "", schema: flags as z.ZodObject }];
  const sections = groups.map(({ heading, schema }) => ({
    heading,
    rows: flagSpecs(schema).map((spec) => {
      const left = `  --${spec.flag}${spec.value ? ` ${spec.value}` : ""}`;
      const shown = spec.shownDefault === null ? "" : ` (default ${spec.shownDefault})`;
      return [left, `${spec.help}${shown}`] as const;
    }),
  }));
  const width = Math.max(...sections.flatMap((s) => s.rows.map(([left]) => left.length))) + 2;
  const text = sections
    .map(
      ({ heading, rows }) =>
        `${heading ? `${heading}\n` : ""}${rows.map(([left, help]) => `${left.padEnd(width)}${help}`).join("\n")}\n`,
    )
    .join("\n");
  return `${text}  -h, --help\n`;
}

/** The flags of `schema` as a markdown table (flag, default, what it does), for a README. */
export function flagsTable(schema: z.ZodObject): string {
  // a pipe would end the cell and <word> would read as HTML
  const cell = (text: string) => text.replace(/[|<>]/g, (c) => `\\${c}`);
  return markdownTable([
    ["flag", "default", "what it does"],
    ...flagSpecs(schema).map((spec) => [
      cell(`\`--${spec.flag}${spec.value ? ` ${spec.value}` : ""}\``),
      cell(spec.shownDefault ?? ""),
      cell(spec.help),
    ]),
  ]);
}
