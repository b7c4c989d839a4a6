/** Jacobi eigendecomposition and PSD square root: known spectra, reconstruction, refusals. */
import { createRng } from "@edgegan/shared/rng";
import { describe, expect, it } from "vitest";
import { sqrtPsd, symmetricEigen } from "./symmetric-eigen.ts";

/** A random symmetric PSD matrix B B^T of size n (seeded). */
function randomPsd(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const b = Float64Array.from({ length: n * n }, () => rng.normal());
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += (b[i * n + k] as number) * (b[j * n + k] as number);
      out[i * n + j] = s;
    }
  return out;
}

describe("symmetricEigen", () => {
  it("finds the spectrum of [[2,1],[1,2]] (1 and 3) with unit eigenvectors", () => {
    const { values, vectors } = symmetricEigen([2, 1, 1, 2], 2);
    expect(Array.from(values).sort()).toEqual([expect.closeTo(1, 12), expect.closeTo(3, 12)]);
    const i3 = (values[0] as number) > 2 ? 0 : 1;
    expect(Math.abs(vectors[i3] as number)).toBeCloseTo(Math.SQRT1_2, 12);
    expect(Math.abs(vectors[2 + i3] as number)).toBeCloseTo(Math.SQRT1_2, 12);
  });

  it("reconstructs a random 30x30 symmetric matrix with orthonormal eigenvectors", () => {
    const n = 30;
    const a = randomPsd(n, 3);
    const { values, vectors } = symmetricEigen(a, n);
    let worst = 0;
    let worstOrtho = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        let dot = 0;
        for (let k = 0; k < n; k++) {
          s +=
            (vectors[i * n + k] as number) * (values[k] as number) * (vectors[j * n + k] as number);
          dot += (vectors[k * n + i] as number) * (vectors[k * n + j] as number);
        }
        worst = Math.max(worst, Math.abs(s - (a[i * n + j] as number)));
        worstOrtho = Math.max(worstOrtho, Math.abs(dot - (i === j ? 1 : 0)));
      }
    expect(worst).toBeLessThan(1e-10);
    expect(worstOrtho).toBeLessThan(1e-12);
  });

  it("refuses a non-symmetric or wrongly sized matrix, and NaN", () => {
    expect(() => symmetricEigen([1, 2, 3, 4], 2)).toThrow(/not symmetric/);
    expect(() => symmetricEigen([1, 2, 3], 2)).toThrow(/2x2 = 4 values/);
    expect(() => symmetricEigen([1, Number.NaN, Number.NaN, 1], 2)).toThrow(/not finite/);
  });
});

describe("sqrtPsd", () => {
  it("gives R with R R = A for a random PSD matrix", () => {
    const n = 12;
    const a = randomPsd(n, 9);
    const r = sqrtPsd(a, n);
    let worst = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += (r[i * n + k] as number) * (r[k * n + j] as number);
        worst = Math.max(worst, Math.abs(s - (a[i * n + j] as number)));
      }
    expect(worst).toBeLessThan(1e-9);
  });

  it("clamps a rank-deficient matrix's zero eigenvalue instead of giving NaN", () => {
    const r = sqrtPsd([1, 1, 1, 1], 2); // eigenvalues 0 and 2
    expect(Array.from(r).every(Number.isFinite)).toBe(true);
    expect(r[0]).toBeCloseTo(Math.SQRT1_2, 12); // sqrt(2) * (1/2)
  });
});
