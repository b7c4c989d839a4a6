/**
 * The seeded latent must be the same numbers inside workerd as in Node: these are the golden
 * values pinned in packages/shared/src/rng-golden.ts, checked here in the Workers runtime.
 */
import { latentFromSeed } from "@edgegan/shared/rng";
import { LATENT_SEED_123 } from "@edgegan/shared/rng-golden";
import { describe, expect, it } from "vitest";

describe("latentFromSeed inside workerd", () => {
  it("gives the pinned golden values for seed 123", () => {
    const z = latentFromSeed(123);
    expect(Array.from(z.slice(0, 5))).toEqual(LATENT_SEED_123.head);
    expect(Array.from(z.slice(95))).toEqual(LATENT_SEED_123.tail);
  });
});
