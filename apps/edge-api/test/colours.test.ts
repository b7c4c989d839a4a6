/**
 * Smooth large sizes and brand colours (inside workerd): resample=bilinear|bicubic at scale up to
 * 16, fg/bg as RGB, bg=transparent as RGBA with alpha from the intensity, in the PNG sheet and
 * the JSON tiles alike; seeded answers byte-identical with 304 revalidation; requests that name
 * none of this keep their bytes and ETags.
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

async function png(query: string, on = app) {
  const res = await call(on, `/sample?format=png&${query}`);
  await expectOk(res);
  return { res, image: decodePng(new Uint8Array(await res.arrayBuffer())) };
}

describe("resample", () => {
  it("smooths: bicubic differs from nearest inside the strokes, agrees where the tile is flat", async () => {
    const blocky = (await png("count=1&seed=3&scale=8")).image;
    const smooth = (await png("count=1&seed=3&scale=8&resample=bicubic")).image;
    expect([smooth.width, smooth.height]).toEqual([224, 224]);
    let differing = 0;
    for (let i = 0; i < blocky.pixels.length; i++)
      if (blocky.pixels[i] !== smooth.pixels[i]) differing++;
    expect(differing).toBeGreaterThan(1000);
    // every nearest-neighbour 8x8 block is flat; bicubic varies inside the blocks of a stroke
    const unevenBlocks = (pixels: Uint8Array) => {
      let uneven = 0;
      for (let by = 0; by < 28; by++) {
        for (let bx = 0; bx < 28; bx++) {
          const first = pixels[by * 8 * 224 + bx * 8];
          let flat = true;
          for (let y = 0; y < 8; y++) {
            for (let x = 0; x < 8; x++)
              if (pixels[(by * 8 + y) * 224 + bx * 8 + x] !== first) flat = false;
          }
          if (!flat) uneven++;
        }
      }
      return uneven;
    };
    expect(unevenBlocks(blocky.pixels)).toBe(0);
    expect(unevenBlocks(smooth.pixels)).toBeGreaterThan(50);
  });

  it("accepts scale 16 within the budget and refuses one image more", async () => {
    const { image } = await png("count=16&seed=4&scale=16&resample=bilinear&padding=0");
    expect([image.width, image.height]).toEqual([4 * 448, 4 * 448]);
    const over = await call(app, "/sample?count=17&seed=4&scale=16");
    expect(over.status).toBe(400);
    expect(((await over.json()) as { error: { code: string } }).error.code).toBe(
      "request_too_large",
    );
  });

  it("resample=nearest is the default: the same ETag as a request that does not name it", async () => {
    const named = await call(app, "/sample?count=2&seed=6&scale=4&resample=nearest&format=png");
    const plain = await call(app, "/sample?count=2&seed=6&scale=4&format=png");
    expect(named.headers.get("ETag")).toBe(plain.headers.get("ETag"));
    const smooth = await call(app, "/sample?count=2&seed=6&scale=4&resample=bilinear&format=png");
    expect(smooth.headers.get("ETag")).not.toBe(plain.headers.get("ETag"));
  });
});

describe("fg and bg", () => {
  it("paints RGB: each pixel bg + (fg - bg) * intensity, the padding in the paper colour", async () => {
    const gray = (await png("count=2&seed=7&padding=3")).image;
    const { image } = await png("count=2&seed=7&padding=3&fg=FF8000&bg=102030");
    expect([image.width, image.height, image.channels]).toEqual([gray.width, gray.height, 3]);
    const mix = (from: number, to: number, v: number) =>
      from + Math.floor(((to - from) * v * 2 + 255) / 510);
    for (let i = 0; i < gray.pixels.length; i += 7) {
      const x = i % gray.width;
      const inGap = x >= 28 && x < 31;
      const v = gray.pixels[i] as number;
      const rgb = Array.from(image.pixels.subarray(i * 3, i * 3 + 3));
      expect(rgb, `pixel ${i}`).toEqual(
        inGap ? [16, 32, 48] : [mix(16, 255, v), mix(32, 128, v), mix(48, 0, v)],
      );
    }
  });

  it("bg=transparent: RGBA in the ink colour with alpha = intensity, transparent padding", async () => {
    const gray = (await png("count=2&seed=8")).image;
    const { image } = await png("count=2&seed=8&fg=0000ff&bg=transparent");
    expect(image.channels).toBe(4);
    for (let i = 0; i < gray.pixels.length; i++) {
      const x = i % gray.width;
      const inGap = x >= 28 && x < 30;
      const rgba = Array.from(image.pixels.subarray(i * 4, i * 4 + 4));
      expect(rgba).toEqual(inGap ? [0, 0, 0, 0] : [0, 0, 255, gray.pixels[i]]);
    }
  });

  it("invert picks the colour not given: black ink mixed into the coloured paper", async () => {
    const { image } = await png("count=1&seed=9&bg=fff5e6&invert=true");
    const gray = (await png("count=1&seed=9")).image;
    for (const i of [
      gray.pixels.indexOf(Math.max(...gray.pixels)),
      gray.pixels.indexOf(Math.min(...gray.pixels)),
    ]) {
      const v = gray.pixels[i] as number;
      const expected = [255, 245, 230].map((c) => c + Math.floor((-c * v * 2 + 255) / 510));
      expect(Array.from(image.pixels.subarray(i * 3, i * 3 + 3)), `intensity ${v}`).toEqual(
        expected,
      );
    }
  });

  it("colours the JSON tiles too and echoes the options", async () => {
    const res = await call(
      app,
      "/sample?count=2&seed=10&fg=ff0000&bg=transparent&scale=2&resample=bilinear",
    );
    const doc = (await res.json()) as SampleDocument;
    expect(doc).toMatchObject({ fg: "ff0000", bg: "transparent", resample: "bilinear" });
    const tile = decodePng(dataUrlBytes(doc.images[0]?.png ?? ""));
    expect([tile.width, tile.channels]).toEqual([56, 4]);
    // a request without options carries none of the new fields
    const plain = (await (await call(app, "/sample?count=1&seed=10")).json()) as Record<
      string,
      unknown
    >;
    for (const field of ["fg", "bg", "resample", "labels", "style"])
      expect(plain).not.toHaveProperty(field);
  });

  it("is byte-identical across two renders and revalidates with a 304", async () => {
    const twin = appWithModel(async () => withFixtureManifest(fixtureVariant("C")));
    const query = "count=3&seed=11&fg=ff6600&bg=transparent&scale=4&resample=bicubic";
    const first = await png(query);
    const second = await png(query, twin);
    expect(second.res.headers.get("X-Cache")).toBe("miss");
    expect(second.image.pixels).toEqual(first.image.pixels);
    const { app: counting, runs } = countingApp();
    const etag = first.res.headers.get("ETag") as string;
    const before = runs();
    const again = await call(counting, `/sample?format=png&${query.replace("ff6600", "FF6600")}`, {
      headers: { "If-None-Match": etag },
    });
    expect(again.status).toBe(304);
    expect(runs()).toBe(before);
  });

  it.each([
    ["fg=%23ff0000", "invalid_fg", /six hex digits without "#"/],
    ["fg=red", "invalid_fg", /"red"/],
    ["bg=none", "invalid_bg", /"transparent"/],
    ["resample=lanczos", "invalid_resample", /"nearest" or "bilinear" or "bicubic"/],
  ])("%s -> 400 %s", async (query, code, message) => {
    await expectRefusal(await call(app, `/sample?${query}`), code, message);
  });
});
