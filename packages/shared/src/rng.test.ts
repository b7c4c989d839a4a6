import { describe, expect, it } from "vitest";
import { LATENT_SIZE } from "./contract.ts";
import {
  assertSeed,
  boxMuller,
  createRng,
  latentFromSeed,
  type RngState,
  randomSeed,
  seededPermutation,
  seededSubset,
  seedState,
} from "./rng.ts";
import { LATENT_SEED_123 } from "./rng-golden.ts";

// ---- a second, independent implementation with BigInt (no Math.imul, no >>> tricks) ----
const M32 = 0xffffffffn;
const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & M32;
function bigSeedState(seed: number): bigint[] {
  let counter = BigInt(seed);
  const words: bigint[] = [];
  for (let i = 0; i < 4; i++) {
    counter = (counter + 0x9e3779b9n) & M32;
    let z = counter;
    z = ((z ^ (z >> 16n)) * 0x85ebca6bn) & M32;
    z = ((z ^ (z >> 13n)) * 0xc2b2ae35n) & M32;
    words.push(z ^ (z >> 16n));
  }
  return words;
}
function bigXoshiro(state: bigint[]): () => number {
  const s = [...state] as [bigint, bigint, bigint, bigint];
  return () => {
    const result = (rotl((s[1] * 5n) & M32, 7n) * 9n) & M32;
    const t = (s[1] << 9n) & M32;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11n);
    return Number(result);
  };
}

describe("xoshiro128** core", () => {
  it("matches published reference-implementation values (state words given directly)", () => {
    // Test data generated with the C reference xoshiro128starstar.c, as published in
    // edorfaus/xoshiro-6502 test-rom/testdata.asm (state from seed bytes 0C 4A 4D 96 ...).
    const rng = createRng(0);
    rng.setState([0x964d4a0c, 0xd40ab895, 0xad7fdecb, 0x3006f0f0]);
    const outputs = [rng.nextUint32(), rng.nextUint32(), rng.nextUint32(), rng.nextUint32()];
    expect(outputs).toEqual([0xf1391922, 0x6fe53806, 0xa5be2840, 0xf510ee70]);
    expect(rng.getState()).toEqual([0xfc65379c, 0x52006d70, 0x87487639, 0xf1908343]);
  });

  it("agrees with an independent BigInt implementation for many seeds and draws", () => {
    for (const seed of [0, 1, 2, 42, 123456789, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff]) {
      expect(seedState(seed)).toEqual(bigSeedState(seed).map(Number));
      const fast = createRng(seed);
      const slow = bigXoshiro(bigSeedState(seed));
      for (let i = 0; i < 1000; i++) expect(fast.nextUint32()).toBe(slow());
    }
  });

  it("pins golden uint32 sequences for fixed seeds", () => {
    const first6 = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 6 }, () => rng.nextUint32());
    };
    expect(seedState(0)).toEqual([2462723854, 1020716019, 454327756, 1275600319]);
    expect(first6(0)).toEqual([
      3809008728, 1133695204, 53579671, 2891528803, 139681546, 2203266335,
    ]);
    expect(first6(1)).toEqual([
      2442144158, 3238099751, 3819917871, 2104621829, 2021136066, 4223536128,
    ]);
    expect(first6(42)).toEqual([
      2837322924, 544945897, 479756282, 3500138142, 339756180, 113173290,
    ]);
    expect(first6(4294967295)).toEqual([
      835879718, 1921286648, 2356205009, 1885780724, 980451116, 1053911718,
    ]);
  });

  it("pins golden floats and normals (exact doubles)", () => {
    const f = createRng(42);
    expect([f.nextFloat(), f.nextFloat(), f.nextFloat(), f.nextFloat()]).toEqual([
      0.6606157226487994, 0.12688010395504534, 0.11170196393504739, 0.8149394164793193,
    ]);
    const n = createRng(42);
    expect(Array.from({ length: 6 }, () => n.normal())).toEqual([
      1.02717756794564, 0.19312959788538464, 0.40042869885474475, -0.009860904918430325,
      -0.9359773104620712, -0.6284263016332111,
    ]);
  });
});

describe("nextFloat / int", () => {
  it("nextFloat is uint32 / 2^32", () => {
    const a = createRng(5);
    const b = createRng(5);
    for (let i = 0; i < 100; i++) expect(a.nextFloat()).toBe(b.nextUint32() / 2 ** 32);
  });

  it("int(n) stays in range, covers every value, and uses rejection above the limit", () => {
    const rng = createRng(9);
    expect(Array.from({ length: 8 }, () => rng.int(10))).toEqual([4, 2, 8, 6, 5, 7, 0, 8]);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[rng.int(7)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(rng.int(1)).toBe(0);
    const big = rng.int(2 ** 32);
    expect(Number.isInteger(big) && big >= 0 && big < 2 ** 32).toBe(true);
  });

  it("int(n) rejects (not wraps) draws at or above the last full multiple of n", () => {
    // n = 3 * 2^30: limit = 3 * 2^30, so draws >= 3 * 2^30 are rejected and redrawn.
    const n = 3 * 2 ** 30;
    const probe = createRng(77);
    const rng = createRng(77);
    for (let i = 0; i < 200; i++) {
      let expected = probe.nextUint32();
      while (expected >= n) expected = probe.nextUint32();
      expect(rng.int(n)).toBe(expected);
    }
  });

  it.each([0, -1, 1.5, Number.NaN, 2 ** 32 + 1])("int(%s) throws RangeError", (n) => {
    expect(() => createRng(1).int(n)).toThrow(RangeError);
  });
});

describe("normal()", () => {
  it("has mean ~0, std ~1, and tails like N(0, 1) over 100k draws", () => {
    const rng = createRng(2024);
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    let beyond2 = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      sum += z;
      sumSq += z * z;
      if (Math.abs(z) > 2) beyond2++;
    }
    const mean = sum / n;
    const std = Math.sqrt(sumSq / n - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(0.015); // 4.7 standard errors
    expect(Math.abs(std - 1)).toBeLessThan(0.01);
    expect(Math.abs(beyond2 / n - 0.0455)).toBeLessThan(0.004);
  });

  it("equals the textbook formula sqrt(-2 ln(1 - a/2^32)) cos(2 pi b/2^32) to ~1e-14", () => {
    const rng = createRng(3);
    let worst = 0;
    for (let i = 0; i < 50_000; i++) {
      const a = rng.nextUint32();
      const b = rng.nextUint32();
      const ref = Math.sqrt(-2 * Math.log(1 - a / 2 ** 32)) * Math.cos((2 * Math.PI * b) / 2 ** 32);
      worst = Math.max(worst, Math.abs(boxMuller(a, b) - ref));
    }
    expect(worst).toBeLessThan(1e-13);
  });

  it("is finite at the extremes (a = 2^32 - 1 gives the largest radius, a = 0 gives 0)", () => {
    expect(boxMuller(0xffffffff, 0)).toBeCloseTo(Math.sqrt(2 * 32 * Math.LN2), 12);
    expect(boxMuller(0xffffffff, 0x80000000)).toBeCloseTo(-Math.sqrt(2 * 32 * Math.LN2), 12);
    expect(Object.is(boxMuller(0, 12345), 0)).toBe(true);
    expect(boxMuller(0x80000000, 0x40000000)).toBeCloseTo(0, 15); // cos(pi/2)
  });

  it("consumes exactly two uint32 per normal (no cached twin)", () => {
    const a = createRng(11);
    const b = createRng(11);
    a.normal();
    b.nextUint32();
    b.nextUint32();
    expect(a.getState()).toEqual(b.getState());
  });
});

describe("state checkpointing", () => {
  it("getState/setState replays the stream exactly", () => {
    const rng = createRng(99);
    for (let i = 0; i < 17; i++) rng.normal();
    const saved = rng.getState();
    const first = [rng.nextUint32(), rng.normal(), rng.nextFloat(), rng.int(1000)];
    const resumed = createRng(0);
    resumed.setState(JSON.parse(JSON.stringify(saved)) as RngState);
    expect([
      resumed.nextUint32(),
      resumed.normal(),
      resumed.nextFloat(),
      resumed.int(1000),
    ]).toEqual(first);
  });

  it("getState returns a copy", () => {
    const rng = createRng(1);
    const s = rng.getState();
    rng.nextUint32();
    expect(rng.getState()).not.toEqual(s);
  });

  it.each([
    [[0, 0, 0, 0], /all zero/],
    [[1, 2, 3], /4 integers/],
    [[1, 2, 3, -1], /4 integers/],
    [[1, 2, 3, 2 ** 32], /4 integers/],
    [[1, 2, 3, 0.5], /4 integers/],
  ])("setState(%j) throws", (state, message) => {
    expect(() => createRng(1).setState(state as RngState)).toThrow(message);
  });
});

describe("seeds", () => {
  it.each([-1, 1.5, 2 ** 32, Number.NaN, Number.POSITIVE_INFINITY, "5", null])(
    "createRng(%j) throws a RangeError naming the value",
    (seed) => {
      expect(() => createRng(seed as number)).toThrow(RangeError);
      expect(() => createRng(seed as number)).toThrow(String(seed === "5" ? '"5"' : seed));
    },
  );

  it("assertSeed accepts the range ends", () => {
    expect(() => assertSeed(0)).not.toThrow();
    expect(() => assertSeed(4294967295)).not.toThrow();
  });

  it("randomSeed gives uint32 values", () => {
    const seeds = new Set(Array.from({ length: 20 }, randomSeed));
    for (const s of seeds) expect(Number.isInteger(s) && s >= 0 && s <= 0xffffffff).toBe(true);
    expect(seeds.size).toBeGreaterThan(15);
  });
});

describe("latentFromSeed", () => {
  it("is LATENT_SIZE float32 normals equal to the first normals of createRng(seed)", () => {
    const z = latentFromSeed(123);
    expect(z).toBeInstanceOf(Float32Array);
    expect(z.length).toBe(LATENT_SIZE);
    const rng = createRng(123);
    for (let i = 0; i < LATENT_SIZE; i++) expect(z[i]).toBe(Math.fround(rng.normal()));
  });

  it("pins golden values", () => {
    const z = latentFromSeed(123);
    expect(Array.from(z.slice(0, 5))).toEqual(LATENT_SEED_123.head);
    expect(Array.from(z.slice(95))).toEqual(LATENT_SEED_123.tail);
  });

  it("differs between neighbouring seeds", () => {
    expect(Array.from(latentFromSeed(1))).not.toEqual(Array.from(latentFromSeed(2)));
  });
});

describe("seededPermutation", () => {
  it("is a seeded shuffle of 0..n-1: same seed, same order; other seed, other order", () => {
    const a = seededPermutation(50, 7);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(seededPermutation(50, 7))).toEqual(Array.from(a));
    expect(Array.from(seededPermutation(50, 8))).not.toEqual(Array.from(a));
    // pinned: the order of training epochs and synthetic sets depends on it
    expect(Array.from(seededPermutation(6, 1))).toEqual([4, 0, 5, 3, 1, 2]);
  });
});

describe("seededSubset", () => {
  it("draws distinct indices, reproducibly, at most n", () => {
    const a = seededSubset(100, 30, 4);
    expect(new Set(a).size).toBe(30);
    expect(Math.max(...a)).toBeLessThan(100);
    expect(Array.from(seededSubset(100, 30, 4))).toEqual(Array.from(a));
    expect(seededSubset(10, 30, 4).length).toBe(10);
    // pinned: the cached evaluation classifiers' floor sets depend on it
    expect(Array.from(seededSubset(6, 3, 1))).toEqual([2, 0, 5]);
    expect(Array.from(seededSubset(10, 10, 2))).toEqual([1, 6, 7, 5, 2, 4, 0, 8, 9, 3]);
  });
});
