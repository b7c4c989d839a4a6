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
 * - invert (and /animate's loop) is "true" or "false", nothing else. scale, columns and padding are integers like count.
 * - count * scale^2 is bounded (MAX_SCALED_TILES) so that one request cannot take more than a set
 *   CPU budget; the refusal names the budget.
 * - A sequence (`labels=2,0,2,6`, or `text=2026` for digit-class models, which the server checks
 *   once it knows the model) sets the classes and their number: count, label, or both forms at
 *   once are refused (`conflicting_parameters`), and so is `style` without a sequence.
 * - Colours are six hex digits in either case, kept lowercase (one spelling for the cache key).
 * - Checks run in this order and the first failure is reported: unknown names, repeats, then
 *   each parameter in SAMPLE_PARAMETERS' order, the sequence's conflicts and length, budget.
 */
import { NUM_CLASSES } from "./contract.ts";
import { RESAMPLE_METHODS } from "./resample.ts";
import { MAX_SEED } from "./rng.ts";
import { HEX_COLOUR_PATTERN, TRANSPARENT } from "./tile-colour.ts";

/** Response formats of GET /sample. */
export const SAMPLE_FORMATS = ["json", "png", "svg"] as const;

/** Images per request when `count` is absent. */
export const DEFAULT_SAMPLE_COUNT = 16;

/** How the tiles are drawn: bounds and defaults of scale, columns and padding. */
export const TILE_OPTIONS = {
  /** Upscaling of every 28x28 tile: 1 (28 px) to 16 (448 px), within MAX_SCALED_TILES. */
  scale: { min: 1, max: 16, default: 1 },
  /** Tiles per row of the PNG sprite sheet; default: ceil(sqrt(count)). */
  columns: { min: 1, max: 64 },
  /** Pixels between neighbouring tiles of the sprite sheet. */
  padding: { min: 0, max: 16, default: 2 },
} as const;

/**
 * CPU and memory budget of one request, in 28x28-tile units after scaling: count * scale^2 (for
 * /animate frames * scale^2) may not exceed it. 4096 = 64 images at scale 8 (a 1,806 x 1,806 px
 * sheet), or 16 at scale 16.
 */
export const MAX_SCALED_TILES = 4096;

/** Spelling of a model name: lowercase letters and digits, inner dashes, at most 64 characters. */
export const MODEL_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
/** Spelling of a model version (as the trainer writes them, e.g. "mnist-dcgan-2026-11-30-1a2b3c4d"). */
export const MODEL_VERSION_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;

/** How a sequence (`labels`, `text`) draws its images: one latent vector for all, or one each. */
export const SEQUENCE_STYLES = ["shared", "each"] as const;

/** Spelling of `labels`: classes 0..9 separated by commas ("2,0,2,6"); the length is checked apart. */
export const LABELS_PATTERN = new RegExp(
  `^[0-${NUM_CLASSES - 1}](?:,[0-${NUM_CLASSES - 1}]){0,255}$`,
);
/** Spelling of `text`: digits ("2026"); the length is checked apart. */
export const TEXT_PATTERN = /^[0-9]{1,256}$/;
/** Spelling of `bg`: a hex colour or "transparent". */
export const BACKGROUND_PATTERN = new RegExp(`^(?:[0-9a-fA-F]{6}|${TRANSPARENT})$`);

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
  | { kind: "boolean" }
  | { kind: "enum"; values: readonly string[] }
  | { kind: "pattern"; pattern: RegExp; lowercase?: true };

/**
 * One query parameter, declared once: the parser reads it, the OpenAPI document and the README
 * describe it, the error message quotes `accepted`.
 */
export interface QueryParameter<K extends string = string> {
  name: K;
  type: ParameterType;
  /** Its value when absent (null: absent has a meaning of its own, said in `accepted`). */
  fallback: (limits: QueryLimits) => number | string | boolean | null;
  /** The refusal's "must be ..." clause: what is accepted, and what absent means. */
  accepted: (limits: QueryLimits) => string;
  /** One line for the API reference. */
  description: string;
  example?: string;
}

export const integer = (min: number, max: number | ((limits: QueryLimits) => number)) =>
  ({ kind: "integer", min, max: typeof max === "number" ? () => max : max }) as const;

/** One of a list of words, `fallback` when absent. */
function choice<K extends string, V extends string>(
  name: K,
  values: readonly V[],
  fallback: NoInfer<V>,
  meanings: string,
  description: string,
) {
  return {
    name,
    type: { kind: "enum", values },
    fallback: (): V => fallback,
    accepted: () =>
      `${values.map((v) => JSON.stringify(v)).join(" or ")} (default ${JSON.stringify(fallback)}; ${meanings})`,
    description,
    example: values.find((v) => v !== fallback) ?? fallback,
  } as const satisfies QueryParameter<K>;
}

/** "true" or "false", read as a boolean; false when absent. */
function flag<K extends string>(name: K, accepted: string, description: string) {
  return {
    name,
    type: { kind: "boolean" },
    fallback: () => false,
    accepted: () => accepted,
    description,
    example: "true",
  } as const satisfies QueryParameter<K>;
}

type TileOption = keyof typeof TILE_OPTIONS;
/** A tile option's value when absent: its default, or null (columns: decided by the count). */
type TileFallback<K extends TileOption> = (typeof TILE_OPTIONS)[K] extends { default: number }
  ? number
  : null;

/** Like scale, columns and padding: an integer in a range, its default when absent. */
function tileOption<K extends TileOption>(
  name: K,
  description: string,
): QueryParameter<K> & { type: { kind: "integer" }; fallback: () => TileFallback<K> } {
  const range: { min: number; max: number; default?: number } = TILE_OPTIONS[name];
  const fallback = (range.default ?? null) as TileFallback<K>;
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

/** `seed` (GET /sample and /animate). */
export const SEED_PARAMETER = {
  name: "seed",
  type: integer(0, MAX_SEED),
  fallback: () => null,
  accepted: () =>
    `an unsigned 32-bit integer from 0 to ${MAX_SEED}, written as plain decimal digits, or omitted for a random seed`,
  description:
    "Unsigned 32-bit seed; absent picks a random one (returned in the body and X-Seed). The same seed gives the same images.",
  example: "42",
} as const satisfies QueryParameter;

/** How one tile is drawn: size, smoothing, inversion and colours (GET /sample and /animate). */
export const TILE_DRAWING_PARAMETERS = [
  tileOption(
    "scale",
    `Upscaling of every tile (28 px -> 28 * scale px), in the PNG sheet and the JSON data URLs alike. count * scale^2 may not exceed ${MAX_SCALED_TILES}.`,
  ),
  choice(
    "resample",
    RESAMPLE_METHODS,
    "nearest",
    "bilinear and bicubic are smooth",
    "How scale fills the new pixels: nearest keeps crisp blocks; bilinear and bicubic (Catmull-Rom) draw smooth strokes for banners and slides.",
  ),
  flag(
    "invert",
    '"true" (dark images on a light background) or "false" (default)',
    "true: dark images on a light background.",
  ),
  {
    name: "fg",
    type: { kind: "pattern", pattern: HEX_COLOUR_PATTERN, lowercase: true },
    fallback: () => null,
    accepted: () =>
      'a colour as six hex digits without "#", such as "ff6600", or omitted for white (black with invert=true)',
    description:
      "Ink colour. With fg or bg the images are RGB (or RGBA), each pixel bg + (fg - bg) * intensity; without either, grayscale as before.",
    example: "ff6600",
  },
  {
    name: "bg",
    type: { kind: "pattern", pattern: BACKGROUND_PATTERN, lowercase: true },
    fallback: () => null,
    accepted: () =>
      `a colour as six hex digits without "#", such as "fff5e6", or "${TRANSPARENT}" (alpha from the intensity), or omitted for black (white with invert=true)`,
    description: `Paper colour, also of the padding between tiles; "${TRANSPARENT}" gives PNGs with an alpha channel (the ink colour at the intensity's opacity) and SVGs without a background.`,
    example: TRANSPARENT,
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
    name: "labels",
    type: { kind: "pattern", pattern: LABELS_PATTERN },
    fallback: () => null,
    accepted: ({ maxCount }) =>
      `a comma-separated list of 1 to ${maxCount} classes from 0 to ${NUM_CLASSES - 1}, such as "2,0,2,6", without count or label`,
    description:
      "One image per listed class, in this order, in one row (columns defaults to the list's length). With style=shared every image is drawn from one latent vector: one hand writes the whole number. Excludes count and label.",
    example: "2,0,2,6",
  },
  {
    name: "text",
    type: { kind: "pattern", pattern: TEXT_PATTERN },
    fallback: () => null,
    accepted: ({ maxCount }) =>
      `1 to ${maxCount} digits, such as "2026", for a model whose classes are the digits 0-9, without count, label or labels`,
    description:
      "Shorthand of labels for models whose classes are the digits: text=2026 is labels=2,0,2,6. Other characters, and models of other classes, are refused.",
    example: "2026",
  },
  choice(
    "style",
    SEQUENCE_STYLES,
    "shared",
    "only with labels or text",
    "With labels or text: shared draws every image from the request seed's latent vector (one hand); each gives image i its own vector, as count does.",
  ),
  SEED_PARAMETER,
  {
    name: "format",
    type: { kind: "enum", values: SAMPLE_FORMATS },
    fallback: () => "json",
    accepted: () => '"json" (default), "png" or "svg"',
    description:
      "json: one PNG data URL per image; png: one sprite sheet; svg: the same sheet with each tile traced into filled contour paths (crisp at any size).",
    example: "png",
  },
  ...MODEL_PARAMETERS,
  ...TILE_DRAWING_PARAMETERS,
  tileOption(
    "columns",
    "Tiles per row of the PNG or SVG sprite sheet; absent: ceil(sqrt(count)), or the length of labels/text.",
  ),
  tileOption("padding", "Pixels between the tiles of the sprite sheet."),
] as const satisfies readonly QueryParameter[];

/** The query parameters GET /sample understands. */
export const SAMPLE_QUERY_PARAMETERS = SAMPLE_PARAMETERS.map((p) => p.name);

/** The query parameters of GET /model and GET /healthz. */
export const MODEL_QUERY_PARAMETERS = MODEL_PARAMETERS.map((p) => p.name);

/** A parameter's value as read: its type's, or null where absent has a meaning of its own. */
export type ParameterValue<P extends QueryParameter> =
  | (P["type"] extends { kind: "integer" }
      ? number
      : P["type"] extends { kind: "boolean" }
        ? boolean
        : P["type"] extends { kind: "enum"; values: readonly (infer V)[] }
          ? V
          : string)
  | (null extends ReturnType<P["fallback"]> ? null : never);

/** A parameter's key in a parsed query: its name in camelCase (`to_label` -> `toLabel`). */
export type QueryKey<Name extends string> = Name extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<QueryKey<Tail>>}`
  : Name;

/** The parsed values of a parameter table, keyed by {@link QueryKey}, typed by the declarations. */
export type QueryValues<P extends readonly QueryParameter[]> = {
  [Parameter in P[number] as QueryKey<Parameter["name"]>]: ParameterValue<Parameter>;
};

/** A parameter's key in a parsed query (`to_label` -> `toLabel`). */
export function queryKey<Name extends string>(name: Name): QueryKey<Name> {
  return name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase()) as QueryKey<Name>;
}

/**
 * A valid /sample query: the values of {@link SAMPLE_PARAMETERS} (nulls: absent, with the
 * meanings their `accepted` says), except `labels`, read into class numbers (from `labels` or
 * `text`; null: count and label apply), and `count`, the sequence's length when there is one.
 */
export type SampleQuery = Omit<QueryValues<typeof SAMPLE_PARAMETERS>, "labels"> & {
  labels: number[] | null;
};

/** Refusals any query can get, whatever its table. */
const QUERY_REFUSALS = ["unknown_parameter", "repeated_parameter"] as const;

/** The error code of a value its declaration refuses. */
type InvalidCode<P extends readonly QueryParameter[]> = `invalid_${P[number]["name"]}`;

/**
 * Every error code a parser of `parameters` can answer: unknown or repeated names, each
 * parameter's `invalid_<name>`, and the parser's own checks across parameters (`checks`).
 */
export function queryErrorCodes<
  P extends readonly QueryParameter[],
  const C extends readonly string[] = [],
>(parameters: P, checks: C = [] as unknown as C) {
  const invalid = parameters.map((p) => `invalid_${p.name}` as InvalidCode<P>);
  return [...QUERY_REFUSALS, ...invalid, ...checks] as const;
}

/** The codes of GET /sample's 400s. */
export const SAMPLE_QUERY_ERROR_CODES = queryErrorCodes(SAMPLE_PARAMETERS, [
  "conflicting_parameters",
  "request_too_large",
]);
export type SampleQueryErrorCode = (typeof SAMPLE_QUERY_ERROR_CODES)[number];

/** The codes of GET /model's and /healthz's 400s. */
export const MODEL_QUERY_ERROR_CODES = queryErrorCodes(MODEL_PARAMETERS);

/** A refused query: its code (one of its parser's list) and a message naming what is accepted. */
export interface QueryError<Code extends string = string> {
  code: Code;
  message: string;
}

/** What a query parser answers. */
export type QueryResult<Value, Code extends string> =
  | { ok: true; value: Value }
  | { ok: false; error: QueryError<Code> };

export type SampleQueryResult = QueryResult<SampleQuery, SampleQueryErrorCode>;

type Failure<Code extends string> = { ok: false; error: QueryError<Code> };

/** A refusal with its code and message. */
export function fail<const Code extends string>(code: Code, message: string): Failure<Code> {
  return { ok: false, error: { code, message } };
}

/**
 * The parameters as a name -> value map, refusing unknown names and repeated ones.
 * @param accepted the names this endpoint understands (listed in the refusal)
 */
function singleKnownValues(
  params: URLSearchParams,
  accepted: readonly string[],
): { ok: true; values: Map<string, string> } | Failure<(typeof QUERY_REFUSALS)[number]> {
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
  if (type.kind === "boolean") return text === "true" ? true : text === "false" ? false : null;
  if (type.kind === "enum") return type.values.includes(text) ? text : null;
  if (!type.pattern.test(text)) return null;
  return type.lowercase ? text.toLowerCase() : text;
}

/**
 * Every declared parameter's value (or fallback), checked in declaration order (also /animate's),
 * keyed by {@link queryKey} and typed by the declarations.
 */
export function readParameters<P extends readonly QueryParameter[]>(
  parameters: P,
  params: URLSearchParams,
  limits: QueryLimits,
):
  | { ok: true; values: QueryValues<P> }
  | Failure<(typeof QUERY_REFUSALS)[number] | InvalidCode<P>> {
  const checked = singleKnownValues(
    params,
    parameters.map((p) => p.name),
  );
  if (!checked.ok) return checked;
  const values: Record<string, number | string | boolean | null> = {};
  for (const parameter of parameters) {
    const text = checked.values.get(parameter.name);
    const value =
      text === undefined ? parameter.fallback(limits) : readValue(parameter, text, limits);
    if (text !== undefined && value === null) {
      return fail(
        `invalid_${parameter.name}` as InvalidCode<P>,
        `${parameter.name} must be ${parameter.accepted(limits)}; got ${quote(text)}`,
      );
    }
    values[queryKey(parameter.name)] = value;
  }
  // each value was read by its own declaration, which is what QueryValues<P> spells out
  return { ok: true, values: values as QueryValues<P> };
}

/** Which model (null: the default) at which version (null: the live one). */
export type ModelPick = QueryValues<typeof MODEL_PARAMETERS>;

/**
 * Validate the query of `GET /model` (and `/healthz`): `model` and `version`, spelled as for
 * /sample; anything else is refused like there.
 * @example parseModelQuery(new URLSearchParams("model=fashion-mnist")) // { ok: true, value: { model: "fashion-mnist", version: null } }
 */
export function parseModelQuery(
  params: URLSearchParams,
): QueryResult<ModelPick, (typeof MODEL_QUERY_ERROR_CODES)[number]> {
  const read = readParameters(MODEL_PARAMETERS, params, { maxCount: 1 });
  return read.ok ? { ok: true, value: read.values } : read;
}

/**
 * The classes of a sequence (`labels` or `text`), refusing what cannot go with it: both at
 * once, count or label beside them, a list longer than maxCount, style without a sequence.
 */
function readSequence(
  params: URLSearchParams,
  labels: string | null,
  text: string | null,
  limits: QueryLimits,
): { ok: true; labels: number[] | null } | Failure<SampleQueryErrorCode> {
  const given = labels !== null ? "labels" : text !== null ? "text" : null;
  if (given === null) {
    if (params.has("style")) {
      return fail(
        "conflicting_parameters",
        "style applies to a sequence: give labels (such as labels=2,0,2,6) or text (such as text=2026) with it, or leave style out",
      );
    }
    return { ok: true, labels: null };
  }
  const others = ["count", "label", ...(given === "labels" ? ["text"] : [])].filter((name) =>
    params.has(name),
  );
  if (others.length > 0) {
    return fail(
      "conflicting_parameters",
      `${given} gives the images' classes and their number: leave out ${others.join(" and ")} (got ${others.map((name) => `${name}=${quote(params.get(name) ?? "")}`).join(", ")})`,
    );
  }
  const classes =
    labels !== null ? labels.split(",").map(Number) : Array.from(text ?? "", (ch) => Number(ch));
  if (classes.length > limits.maxCount) {
    const accepted = SAMPLE_PARAMETERS.find((p) => p.name === given)?.accepted(limits);
    return fail(`invalid_${given}`, `${given} must be ${accepted}; got ${classes.length} classes`);
  }
  return { ok: true, labels: classes };
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
  const sequence = readSequence(params, v.labels, v.text, limits);
  if (!sequence.ok) return sequence;
  const labels = sequence.labels;
  const query: SampleQuery = { ...v, labels, count: labels?.length ?? v.count };
  const { count, scale } = query;
  if (count * scale * scale > MAX_SCALED_TILES) {
    return fail(
      "request_too_large",
      `count * scale^2 = ${count} * ${scale}^2 = ${count * scale * scale} exceeds the per-request budget of ${MAX_SCALED_TILES} (e.g. 64 images at scale 8, 16 at scale 16, or 256 at scale 4): ask for fewer images or a smaller scale`,
    );
  }
  return { ok: true, value: query };
}
