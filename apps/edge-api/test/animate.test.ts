/**
 * GET /animate (inside workerd): an APNG of `frames` tiles of one size, shown 1/fps s each,
 * looping forever; frame 0 is /sample's image of (label, seed) and the walk's last frame its
 * image of (to_label, to); loop=true cycles seamlessly; every drawing parameter of a tile applies;
 * seeded answers are byte-identical, revalidate with a 304 and change ETag with any parameter;
 * bad values are 400s naming what is accepted.
 */
import { decodePng } from "@edgegan/shared/png-decode";
import type { SampleDocument } from "@edgegan/shared/sample-document";
import { describe, expect, it } from "vitest";
import {
  appWithModel,
  call,
  countingApp,
  dataUrlBytes,
  expectOk,
  expectRefusal,
  fixtureApp,
  fixtureVariant,
  withFixtureManifest,
} from "./helpers.ts";

const app = fixtureApp();

async function animation(query: string, on = app) {
  const res = await call(on, `/animate?${query}`);
  await expectOk(res);
  expect(res.headers.get("Content-Type")).toBe("image/png");
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { res, bytes, png: decodePng(bytes) };
}

async function sampleTile(query: string): Promise<Uint8Array> {
  const doc = (await (await call(app, `/sample?count=1&${query}`)).json()) as SampleDocument;
  return decodePng(dataUrlBytes(doc.images[0]?.png ?? "")).pixels;
}

describe("GET /animate", () => {
  it("gives `frames` frames of one tile, 1/fps s each, looping forever", async () => {
    const { png } = await animation("seed=1&to=2&frames=5&fps=10&scale=2");
    expect([png.width, png.height, png.channels]).toEqual([56, 56, 1]);
    expect(png.frames).toHaveLength(5);
    expect(png.delays).toEqual([0.1, 0.1, 0.1, 0.1, 0.1]);
    expect(png.plays).toBe(0);
    // consecutive frames differ: the walk moves
    expect(png.frames[1]).not.toEqual(png.frames[0]);
  });

  it("starts at /sample's image of (label, seed) and ends at its image of (to_label, to)", async () => {
    const { png } = await animation("seed=3&to=4&label=2&to_label=7&frames=6");
    // float32 rounding of the interpolated vector can move a pixel by one level
    const close = (a: Uint8Array, b: Uint8Array) =>
      a.every((v, i) => Math.abs(v - (b[i] as number)) <= 1);
    expect(close(png.frames[0] as Uint8Array, await sampleTile("label=2&seed=3"))).toBe(true);
    expect(close(png.frames[5] as Uint8Array, await sampleTile("label=7&seed=4"))).toBe(true);
  });

  it("fills absent ends in: to from the seed, label from the seed, to_label = label", async () => {
    const implicit = await animation("seed=13&frames=3");
    const second = (await (await call(app, "/sample?count=2&seed=13")).json()) as SampleDocument;
    const explicit = await animation(
      `seed=13&to=${second.images[1]?.seed}&label=3&to_label=3&frames=3`,
    );
    expect(implicit.bytes).toEqual(explicit.bytes);
    expect(implicit.res.headers.get("ETag")).toBe(explicit.res.headers.get("ETag"));
  });

  it("loop=true: the first frame is seed's image and the cycle closes (last frame next to the first)", async () => {
    const { png } = await animation("seed=5&to=6&frames=8&loop=true");
    expect(png.frames).toHaveLength(8);
    const start = await sampleTile("label=5&seed=5");
    expect(
      (png.frames[0] as Uint8Array).every((v, i) => Math.abs(v - (start[i] as number)) <= 1),
    ).toBe(true);
    const distance = (a: Uint8Array, b: Uint8Array) =>
      a.reduce((sum, v, i) => sum + Math.abs(v - (b[i] as number)), 0);
    const steps = png.frames.map((f, i) => distance(f, png.frames[(i + 1) % 8] as Uint8Array));
    // the closing step is as small as the others, not a jump back
    expect(steps[7]).toBeLessThan(2 * Math.max(...steps.slice(0, 7)));
  });

  it("applies a tile's drawing parameters: resample, colours, transparency", async () => {
    const { png } = await animation(
      "seed=7&frames=3&scale=4&resample=bicubic&fg=ff6600&bg=transparent",
    );
    expect([png.width, png.channels]).toEqual([112, 4]);
    const first = png.frames[0] as Uint8Array;
    for (let i = 0; i < first.length; i += 4 * 97)
      expect(Array.from(first.subarray(i, i + 3))).toEqual([255, 102, 0]);
  });

  it("is byte-identical across two renders, revalidates with a 304, and keys every parameter", async () => {
    const twin = appWithModel(async () => withFixtureManifest(fixtureVariant("A")));
    const query = "seed=8&to=9&frames=4&fps=5&scale=2&loop=true";
    const first = await animation(query);
    const second = await animation(query, twin);
    expect(second.res.headers.get("X-Cache")).toBe("miss");
    expect(second.bytes).toEqual(first.bytes);
    const etag = first.res.headers.get("ETag") as string;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const { app: counting, runs } = countingApp();
    const before = runs();
    const again = await call(counting, `/animate?${query}`, { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
    expect(runs()).toBe(before);
    for (const other of [
      "fps=6",
      "frames=5",
      "loop=false",
      "to=10",
      "label=1",
      "to_label=2",
      "invert=true",
    ]) {
      const name = other.split("=")[0] as string;
      const changed = `${query
        .split("&")
        .filter((p) => !p.startsWith(`${name}=`))
        .join("&")}&${other}`;
      const res = await call(app, `/animate?${changed}`, { method: "HEAD" });
      expect(res.headers.get("ETag"), other).not.toBe(etag);
    }
  });

  it("answers unseeded requests with a random seed, never cached", async () => {
    const res = await call(app, "/animate?frames=2");
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(Number(res.headers.get("X-Seed"))).toBeGreaterThanOrEqual(0);
  });

  it.each([
    ["frames=1", "invalid_frames", /from 2 to 64/],
    ["frames=65", "invalid_frames", /"65"/],
    ["fps=0", "invalid_fps", /from 1 to 30/],
    ["fps=31", "invalid_fps", /"31"/],
    ["to=-1", "invalid_to", /unsigned 32-bit/],
    ["to_label=10", "invalid_to_label", /from 0 to 9/],
    ["loop=yes", "invalid_loop", /"true"/],
    ["seed=4&to=4&loop=true", "conflicting_parameters", /loop needs two different vectors/],
    ["frames=64&scale=16", "request_too_large", /frames \* scale\^2 = 64 \* 16\^2 = 16384/],
    [
      "count=4",
      "unknown_parameter",
      /accepted parameters: seed, to, label, to_label, frames, fps, loop/,
    ],
    ["bg=clear", "invalid_bg", /"transparent"/],
  ])("%s -> 400 %s", async (query, code, message) => {
    await expectRefusal(await call(app, `/animate?${query}`), code, message);
  });

  it("is documented in /openapi.json with its parameters", async () => {
    const doc = (await (await call(app, "/openapi.json")).json()) as {
      paths: Record<string, { get: { parameters: { name: string }[] } }>;
    };
    expect(doc.paths["/animate"]?.get.parameters.map((p) => p.name)).toEqual([
      "seed",
      "to",
      "label",
      "to_label",
      "frames",
      "fps",
      "loop",
      "model",
      "version",
      "scale",
      "resample",
      "invert",
      "fg",
      "bg",
    ]);
  });
});
