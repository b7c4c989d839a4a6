/**
 * Validation of the `GET /animate` query string: an animated PNG of a walk through latent space,
 * from `seed` to `to`, optionally from class `label` to `to_label`. Declared once in
 * {@link ANIMATE_PARAMETERS}, read by the same parser as /sample's (same spelling rules, same
 * refusals naming what is accepted); the tile drawing parameters are /sample's own declarations.
 */
import { NUM_CLASSES } from "./contract.ts";
import { MAX_SEED } from "./rng.ts";
import {
  fail,
  integer,
  MAX_SCALED_TILES,
  MODEL_PARAMETERS,
  type QueryParameter,
  type QueryResult,
  type QueryValues,
  queryErrorCodes,
  readParameters,
  SEED_PARAMETER,
  TILE_DRAWING_PARAMETERS,
} from "./sample-query.ts";

/** Frames of an animation: bounds and default. */
const FRAMES = { min: 2, max: 64, default: 16 } as const;
/** Frames per second: bounds and default. */
export const FPS = { min: 1, max: 30, default: 12 } as const;

/** The parameters of GET /animate, in the order they are checked. */
export const ANIMATE_PARAMETERS = [
  SEED_PARAMETER,
  {
    name: "to",
    type: integer(0, MAX_SEED),
    fallback: () => null,
    accepted: () =>
      `an unsigned 32-bit integer from 0 to ${MAX_SEED}, or omitted for the seed of /sample's second image of the same seed`,
    description:
      "Seed of the latent vector the walk ends at (or, with loop, passes through); absent: /sample?seed=SEED's second image's seed.",
    example: "7",
  },
  {
    name: "label",
    type: integer(0, NUM_CLASSES - 1),
    fallback: () => null,
    accepted: () =>
      `an integer from 0 to ${NUM_CLASSES - 1}, or omitted for seed mod ${NUM_CLASSES}`,
    description: `Class the walk starts in; absent: the seed mod ${NUM_CLASSES}.`,
    example: "3",
  },
  {
    name: "to_label",
    type: integer(0, NUM_CLASSES - 1),
    fallback: () => null,
    accepted: () => `an integer from 0 to ${NUM_CLASSES - 1}, or omitted for label`,
    description:
      "Class the walk ends in: the one-hot label is interpolated too, a morph between classes; absent: label.",
    example: "8",
  },
  {
    name: "frames",
    type: integer(FRAMES.min, FRAMES.max),
    fallback: () => FRAMES.default,
    accepted: () => `an integer from ${FRAMES.min} to ${FRAMES.max} (default ${FRAMES.default})`,
    description: `Frames of the animation. frames * scale^2 may not exceed ${MAX_SCALED_TILES}.`,
    example: "24",
  },
  {
    name: "fps",
    type: integer(FPS.min, FPS.max),
    fallback: () => FPS.default,
    accepted: () => `an integer from ${FPS.min} to ${FPS.max} (default ${FPS.default})`,
    description: "Frames per second.",
    example: "8",
  },
  {
    name: "loop",
    type: { kind: "boolean" },
    fallback: () => false,
    accepted: () =>
      '"true" (once round the great circle through both vectors, seamless) or "false" (default: from seed to to)',
    description:
      "true: a seamless cycle, spherical interpolation once round the great circle through both vectors (the label goes to to_label and back); false: a walk from seed to to.",
    example: "true",
  },
  ...MODEL_PARAMETERS,
  ...TILE_DRAWING_PARAMETERS,
] as const satisfies readonly QueryParameter[];

/** The query parameters GET /animate understands. */
export const ANIMATE_QUERY_PARAMETERS = ANIMATE_PARAMETERS.map((p) => p.name);

/** The codes of GET /animate's 400s. */
export const ANIMATE_QUERY_ERROR_CODES = queryErrorCodes(ANIMATE_PARAMETERS, [
  "conflicting_parameters",
  "request_too_large",
]);

/** A valid /animate query: the values of ANIMATE_PARAMETERS (nulls: absent, as each says). */
export type AnimateQuery = QueryValues<typeof ANIMATE_PARAMETERS>;

/**
 * Validate the query of `GET /animate`.
 * @example parseAnimateQuery(new URLSearchParams("seed=1&to=2&frames=24&loop=true"))
 */
export function parseAnimateQuery(
  params: URLSearchParams,
): QueryResult<AnimateQuery, (typeof ANIMATE_QUERY_ERROR_CODES)[number]> {
  const read = readParameters(ANIMATE_PARAMETERS, params, { maxCount: FRAMES.max });
  if (!read.ok) return read;
  const query = read.values;
  if (query.loop && query.to !== null && query.to === query.seed) {
    return fail(
      "conflicting_parameters",
      `loop needs two different vectors to span its circle: give a to other than seed (both ${query.to}), or leave to out`,
    );
  }
  const { frames, scale } = query;
  if (frames * scale * scale > MAX_SCALED_TILES) {
    return fail(
      "request_too_large",
      `frames * scale^2 = ${frames} * ${scale}^2 = ${frames * scale * scale} exceeds the per-request budget of ${MAX_SCALED_TILES} (e.g. 64 frames at scale 8, or 16 at scale 16): ask for fewer frames or a smaller scale`,
    );
  }
  return { ok: true, value: query };
}
