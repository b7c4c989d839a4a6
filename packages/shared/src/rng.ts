/**
 * Seeded random numbers that come out bit-identical in Node and in workerd.
 *
 * The trainer draws its noise here and the edge worker draws the z of every served image
 * here, so "image (label, seed)" means the same picture everywhere. Two choices make that hold:
 *
 * - the generator is xoshiro128** on four uint32 words, written with `Math.imul` and `>>> 0`
 *   only (exact integer arithmetic in every JavaScript engine), seeded from one uint32 through
 *   splitmix32;
 * - normals use Box-Muller with our own `ln`, `cos` built from +, -, *, / and `Math.sqrt`
 *   (all correctly rounded by IEEE 754), not `Math.log` / `Math.cos`: ECMAScript leaves
 *   those "implementation-approximated", and Node 20 and workerd ship different V8 versions.
 *   (Measured 2026-11-29: Math.log/Math.cos did agree bit for bit between Node 20.20 and
 *   workerd 2026-04-26 over 2M samples, but nothing promises that for later versions; our
 *   own functions cost ~50 us per latent and agree with the Math.* formula to ~3e-15.)
 */
import { LATENT_SIZE } from "./contract.ts";

/** Largest accepted seed: 2^32 - 1. */
export const MAX_SEED = 0xffffffff;

/** The generator's whole state: four uint32 words, not all zero. JSON-safe for checkpoints. */
export type RngState = [number, number, number, number];

/** A seeded stream of random numbers (see {@link createRng}). */
export interface Rng {
  /** Next uint32 in 0..2^32-1. */
  nextUint32(): number;
  /** Next float in [0, 1) with 32-bit resolution: nextUint32() / 2^32. */
  nextFloat(): number;
  /**
   * Next standard normal N(0, 1), Box-Muller cosine form. Consumes exactly two uint32s and
   * caches nothing (the sine twin is dropped), so the state is only the four words.
   */
  normal(): number;
  /** Uniform integer in 0..n-1 without modulo bias (rejection); n an integer in 1..2^32. */
  int(n: number): number;
  /** Fill `out` with standard normals (one {@link Rng.normal} per element) and return it. */
  fillNormal<T extends Float32Array | Float64Array>(out: T): T;
  /** Copy of the current state, to checkpoint the stream. */
  getState(): RngState;
  /** Restore a state from {@link Rng.getState}; the stream continues exactly from there. */
  setState(state: RngState): void;
}

const TWO_POW_32 = 4294967296;

function describe(value: unknown): string {
  if (typeof value === "string")
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === "bigint") return `${value}n`;
  try {
    return String(value);
  } catch {
    return typeof value;
  }
}

/** True when `value` is an integer in 0..2^32-1. */
function isSeed(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_SEED;
}

/**
 * Check a seed.
 * @throws RangeError naming the value when it is not an integer in 0..4294967295.
 */
export function assertSeed(seed: unknown, name = "seed"): asserts seed is number {
  if (!isSeed(seed)) {
    throw new RangeError(`${name} must be an integer in 0..${MAX_SEED}, got ${describe(seed)}`);
  }
}

/**
 * splitmix32: a Weyl sequence (step 0x9e3779b9, the 32-bit golden ratio) through the
 * MurmurHash3 fmix32 finaliser. Returns the next output and the advanced counter.
 * fmix32 is a bijection and the four counters used for a seed are distinct, so at most one
 * of the four state words can be zero: the xoshiro state is never all zero.
 */
function splitmix32(counter: number): [output: number, counter: number] {
  const next = (counter + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [(z ^ (z >>> 16)) >>> 0, next];
}

/** The xoshiro128** state derived from a uint32 seed (four splitmix32 outputs). */
export function seedState(seed: number): RngState {
  assertSeed(seed);
  let counter = seed;
  const words: number[] = [];
  for (let i = 0; i < 4; i++) {
    const [out, next] = splitmix32(counter);
    words.push(out);
    counter = next;
  }
  return words as RngState;
}

function assertState(state: unknown): asserts state is RngState {
  if (!Array.isArray(state) || state.length !== 4 || !state.every(isSeed)) {
    throw new RangeError(
      `rng state must be 4 integers in 0..${MAX_SEED}, got ${describe(JSON.stringify(state))}`,
    );
  }
  if (state.every((w) => w === 0))
    throw new RangeError("rng state must not be all zero (xoshiro would output only 0)");
}

// ---- deterministic ln and cos (IEEE-754 +, -, *, /, sqrt only) ----

const LN2 = Math.LN2;
const SQRT2 = Math.SQRT2;
const HALF_PI = Math.PI / 2; // exact: halving is exact in binary

/** ln(k / 2^32) for an integer k in 1..2^32: exponent from clz32, mantissa by the atanh series. */
function lnOfUnitFraction(k: number): number {
  if (k === TWO_POW_32) return 0;
  let e = 31 - Math.clz32(k); // k = m * 2^e, m in [1, 2)
  let m = k / 2 ** e;
  if (m > SQRT2) {
    m /= 2;
    e += 1;
  } // m in (0.707, 1.415], so |s| < 0.172 and 12 terms reach double precision
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  let series = 1 / 23;
  for (let d = 21; d >= 1; d -= 2) series = series * s2 + 1 / d;
  return (e - 32) * LN2 + 2 * s * series;
}

/** sin x and cos x by Taylor series for x in [0, pi/4] (terms to x^17 / x^18: below 1e-17). */
function sinSmall(x: number): number {
  const x2 = x * x;
  let sum = 0;
  for (let n = 17; n >= 3; n -= 2) sum = (sum + 1) * (-x2 / (n * (n - 1)));
  return x * (1 + sum);
}
function cosSmall(x: number): number {
  const x2 = x * x;
  let sum = 0;
  for (let n = 18; n >= 2; n -= 2) sum = (sum + 1) * (-x2 / (n * (n - 1)));
  return 1 + sum;
}

/**
 * cos(2 pi b / 2^32) for a uint32 b: quadrant and octant fold with exact integer arithmetic.
 * Deterministic in every engine (no Math.cos); latent-walk.ts draws its angles with it too.
 */
export function cosOfTurn(b: number): number {
  const quadrant = b >>> 30;
  const r = b & 0x3fffffff; // angle within the quadrant = (r / 2^30) * pi/2
  // cos(q*pi/2 + phi) = cos phi, -sin phi, -cos phi, sin phi for q = 0..3
  const useCos = quadrant === 0 || quadrant === 2;
  let value: number;
  if (r <= 0x20000000) {
    const phi = r * (HALF_PI / 0x40000000);
    value = useCos ? cosSmall(phi) : sinSmall(phi);
  } else {
    const psi = (0x40000000 - r) * (HALF_PI / 0x40000000); // phi = pi/2 - psi
    value = useCos ? sinSmall(psi) : cosSmall(psi);
  }
  return quadrant === 1 || quadrant === 2 ? -value : value;
}

/**
 * Box-Muller (cosine form) from two uint32 draws a, b:
 * u1 = 1 - a / 2^32 in (0, 1] (never 0, so ln is finite: |z| <= sqrt(2 * 32 ln 2) ~ 6.66),
 * u2 = b / 2^32 in [0, 1); z = sqrt(-2 ln u1) * cos(2 pi u2).
 */
export function boxMuller(a: number, b: number): number {
  const radius = Math.sqrt(-2 * lnOfUnitFraction(TWO_POW_32 - a));
  return radius * cosOfTurn(b) + 0; // + 0 turns -0 into 0
}

/**
 * A xoshiro128** stream seeded from a uint32 through splitmix32.
 *
 * @example
 * const rng = createRng(42);
 * rng.nextUint32(); // same number on every machine
 * const saved = rng.getState(); rng.normal(); rng.setState(saved); // replays that normal
 * @throws RangeError when seed is not an integer in 0..4294967295.
 */
export function createRng(seed: number): Rng {
  const [w0, w1, w2, w3] = seedState(seed);
  let s0 = w0;
  let s1 = w1;
  let s2 = w2;
  let s3 = w3;

  const nextUint32 = (): number => {
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    return result;
  };

  const normal = (): number => {
    const a = nextUint32();
    return boxMuller(a, nextUint32());
  };

  return {
    nextUint32,
    nextFloat: () => nextUint32() / TWO_POW_32,
    normal,
    int(n: number): number {
      if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
        throw new RangeError(`int(n) needs an integer n in 1..${TWO_POW_32}, got ${describe(n)}`);
      }
      // Accept x below the largest multiple of n that fits in 2^32: every residue equally likely.
      const limit = TWO_POW_32 - (TWO_POW_32 % n);
      for (;;) {
        const x = nextUint32();
        if (x < limit) return x % n;
      }
    },
    fillNormal<T extends Float32Array | Float64Array>(out: T): T {
      for (let i = 0; i < out.length; i++) out[i] = normal();
      return out;
    },
    getState: () => [s0 >>> 0, s1 >>> 0, s2 >>> 0, s3 >>> 0],
    setState(state: RngState): void {
      assertState(state);
      [s0, s1, s2, s3] = state;
    },
  };
}

/**
 * The latent vector of one image: LATENT_SIZE standard normals, the first LATENT_SIZE
 * normals of `createRng(seed)`. Shape: float32 [LATENT_SIZE].
 * @throws RangeError when seed is not an integer in 0..4294967295.
 */
export function latentFromSeed(seed: number): Float32Array {
  return createRng(seed).fillNormal(new Float32Array(LATENT_SIZE));
}

/**
 * A seeded shuffle of 0..n-1 (Fisher-Yates from the end, j = rng.int(i + 1)): the epoch order of
 * the training data and the order of a synthetic dataset.
 * @throws RangeError when seed is not an integer in 0..4294967295.
 */
export function seededPermutation(n: number, seed: number): Uint32Array {
  const rng = createRng(seed);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  return order;
}

/**
 * A seeded subset of `count` distinct indices of 0..n-1 (partial Fisher-Yates from the front,
 * j = i + rng.int(n - i)), in drawn order: the real images an evaluation classifier's floor or an
 * experiment uses. At most n indices.
 * @throws RangeError when seed is not an integer in 0..4294967295.
 */
export function seededSubset(n: number, count: number, seed: number): Uint32Array {
  const take = Math.min(count, n);
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  const rng = createRng(seed);
  for (let i = 0; i < take; i++) {
    const j = i + rng.int(n - i);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order.slice(0, take);
}

/**
 * A fresh random seed from the platform's CSPRNG (`crypto.getRandomValues`, present in
 * Node >= 19 and workerd): for requests that give none, so the seed can be reported back.
 */
export function randomSeed(): number {
  const word = new Uint32Array(1);
  crypto.getRandomValues(word);
  return word[0] as number;
}
