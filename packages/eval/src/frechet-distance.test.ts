/**
 * Frechet distance against closed forms: diagonal covariances, a shared rotation, a 2x2
 * non-commuting pair, identical sets (~0), and the fitting of mean and covariance.
 */
import { createRng } from "@edgegan/shared/rng";
import { describe, expect, it } from "vitest";
import { frechetDistance } from "./frechet-distance.ts";
import { type GaussianStats, gaussianStats, statsFromJson, statsToJson } from "./gaussian-stats.ts";

function stats(mean: number[], cov: number[]): GaussianStats {
  return {
    count: 100,
    dim: mean.length,
    mean: Float64Array.from(mean),
    cov: Float64Array.from(cov),
  };
}

function diag(values: number[]): number[] {
  const n = values.length;
  const out = new Array<number>(n * n).fill(0);
  values.forEach((v, i) => {
    out[i * n + i] = v;
  });
  return out;
}

/** R D R^T for a 3x3 rotation about z then x (not axis-aligned). */
function rotated(d: number[]): number[] {
  const [c1, s1, c2, s2] = [Math.cos(0.7), Math.sin(0.7), Math.cos(-1.1), Math.sin(-1.1)];
  const rz = [c1, -s1, 0, s1, c1, 0, 0, 0, 1];
  const rx = [1, 0, 0, 0, c2, -s2, 0, s2, c2];
  const mul = (a: number[], b: number[]) =>
    Array.from({ length: 9 }, (_, k) => {
      const i = Math.floor(k / 3);
      const j = k % 3;
      return [0, 1, 2].reduce((s, m) => s + (a[i * 3 + m] as number) * (b[m * 3 + j] as number), 0);
    });
  const r = mul(rx, rz);
  const rt = Array.from({ length: 9 }, (_, k) => r[(k % 3) * 3 + Math.floor(k / 3)] as number);
  return mul(mul(r, diag(d)), rt);
}

describe("frechetDistance", () => {
  it("matches |mu1-mu2|^2 + sum (sqrt a - sqrt b)^2 for diagonal covariances", () => {
    const a = [4, 1, 0.25, 9];
    const b = [1, 1, 2.25, 0.01];
    const mu1 = [0, 1, 2, 3];
    const mu2 = [1, 1, 0, 3.5];
    const expected =
      1 +
      0 +
      4 +
      0.25 +
      a.reduce((s, v, i) => s + (Math.sqrt(v) - Math.sqrt(b[i] as number)) ** 2, 0);
    const result = frechetDistance(stats(mu1, diag(a)), stats(mu2, diag(b)));
    expect(result.distance).toBeCloseTo(expected, 10);
    expect(result.meanTerm).toBeCloseTo(5.25, 12);
  });

  it("is rotation invariant: R diag(a) R^T vs R diag(b) R^T gives the diagonal formula", () => {
    const a = [3, 0.5, 2];
    const b = [1, 2, 2];
    const expected = a.reduce((s, v, i) => s + (Math.sqrt(v) - Math.sqrt(b[i] as number)) ** 2, 0);
    const result = frechetDistance(stats([0, 0, 0], rotated(a)), stats([0, 0, 0], rotated(b)));
    expect(result.distance).toBeCloseTo(expected, 10);
  });

  it("handles non-commuting 2x2 covariances: tr sqrt(M) = sqrt(tr(C1 C2) + 2 sqrt(det C1 det C2))", () => {
    const c1 = [2, 0.8, 0.8, 1];
    const c2 = [1, -0.3, -0.3, 3];
    const trProd = 2 * 1 + 0.8 * -0.3 + 0.8 * -0.3 + 1 * 3;
    const det1 = 2 * 1 - 0.8 * 0.8;
    const det2 = 1 * 3 - 0.09;
    const expected = 3 + 4 - 2 * Math.sqrt(trProd + 2 * Math.sqrt(det1 * det2));
    expect(frechetDistance(stats([0, 0], c1), stats([0, 0], c2)).distance).toBeCloseTo(
      expected,
      10,
    );
  });

  it("is ~0 for identical feature sets and positive for shifted ones", () => {
    const rng = createRng(5);
    const n = 400;
    const d = 16;
    const f = Float32Array.from({ length: n * d }, () => rng.normal());
    const s = gaussianStats(f, n, d);
    expect(frechetDistance(s, s).distance).toBeLessThan(1e-9);
    const shifted = f.map((v) => v + 0.5);
    expect(frechetDistance(s, gaussianStats(shifted, n, d)).distance).toBeCloseTo(d * 0.25, 5);
  });

  it("refuses statistics of different dimensions", () => {
    expect(() => frechetDistance(stats([0], [1]), stats([0, 0], diag([1, 1])))).toThrow(
      /1-d and 2-d/,
    );
  });
});

describe("gaussianStats", () => {
  it("computes the mean and the unbiased covariance", () => {
    // points (0,0), (2,0), (0,2), (2,2): mean (1,1), var 4/3 each, cov 0
    const s = gaussianStats([0, 0, 2, 0, 0, 2, 2, 2], 4, 2);
    expect(Array.from(s.mean)).toEqual([1, 1]);
    expect(Array.from(s.cov).map((v) => Number(v.toFixed(12)))).toEqual(
      [4 / 3, 0, 0, 4 / 3].map((v) => Number(v.toFixed(12))),
    );
    expect(statsFromJson(JSON.parse(JSON.stringify(statsToJson(s))))).toEqual(s);
  });

  it("refuses too few vectors, wrong lengths and non-finite values", () => {
    expect(() => gaussianStats([1, 2], 1, 2)).toThrow(/at least 2/);
    expect(() => gaussianStats([1, 2, 3], 2, 2)).toThrow(/2 \* 2 = 4/);
    expect(() => gaussianStats([1, Number.NaN, 3, 4], 2, 2)).toThrow(/not finite/);
  });
});
