/**
 * Outputs a marketing tool can use (inside workerd): scale, invert, columns and padding on the
 * PNG sprite sheet and the JSON tiles alike, tile positions that cut the sheet exactly, seeded
 * answers still byte-identical, and every bad value refused with what is accepted.
 */
import { decodeGrayscalePng } from "@edgegan/shared/png-decode";
import type { SampleDocument } from "@edgegan/shared/sample-document";
import { describe, expect, it } from "vitest";
import { call, dataUrlBytes, expectOk, fixtureApp } from "./helpers.ts";

const app = fixtureApp();

async function sheet(query: string) {
  const res = await call(app, `/sample?format=png&${query}`);
  await expectOk(res);
  return decodeGrayscalePng(new Uint8Array(await res.arrayBuffer()));
}

async function doc(query: string): Promise<SampleDocument> {
  const res = await call(app, `/sample?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as SampleDocument;
}

describe("scale, invert, columns, padding", () => {
  it("scales every tile by nearest neighbour: the 8x sheet is the 1x sheet with each pixel as an 8x8 block", async () => {
    const small = await sheet("count=4&seed=11&columns=2&padding=0");
    const big = await sheet("count=4&seed=11&columns=2&padding=0&scale=8");
    expect([small.width, small.height]).toEqual([56, 56]);
    expect([big.width, big.height]).toEqual([448, 448]);
    for (let y = 0; y < big.height; y += 7) {
      for (let x = 0; x < big.width; x += 5) {
        expect(big.pixels[y * big.width + x]).toBe(small.pixels[(y >> 3) * small.width + (x >> 3)]);
      }
    }
  });

  it("inverts the tiles (255 - v) and draws black lines between them", async () => {
    const plain = await sheet("count=2&seed=12&columns=2&padding=3");
    const inverted = await sheet("count=2&seed=12&columns=2&padding=3&invert=true");
    expect([inverted.width, inverted.height]).toEqual([28 * 2 + 3, 28]);
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < inverted.width; x++) {
        const i = y * inverted.width + x;
        const inGap = x >= 28 && x < 31;
        expect(inverted.pixels[i]).toBe(inGap ? 0 : 255 - (plain.pixels[i] as number));
        if (inGap) expect(plain.pixels[i]).toBe(255);
      }
    }
  });

  it("lays the sheet out in the asked columns, and the JSON says where each tile lies", async () => {
    const query = "count=5&seed=13&columns=3&padding=4&scale=2";
    const png = await sheet(query);
    const json = await doc(query);
    expect(json.sprite).toEqual({
      width: 3 * 56 + 2 * 4,
      height: 2 * 56 + 4,
      columns: 3,
      rows: 2,
      tileSize: 56,
      padding: 4,
    });
    expect([png.width, png.height]).toEqual([json.sprite.width, json.sprite.height]);
    expect(json).toMatchObject({ scale: 2, invert: false });
    for (const image of json.images) {
      expect([image.x, image.y]).toEqual([
        (image.index % 3) * 60,
        Math.floor(image.index / 3) * 60,
      ]);
      // the data URL tile is exactly the sheet cut at (x, y)
      const tile = decodeGrayscalePng(dataUrlBytes(image.png));
      expect([tile.width, tile.height]).toEqual([56, 56]);
      for (let y = 0; y < 56; y++) {
        const row = png.pixels.subarray(
          (image.y + y) * png.width + image.x,
          (image.y + y) * png.width + image.x + 56,
        );
        expect(tile.pixels.subarray(y * 56, (y + 1) * 56)).toEqual(row);
      }
    }
  });

  it("keeps seeded answers byte-identical with the options, and a 64-image 8x sheet within the budget", async () => {
    const a = await call(app, "/sample?format=png&count=64&seed=14&scale=8&invert=true");
    const b = await call(app, "/sample?format=png&count=64&seed=14&scale=8&invert=true");
    expect(a.status).toBe(200);
    expect(new Uint8Array(await b.arrayBuffer())).toEqual(new Uint8Array(await a.arrayBuffer()));
    const big = decodeGrayscalePng(
      new Uint8Array(
        await (await call(app, "/sample?format=png&count=64&seed=15&scale=8")).arrayBuffer(),
      ),
    );
    expect([big.width, big.height]).toEqual([1806, 1806]);
  });

  it.each([
    ["scale=0", "invalid_scale", /scale must be an integer from 1 to 16/],
    ["scale=17", "invalid_scale", /from 1 to 16/],
    ["scale=2.5", "invalid_scale", /"2.5"/],
    ["invert=yes", "invalid_invert", /invert must be "true" .* or "false"/],
    ["columns=0", "invalid_columns", /columns must be an integer from 1 to 64/],
    ["columns=65", "invalid_columns", /from 1 to 64/],
    ["padding=17", "invalid_padding", /padding must be an integer from 0 to 16/],
  ])("refuses %s (%s) naming what is accepted", async (query, code, message) => {
    const res = await call(app, `/sample?seed=1&${query}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message).toMatch(message);
  });

  it("refuses a request over the CPU budget, saying the limit", async () => {
    const res = await call(app, "/sample?count=100&scale=8", {}, { MAX_COUNT: "256" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("request_too_large");
    expect(body.error.message).toContain("exceeds the per-request budget of 4096");
  });
});
