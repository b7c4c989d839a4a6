/**
 * Walks through latent space for animations: the generator inputs of `frames` images between
 * two latent vectors (and, for a morph, between two classes' one-hot vectors).
 *
 * - walk: spherical interpolation. The direction turns at constant speed from z0's to z1's in
 *   the plane of both, and the length goes linearly from |z0| to |z1|: every frame stays as long
 *   as a real latent vector (a straight line between two Gaussian vectors passes through short,
 *   washed-out ones). The label goes linearly from one one-hot to the other.
 * - loop: once round the great circle through both directions, at |z0|, frame i at angle
 *   2 pi i / frames: the frame after the last is the first again, so it cycles seamlessly. The
 *   label goes there and back: weight (1 - cos angle) / 2, all `toLabel` half way round.
 *
 * Angles come from cosOfTurn (rng.ts) and an arctangent series, with +, -, *, /, sqrt only, so
 * the inputs, and the images, are the same in every JavaScript engine.
 */
import { LATENT_SIZE, NUM_CLASSES } from "./contract.ts";
import { cosOfTurn } from "./rng.ts";

const TWO_POW_32 = 4294967296;
const QUARTER_PI = Math.PI / 4;
const TAN_EIGHTH_PI = Math.SQRT2 - 1;

/** arctan x for x >= 0 by reduction to |x| <= tan(pi / 8) and the Taylor series (to 1e-17). */
function arctan(x: number): number {
  if (x > 1) return 2 * QUARTER_PI - arctan(1 / x);
  if (x > TAN_EIGHTH_PI) return QUARTER_PI + arctanSmall((x - 1) / (x + 1));
  return arctanSmall(x);
}
function arctanSmall(x: number): number {
  const x2 = x * x;
  // Horner form of x - x^3/3 + x^5/5 - ... (23 terms: |x| <= 0.415 reaches double precision)
  let sum = 0;
  for (let n = 45; n >= 1; n -= 2) sum = sum * x2 + (((n - 1) / 2) % 2 === 0 ? 1 / n : -1 / n);
  return x * sum;
}

/** cos and sin of an angle in radians, through cosOfTurn's exact quadrant fold. */
function cosSin(angle: number): [number, number] {
  const turn = angle / (2 * Math.PI);
  const b = Math.round((turn - Math.floor(turn)) * TWO_POW_32) % TWO_POW_32;
  return [cosOfTurn(b), cosOfTurn((b + 3 * 2 ** 30) % TWO_POW_32)]; // sin x = cos(x - pi/2)
}

/** What a walk is between: two latent vectors and two classes. */
export interface WalkEnds {
  /** float32 [LATENT_SIZE] */
  from: Float32Array;
  to: Float32Array;
  fromLabel: number;
  toLabel: number;
}

/** A walk's generator inputs: z float32 [frames, LATENT_SIZE], label float32 [frames, NUM_CLASSES]. */
export interface WalkInputs {
  z: Float32Array;
  label: Float32Array;
}

/**
 * The inputs of `frames` images along a walk (or a loop) between two vectors.
 * @example walkInputs({ from: latentFromSeed(1), to: latentFromSeed(2), fromLabel: 3, toLabel: 8 }, 16, false)
 * @throws RangeError when frames < 2, a vector is not LATENT_SIZE long or zero, or a label is out of range
 */
export function walkInputs(ends: WalkEnds, frames: number, loop: boolean): WalkInputs {
  const { from, to, fromLabel, toLabel } = ends;
  if (!Number.isInteger(frames) || frames < 2) {
    throw new RangeError(`a walk needs an integer number of frames >= 2, got ${String(frames)}`);
  }
  for (const [name, v] of [
    ["from", from],
    ["to", to],
  ] as const) {
    if (v.length !== LATENT_SIZE)
      throw new RangeError(`${name} must hold ${LATENT_SIZE} values, got ${v.length}`);
  }
  for (const l of [fromLabel, toLabel]) {
    if (!Number.isInteger(l) || l < 0 || l >= NUM_CLASSES) {
      throw new RangeError(`labels must be integers in 0..${NUM_CLASSES - 1}, got ${String(l)}`);
    }
  }
  const norm = (v: ArrayLike<number>) => {
    let sum = 0;
    for (let k = 0; k < v.length; k++) sum += (v[k] as number) ** 2;
    return Math.sqrt(sum);
  };
  const r0 = norm(from);
  const r1 = norm(to);
  if (r0 === 0 || r1 === 0) throw new RangeError("latent vectors of a walk must not be zero");
  // orthonormal basis of the plane: e1 along from, e2 the part of to orthogonal to it
  const e1 = Float64Array.from(from, (v) => v / r0);
  let cosine = 0;
  for (let k = 0; k < LATENT_SIZE; k++) cosine += (e1[k] as number) * ((to[k] as number) / r1);
  const e2 = Float64Array.from(to, (v, k) => v / r1 - cosine * (e1[k] as number));
  const sine = norm(e2);
  if (sine > 1e-12) for (let k = 0; k < LATENT_SIZE; k++) e2[k] = (e2[k] as number) / sine;
  else e2.fill(0); // the same direction: the walk only changes length
  // the angle between them, in [0, pi]: 2 atan(sin / (1 + cos)), or pi when opposite
  const between = 1 + cosine > 1e-15 ? 2 * arctan(sine / (1 + cosine)) : Math.PI;

  const z = new Float32Array(frames * LATENT_SIZE);
  const label = new Float32Array(frames * NUM_CLASSES);
  for (let i = 0; i < frames; i++) {
    const t = i / (frames - 1);
    const angle = loop ? (2 * Math.PI * i) / frames : t * between;
    const radius = loop ? r0 : (1 - t) * r0 + t * r1;
    const [c, s] = cosSin(angle);
    for (let k = 0; k < LATENT_SIZE; k++) {
      z[i * LATENT_SIZE + k] = radius * (c * (e1[k] as number) + s * (e2[k] as number));
    }
    const weight = loop ? (1 - c) / 2 : t;
    // one class when both are the same: 1 - w + w = 1
    label[i * NUM_CLASSES + fromLabel] = 1 - weight;
    label[i * NUM_CLASSES + toLabel] = (label[i * NUM_CLASSES + toLabel] as number) + weight;
  }
  return { z, label };
}
