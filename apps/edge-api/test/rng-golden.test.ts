/**
 * The seeded latent must be the same numbers inside workerd as in Node: these are the golden
 * values pinned in packages/shared/src/rng.test.ts, checked here in the Workers runtime.
 */
import { latentFromSeed } from "@edgegan/shared/rng";
import { describe, expect, it } from "vitest";

describe("latentFromSeed inside workerd", () => {
  it("gives the pinned golden values for seed 123", () => {
    const z = latentFromSeed(123);
    expect(Array.from(z.slice(0, 5))).toEqual([
      -1.5303597450256348, -1.0619717836380005, 0.8560987114906311, 1.0253854990005493,
      -0.8482066988945007,
    ]);
    expect(Array.from(z.slice(95))).toEqual([
      -0.5585774183273315, -0.1797400712966919, 2.1510541439056396, 1.8265293836593628,
      0.29633277654647827,
    ]);
  });
});
