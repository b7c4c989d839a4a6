/**
 * Validation of the `GET /sample` query string.
 *
 * Lives in shared so the edge worker, its tests and any client agree on what is accepted.
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

/** The query parameters GET /sample understands. */
export const SAMPLE_QUERY_PARAMETERS = [
  "count",
  "label",
  "seed",
  "format",
  "model",
  "version",
  "scale",
  "invert",
  "columns",
  "padding",
] as const;

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

export type SampleQueryErrorCode =
  | "invalid_count"
  | "invalid_label"
  | "invalid_seed"
  | "invalid_format"
  | "invalid_model"
  | "invalid_version"
  | "invalid_scale"
  | "invalid_invert"
  | "invalid_columns"
  | "invalid_padding"
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

/**
 * An optional integer parameter in min..max (canonical digits), its default when absent, or the
 * failure to report.
 */
function boundedInt<D extends number | null>(
  values: Map<string, string>,
  name: "scale" | "columns" | "padding",
  min: number,
  max: number,
  fallback: D,
): number | D | { ok: false; error: SampleQueryError } {
  const text = values.get(name);
  if (text === undefined) return fallback;
  const n = parseCanonicalInt(text, max);
  if (n === null || n < min) {
    const absent = fallback === null ? "omitted for the default" : `default ${fallback}`;
    return fail(
      `invalid_${name}`,
      `${name} must be an integer from ${min} to ${max}, written as plain decimal digits (${absent}); got ${quote(text)}`,
    );
  }
  return n;
}

function fail(code: SampleQueryErrorCode, message: string): { ok: false; error: SampleQueryError } {
  return { ok: false, error: { code, message } };
}

/**
 * The parameters as a name -> value map, refusing unknown names and repeated ones.
 * @param accepted the names this endpoint understands (listed in the refusal)
 */
function singleKnownValues(
  params: URLSearchParams,
  accepted: readonly string[],
): { ok: true; values: Map<string, string> } | { ok: false; error: SampleQueryError } {
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

/** Which model (null: the default) at which version (null: the live one). */
export interface ModelPick {
  model: string | null;
  version: string | null;
}

function parseModelPick(
  values: Map<string, string>,
): { ok: true; value: ModelPick } | { ok: false; error: SampleQueryError } {
  const model = values.get("model") ?? null;
  if (model !== null && !MODEL_NAME_PATTERN.test(model)) {
    return fail(
      "invalid_model",
      `model must be a model name such as "mnist" (lowercase letters, digits and inner dashes; GET /models lists them), or omitted for the default model; got ${quote(model)}`,
    );
  }
  const version = values.get("version") ?? null;
  if (version !== null && !MODEL_VERSION_PATTERN.test(version)) {
    return fail(
      "invalid_version",
      `version must be a model version as GET /models shows it (letters, digits, ".", "_", "-"), or omitted for the live version; got ${quote(version)}`,
    );
  }
  return { ok: true, value: { model, version } };
}

/** The query parameters of GET /model and GET /healthz. */
export const MODEL_QUERY_PARAMETERS = ["model", "version"] as const;

/**
 * Validate the query of `GET /model` (and `/healthz`): `model` and `version`, spelled as for
 * /sample; anything else is refused like there.
 * @example parseModelQuery(new URLSearchParams("model=fashion-mnist")) // { ok: true, value: { model: "fashion-mnist", version: null } }
 */
export function parseModelQuery(
  params: URLSearchParams,
): { ok: true; value: ModelPick } | { ok: false; error: SampleQueryError } {
  const checked = singleKnownValues(params, MODEL_QUERY_PARAMETERS);
  return checked.ok ? parseModelPick(checked.values) : checked;
}

/**
 * Validate the query of `GET /sample`.
 *
 * Accepted: `count` integer 1..maxCount (default 16, or maxCount when that is smaller), `label` integer 0..9 (absent: labels
 * spread over the classes), `seed` integer 0..4294967295 (absent: the server picks one),
 * `format` "json" (default) or "png", `model` a model name (absent: the default model),
 * `version` a model version (absent: the live one). See the file header for the exact rules.
 *
 * @example
 * parseSampleQuery(new URLSearchParams("count=4&label=7&seed=42"), { maxCount: 64 });
 * // { ok: true, value: { count: 4, label: 7, seed: 42, format: "json", model: null, version: null } }
 * parseSampleQuery(new URLSearchParams("count=1.5"), { maxCount: 64 });
 * // { ok: false, error: { code: "invalid_count", message: 'count must be ... got "1.5"' } }
 * @throws RangeError when options.maxCount is not a positive safe integer (a server bug, not a bad request).
 */
export function parseSampleQuery(
  params: URLSearchParams,
  options: { maxCount: number },
): SampleQueryResult {
  const { maxCount } = options;
  if (!Number.isSafeInteger(maxCount) || maxCount < 1) {
    throw new RangeError(`maxCount must be a positive integer, got ${String(maxCount)}`);
  }

  const checked = singleKnownValues(params, SAMPLE_QUERY_PARAMETERS);
  if (!checked.ok) return checked;
  const values = checked.values;

  let count = Math.min(DEFAULT_SAMPLE_COUNT, maxCount);
  const countText = values.get("count");
  if (countText !== undefined) {
    const n = parseCanonicalInt(countText, maxCount);
    if (n === null || n < 1) {
      return fail(
        "invalid_count",
        `count must be an integer from 1 to ${maxCount}, written as plain decimal digits (default ${count}); got ${quote(countText)}`,
      );
    }
    count = n;
  }

  let label: number | null = null;
  const labelText = values.get("label");
  if (labelText !== undefined) {
    label = parseCanonicalInt(labelText, NUM_CLASSES - 1);
    if (label === null) {
      return fail(
        "invalid_label",
        `label must be an integer from 0 to ${NUM_CLASSES - 1}, written as plain decimal digits, or omitted to spread images over all classes; got ${quote(labelText)}`,
      );
    }
  }

  let seed: number | null = null;
  const seedText = values.get("seed");
  if (seedText !== undefined) {
    seed = parseCanonicalInt(seedText, MAX_SEED);
    if (seed === null) {
      return fail(
        "invalid_seed",
        `seed must be an unsigned 32-bit integer from 0 to ${MAX_SEED}, written as plain decimal digits, or omitted for a random seed; got ${quote(seedText)}`,
      );
    }
  }

  let format: SampleFormat = "json";
  const formatText = values.get("format");
  if (formatText !== undefined) {
    if (!(SAMPLE_FORMATS as readonly string[]).includes(formatText)) {
      return fail(
        "invalid_format",
        `format must be "json" (default) or "png"; got ${quote(formatText)}`,
      );
    }
    format = formatText as SampleFormat;
  }

  const pick = parseModelPick(values);
  if (!pick.ok) return pick;
  const { model, version } = pick.value;

  const { scale: scaleRange, columns: columnsRange, padding: paddingRange } = TILE_OPTIONS;
  const scale = boundedInt(values, "scale", scaleRange.min, scaleRange.max, scaleRange.default);
  if (typeof scale === "object") return scale;
  const invertText = values.get("invert");
  if (invertText !== undefined && invertText !== "true" && invertText !== "false") {
    return fail(
      "invalid_invert",
      `invert must be "true" (dark images on a light background) or "false" (default); got ${quote(invertText)}`,
    );
  }
  const invert = invertText === "true";
  const columns = boundedInt(values, "columns", columnsRange.min, columnsRange.max, null);
  if (typeof columns === "object" && columns !== null) return columns;
  const padding = boundedInt(
    values,
    "padding",
    paddingRange.min,
    paddingRange.max,
    paddingRange.default,
  );
  if (typeof padding === "object") return padding;
  if (count * scale * scale > MAX_SCALED_TILES) {
    return fail(
      "request_too_large",
      `count * scale^2 = ${count} * ${scale}^2 = ${count * scale * scale} exceeds the per-request budget of ${MAX_SCALED_TILES} (e.g. 64 images at scale 8, or 256 at scale 4): ask for fewer images or a smaller scale`,
    );
  }

  return {
    ok: true,
    value: { count, label, seed, format, model, version, scale, invert, columns, padding },
  };
}
