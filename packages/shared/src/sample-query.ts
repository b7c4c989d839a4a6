/**
 * Validation of the `GET /sample` query string.
 *
 * Lives in shared so the edge worker, its tests and any client agree on what is accepted. Each
 * parameter is declared once in {@link SAMPLE_PARAMETERS}: the parser, the OpenAPI document and
 * the API reference are all made from that table.
 * Every refusal says which parameter, what was received (shortened when long) and what
 * would be accepted, so a caller can fix the request from the message alone.
 *
 * Decisions:
 * - Integers must be canonical decimal digits, `^(0|[1-9][0-9]*)$`: no sign ("+5", "-0"),
 *   no spaces (" 5"), no leading zeros ("05"), no exponent ("1e3"), no hex ("0x10"), no
 *   fraction ("1.5", "1.0"). One spelling per number keeps URLs (and caches) unambiguous.
 * - An empty value (`?label=`) is an error, not "absent": omit the parameter instead.
 * - Unknown parameters are rejected (`unknown_parameter`): a typo such as `?cuont=4` would
 *   otherwise silently serve the default. Names are case-sensitive.
 * - A parameter given twice is rejected (`repeated_parameter`), even with equal values.
 * - format values are case-sensitive: "json" or "png".
 * - model names and versions are checked for their spelling here (lowercase names such as
 *   "mnist" or "fashion-mnist"; versions of letters, digits, ".", "_" and "-"); whether such a
 *   model or version exists is the server's answer (404 naming the known ones).
 * - invert is "true" or "false", nothing else. scale, columns and padding are integers like count.
 * - count * scale^2 is bounded (MAX_SCALED_TILES) so that one request cannot take more than a set
 *   CPU budget; the refusal names the budget.
 * - Checks run in this order and the first failure is reported: unknown names, repeats,
 *   then count, label, seed, format, model, version, scale, invert, columns, padding, budget.
 */
import { NUM_CLASSES } from "./contract.ts";
import { MAX_SEED } from "./rng.ts";

/** Response formats of GET /sample. */
export const SAMPLE_FORMATS = ["json", "png"] as const;
export type SampleFormat = (typeof SAMPLE_FORMATS)[number];

/** Images per request when `count` is absent. */
export const DEFAULT_SAMPLE_COUNT = 16;

/** How the tiles are drawn: bounds and defaults of scale, columns and padding. */
export const TILE_OPTIONS = {
  /** Nearest-neighbour upscaling of every 28x28 tile: 1 (28 px) to 8 (224 px). */
  scale: { min: 1, max: 8, default: 1 },
  /** Tiles per row of the PNG sprite sheet; default: ceil(sqrt(count)). */
  columns: { min: 1, max: 64 },
  /** Pixels between neighbouring tiles of the sprite sheet. */
  padding: { min: 0, max: 16, default: 2 },
} as const;

/**
 * CPU budget of one request, in 28x28-tile units after scaling: count * scale^2 may not exceed
 * it. 4096 = 64 images at scale 8 (a 1,806 x 1,806 px sheet): the largest default request.
 */
export const MAX_SCALED_TILES = 4096;

/** Spelling of a model name: lowercase letters and digits, inner dashes, at most 64 characters. */
export const MODEL_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
/** Spelling of a model version (as the trainer writes them, e.g. "mnist-dcgan-2026-11-30-1a2b3c4d"). */
export const MODEL_VERSION_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * A valid query: count images, of one label (null: spread over classes), from one seed (null:
 * server picks), from one model (null: the default) pinned to a version (null: the live one).
 */
export interface SampleQuery {
  count: number;
  label: number | null;
  seed: number | null;
  format: SampleFormat;
  model: string | null;
  version: string | null;
  /** Tile upscaling factor (nearest neighbour), 1..8. */
  scale: number;
  /** Dark images on a light background instead of light on dark. */
  invert: boolean;
  /** Tiles per row of the sprite sheet; null: ceil(sqrt(count)). */
  columns: number | null;
  /** Pixels between tiles of the sprite sheet. */
  padding: number;
}

/** Longest part of a received value echoed back in a message. */
const ECHO_LIMIT = 40;

/** Quote a received value for a message, shortened to {@link ECHO_LIMIT} characters. */
function quote(value: string): string {
  if (value.length <= ECHO_LIMIT) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, ECHO_LIMIT))}... (${value.length} characters)`;
}

const CANONICAL_DIGITS = /^(?:0|[1-9][0-9]*)$/;

/**
 * Parse a canonical non-negative decimal integer; null when not canonical or above max.
 * Long digit strings are refused by length before any conversion (max has few digits).
 */
function parseCanonicalInt(text: string, max: number): number | null {
  if (text.length > String(max).length || !CANONICAL_DIGITS.test(text)) return null;
  const n = Number(text);
  return n <= max ? n : null;
}

/** What a parameter's bounds and defaults can depend on: the server's configured maximum count. */
export interface QueryLimits {
  maxCount: number;
}

/** How a parameter's text is read. */
export type ParameterType =
  | { kind: "integer"; min: number; max: (limits: QueryLimits) => number }
  | { kind: "enum"; values: readonly string[] }
  | { kind: "pattern"; pattern: RegExp };

/**
 * One query parameter, declared once: the parser reads it, the OpenAPI document and the README
 * describe it, the error message quotes `accepted`.
 */
export interface QueryParameter<K extends string = string> {
  name: K;
  type: ParameterType;
  /** Its value when absent (null: absent has a meaning of its own, said in `accepted`). */
  fallback: (limits: QueryLimits) => number | string | null;
  /** The refusal's "must be ..." clause: what is accepted, and what absent means. */
  accepted: (limits: QueryLimits) => string;
  /** One line for the API reference. */
  description: string;
  example?: string;
}

const integer = (min: number, max: number | ((limits: QueryLimits) => number)) =>
  ({ kind: "integer", min, max: typeof max === "number" ? () => max : max }) as const;

/** Like scale, columns and padding: an integer in a range, its default when absent. */
function tileOption(
  name: "scale" | "columns" | "padding",
  description: string,
): QueryParameter<typeof name> {
  const range = TILE_OPTIONS[name];
  const fallback = "default" in range ? range.default : null;
  const absent = fallback === null ? "omitted for the default" : `default ${fallback}`;
  return {
    name,
    type: integer(range.min, range.max),
    fallback: () => fallback,
    accepted: () =>
      `an integer from ${range.min} to ${range.max}, written as plain decimal digits (${absent})`,
    description,
  };
}

const defaultCount = ({ maxCount }: QueryLimits) => Math.min(DEFAULT_SAMPLE_COUNT, maxCount);

/** The `model` and `version` parameters (GET /sample, /model and /healthz). */
export const MODEL_PARAMETERS = [
  {
    name: "model",
    type: { kind: "pattern", pattern: MODEL_NAME_PATTERN },
    fallback: () => null,
    accepted: () =>
      'a model name such as "mnist" (lowercase letters, digits and inner dashes; GET /models lists them), or omitted for the default model',
    description: "Model name (GET /models lists them); absent: the default model.",
    example: "fashion-mnist",
  },
  {
    name: "version",
    type: { kind: "pattern", pattern: MODEL_VERSION_PATTERN },
    fallback: () => null,
    accepted: () =>
      'a model version as GET /models shows it (letters, digits, ".", "_", "-"), or omitted for the live version',
    description:
      "Pin the model version (as GET /models shows it): the answer then never changes and is cacheable for a year. A version the worker does not have is a 404 naming the live one.",
  },
] as const satisfies readonly QueryParameter[];

/** The parameters of GET /sample, in the order they are checked. */
export const SAMPLE_PARAMETERS = [
  {
    name: "count",
    type: integer(1, ({ maxCount }) => maxCount),
    fallback: defaultCount,
    accepted: (limits) =>
      `an integer from 1 to ${limits.maxCount}, written as plain decimal digits (default ${defaultCount(limits)})`,
    description: "Number of images.",
    example: "16",
  },
  {
    name: "label",
    type: integer(0, NUM_CLASSES - 1),
    fallback: () => null,
    accepted: () =>
      `an integer from 0 to ${NUM_CLASSES - 1}, written as plain decimal digits, or omitted to spread images over all classes`,
    description: "Class of every image; absent spreads the images over the classes.",
    example: "7",
  },
  {
    name: "seed",
    type: integer(0, MAX_SEED),
    fallback: () => null,
    accepted: () =>
      `an unsigned 32-bit integer from 0 to ${MAX_SEED}, written as plain decimal digits, or omitted for a random seed`,
    description:
      "Unsigned 32-bit seed; absent picks a random one (returned in the body and X-Seed). The same seed gives the same images.",
    example: "42",
  },
  {
    name: "format",
    type: { kind: "enum", values: SAMPLE_FORMATS },
    fallback: () => "json",
    accepted: () => '"json" (default) or "png"',
    description: "json: one PNG data URL per image; png: one sprite sheet.",
    example: "png",
  },
  ...MODEL_PARAMETERS,
  tileOption(
    "scale",
    `Nearest-neighbour upscaling of every tile (28 px -> 28 * scale px), in the PNG sheet and the JSON data URLs alike. count * scale^2 may not exceed ${MAX_SCALED_TILES}.`,
  ),
  {
    name: "invert",
    type: { kind: "enum", values: ["true", "false"] },
    fallback: () => "false",
    accepted: () => '"true" (dark images on a light background) or "false" (default)',
    description: "true: dark images on a light background.",
    example: "true",
  },
  tileOption("columns", "Tiles per row of the PNG sprite sheet; absent: ceil(sqrt(count))."),
  tileOption("padding", "Pixels between the tiles of the sprite sheet."),
] as const satisfies readonly QueryParameter[];

/** The query parameters GET /sample understands. */
export const SAMPLE_QUERY_PARAMETERS = SAMPLE_PARAMETERS.map((p) => p.name);

/** The query parameters of GET /model and GET /healthz. */
export const MODEL_QUERY_PARAMETERS = MODEL_PARAMETERS.map((p) => p.name);

export type SampleQueryErrorCode =
  | `invalid_${(typeof SAMPLE_PARAMETERS)[number]["name"]}`
  | "request_too_large"
  | "repeated_parameter"
  | "unknown_parameter";

export interface SampleQueryError {
  code: SampleQueryErrorCode;
  message: string;
}

export type SampleQueryResult =
  | { ok: true; value: SampleQuery }
  | { ok: false; error: SampleQueryError };

type Failure = { ok: false; error: SampleQueryError };

function fail(code: SampleQueryErrorCode, message: string): Failure {
  return { ok: false, error: { code, message } };
}

/**
 * The parameters as a name -> value map, refusing unknown names and repeated ones.
 * @param accepted the names this endpoint understands (listed in the refusal)
 */
function singleKnownValues(
  params: URLSearchParams,
  accepted: readonly string[],
): { ok: true; values: Map<string, string> } | Failure {
  for (const name of params.keys()) {
    if (!accepted.includes(name)) {
      return fail(
        "unknown_parameter",
        `unknown query parameter ${quote(name)}; accepted parameters: ${accepted.join(", ")}`,
      );
    }
  }
  const values = new Map<string, string>();
  for (const [name, value] of params) {
    if (values.has(name)) {
      const all = params.getAll(name);
      const shown = all.slice(0, 3).map(quote).join(", ") + (all.length > 3 ? ", ..." : "");
      return fail(
        "repeated_parameter",
        `query parameter "${name}" was given ${all.length} times (${shown}); give it at most once`,
      );
    }
    values.set(name, value);
  }
  return { ok: true, values };
}

/** Read one parameter's text by its declared type; null when refused. */
function readValue(parameter: QueryParameter, text: string, limits: QueryLimits) {
  const { type } = parameter;
  if (type.kind === "integer") {
    const n = parseCanonicalInt(text, type.max(limits));
    return n === null || n < type.min ? null : n;
  }
  if (type.kind === "enum") return type.values.includes(text) ? text : null;
  return type.pattern.test(text) ? text : null;
}

/** Every declared parameter's value (or fallback), checked in declaration order. */
function readParameters<P extends readonly QueryParameter[]>(
  parameters: P,
  params: URLSearchParams,
  limits: QueryLimits,
): { ok: true; values: Record<P[number]["name"], number | string | null> } | Failure {
  const checked = singleKnownValues(
    params,
    parameters.map((p) => p.name),
  );
  if (!checked.ok) return checked;
  const values: Record<string, number | string | null> = {};
  for (const parameter of parameters) {
    const text = checked.values.get(parameter.name);
    if (text === undefined) {
      values[parameter.name] = parameter.fallback(limits);
      continue;
    }
    const value = readValue(parameter, text, limits);
    if (value === null) {
      return fail(
        `invalid_${parameter.name}` as SampleQueryErrorCode,
        `${parameter.name} must be ${parameter.accepted(limits)}; got ${quote(text)}`,
      );
    }
    values[parameter.name] = value;
  }
  return { ok: true, values };
}

/** Which model (null: the default) at which version (null: the live one). */
export interface ModelPick {
  model: string | null;
  version: string | null;
}

/**
 * Validate the query of `GET /model` (and `/healthz`): `model` and `version`, spelled as for
 * /sample; anything else is refused like there.
 * @example parseModelQuery(new URLSearchParams("model=fashion-mnist")) // { ok: true, value: { model: "fashion-mnist", version: null } }
 */
export function parseModelQuery(
  params: URLSearchParams,
): { ok: true; value: ModelPick } | { ok: false; error: SampleQueryError } {
  const read = readParameters(MODEL_PARAMETERS, params, { maxCount: 1 });
  if (!read.ok) return read;
  const { model, version } = read.values as { model: string | null; version: string | null };
  return { ok: true, value: { model, version } };
}

/**
 * Validate the query of `GET /sample` against {@link SAMPLE_PARAMETERS}.
 *
 * Accepted: `count` integer 1..maxCount (default 16, or maxCount when that is smaller), `label` integer 0..9 (absent: labels
 * spread over the classes), `seed` integer 0..4294967295 (absent: the server picks one),
 * `format` "json" (default) or "png", `model` a model name (absent: the default model),
 * `version` a model version (absent: the live one), and the tile options. See the file header
 * for the exact rules.
 *
 * @example
 * parseSampleQuery(new URLSearchParams("count=4&label=7&seed=42"), { maxCount: 64 });
 * // { ok: true, value: { count: 4, label: 7, seed: 42, format: "json", model: null, version: null, ... } }
 * parseSampleQuery(new URLSearchParams("count=1.5"), { maxCount: 64 });
 * // { ok: false, error: { code: "invalid_count", message: 'count must be ... got "1.5"' } }
 * @throws RangeError when options.maxCount is not a positive safe integer (a server bug, not a bad request).
 */
export function parseSampleQuery(params: URLSearchParams, limits: QueryLimits): SampleQueryResult {
  const { maxCount } = limits;
  if (!Number.isSafeInteger(maxCount) || maxCount < 1) {
    throw new RangeError(`maxCount must be a positive integer, got ${String(maxCount)}`);
  }
  const read = readParameters(SAMPLE_PARAMETERS, params, limits);
  if (!read.ok) return read;
  const v = read.values;
  const query: SampleQuery = {
    count: v.count as number,
    label: v.label as number | null,
    seed: v.seed as number | null,
    format: v.format as SampleFormat,
    model: v.model as string | null,
    version: v.version as string | null,
    scale: v.scale as number,
    invert: v.invert === "true",
    columns: v.columns as number | null,
    padding: v.padding as number,
  };
  const { count, scale } = query;
  if (count * scale * scale > MAX_SCALED_TILES) {
    return fail(
      "request_too_large",
      `count * scale^2 = ${count} * ${scale}^2 = ${count * scale * scale} exceeds the per-request budget of ${MAX_SCALED_TILES} (e.g. 64 images at scale 8, or 256 at scale 4): ask for fewer images or a smaller scale`,
    );
  }
  return { ok: true, value: query };
}
