import { describe, expect, it } from "vitest";
import { LATENT_SIZE, NUM_CLASSES } from "./contract.ts";
import { walkInputs } from "./latent-walk.ts";
import { latentFromSeed } from "./rng.ts";

const frame = (z: Float32Array, i: number) => z.subarray(i * LATENT_SIZE, (i + 1) * LATENT_SIZE);
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += (a[k] as number) * (b[k] as number);
  return s;
};
const norm = (a: ArrayLike<number>) => Math.sqrt(dot(a, a));
const angle = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.acos(Math.min(1, dot(a, b) / (norm(a) * norm(b))));

const from = latentFromSeed(1);
const to = latentFromSeed(2);

describe("walkInputs: walk", () => {
  const frames = 9;
  const { z, label } = walkInputs({ from, to, fromLabel: 3, toLabel: 8 }, frames, false);

  it("starts at one vector and ends at the other", () => {
    expect(z.length).toBe(frames * LATENT_SIZE);
    for (let k = 0; k < LATENT_SIZE; k++) {
      expect(frame(z, 0)[k]).toBeCloseTo(from[k] as number, 5);
      expect(frame(z, frames - 1)[k]).toBeCloseTo(to[k] as number, 5);
    }
  });

  it("turns at constant speed in the plane of both, its length going linearly", () => {
    const total = angle(from, to);
    for (let i = 1; i < frames; i++) {
      expect(angle(frame(z, i - 1), frame(z, i))).toBeCloseTo(total / (frames - 1), 6);
      const t = i / (frames - 1);
      expect(norm(frame(z, i))).toBeCloseTo((1 - t) * norm(from) + t * norm(to), 4);
    }
  });

  it("morphs the label linearly from one one-hot to the other", () => {
    for (let i = 0; i < frames; i++) {
      const row = Array.from(label.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES));
      const t = i / (frames - 1);
      expect(row[3]).toBeCloseTo(1 - t, 6);
      expect(row[8]).toBeCloseTo(t, 6);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    }
  });

  it("keeps one class when both labels are the same, and a constant vector when both ends are", () => {
    const same = walkInputs({ from, to: from, fromLabel: 4, toLabel: 4 }, 3, false);
    for (let i = 0; i < 3; i++) {
      expect(same.label[i * NUM_CLASSES + 4]).toBe(1);
      for (let k = 0; k < LATENT_SIZE; k += 17)
        expect(frame(same.z, i)[k]).toBeCloseTo(from[k] as number, 5);
    }
  });
});

describe("walkInputs: loop", () => {
  const frames = 12;
  const { z, label } = walkInputs({ from, to, fromLabel: 1, toLabel: 7 }, frames, true);

  it("goes once round the great circle through both directions, in equal steps, back to the start", () => {
    const step = (2 * Math.PI) / frames;
    for (let i = 0; i < frames; i++) {
      const next = frame(z, (i + 1) % frames); // the last frame leads into the first
      expect(angle(frame(z, i), next)).toBeCloseTo(step, 6);
      expect(norm(frame(z, i))).toBeCloseTo(norm(from), 4);
    }
    for (let k = 0; k < LATENT_SIZE; k++) expect(frame(z, 0)[k]).toBeCloseTo(from[k] as number, 5);
    // every frame lies in the plane of from and to: it is a combination of the two
    const a = dot(from, from);
    const b = dot(from, to);
    const c = dot(to, to);
    for (let i = 0; i < frames; i++) {
      const v = frame(z, i);
      const [p, q] = [dot(v, from), dot(v, to)];
      const det = a * c - b * b;
      const x = (p * c - q * b) / det;
      const y = (q * a - p * b) / det;
      const residual = Array.from(
        v,
        (value, k) => value - x * (from[k] as number) - y * (to[k] as number),
      );
      expect(norm(residual)).toBeLessThan(1e-4);
    }
  });

  it("morphs the label there and back: all toLabel half way round", () => {
    expect(label[0 * NUM_CLASSES + 1]).toBeCloseTo(1, 6);
    expect(label[(frames / 2) * NUM_CLASSES + 7]).toBeCloseTo(1, 6);
    expect(label[(frames / 4) * NUM_CLASSES + 7]).toBeCloseTo(0.5, 6);
  });
});

describe("walkInputs: refusals", () => {
  it.each([
    [() => walkInputs({ from, to, fromLabel: 0, toLabel: 0 }, 1, false), /frames >= 2, got 1/],
    [
      () => walkInputs({ from: new Float32Array(3), to, fromLabel: 0, toLabel: 0 }, 4, false),
      /from must hold 100/,
    ],
    [
      () => walkInputs({ from, to, fromLabel: 0, toLabel: 10 }, 4, false),
      /labels must be integers in 0\.\.9, got 10/,
    ],
    [
      () => walkInputs({ from: new Float32Array(100), to, fromLabel: 0, toLabel: 0 }, 4, false),
      /must not be zero/,
    ],
  ])("%#", (call, message) => {
    expect(call).toThrow(message);
  });
});
