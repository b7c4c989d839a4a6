/**
 * format=svg (inside workerd): the sheet's layout as the PNG's, one traced path per tile in the
 * ink colour over the paper colour (none with bg=transparent), small, byte-identical when seeded,
 * revalidated with a 304.
 */
import { describe, expect, it } from "vitest";
import mnistOnnx from "../models/mnist/generator.onnx";
import mnistManifest from "../models/mnist/model.json";
import {
  appWithModel,
  call,
  countingApp,
  expectOk,
  fixtureApp,
  fixtureVariant,
  withFixtureManifest,
} from "./helpers.ts";

const app = fixtureApp();

async function svg(query: string, on = app): Promise<{ res: Response; text: string }> {
  const res = await call(on, `/sample?format=svg&${query}`);
  await expectOk(res);
  expect(res.headers.get("Content-Type")).toBe("image/svg+xml");
  return { res, text: await res.text() };
}

const attribute = (text: string, name: string) =>
  text.match(new RegExp(`<svg[^>]* ${name}="([^"]+)"`))?.[1];

describe("format=svg", () => {
  it("has the PNG sheet's size and places one path per tile where the JSON says the tile lies", async () => {
    const query = "count=5&seed=21&columns=3&padding=4&scale=2";
    const { text } = await svg(query);
    const doc = (await (await call(app, `/sample?${query}`)).json()) as {
      sprite: { width: number; height: number };
      images: { x: number; y: number }[];
    };
    expect(attribute(text, "width")).toBe(String(doc.sprite.width));
    expect(attribute(text, "height")).toBe(String(doc.sprite.height));
    const placed = [
      ...text.matchAll(/<path transform="translate\((\d+) (\d+)\)scale\(\.2\)" d="M[^"]+z"\/>/g),
    ].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }));
    expect(placed).toEqual(doc.images.map(({ x, y }) => ({ x, y })));
  });

  it("draws white ink on black tiles between white lines, black on white when inverted", async () => {
    const plain = (await svg("count=2&seed=22")).text;
    expect(plain).toContain('<rect width="58" height="28" fill="#ffffff"/>');
    expect(plain).toContain('<g fill="#000000"><rect x="0" y="0" width="28" height="28"/>');
    expect(plain).toContain('<g fill="#ffffff" fill-rule="evenodd">');
    const inverted = (await svg("count=2&seed=22&invert=true")).text;
    expect(inverted).toContain('<g fill="#000000" fill-rule="evenodd">');
  });

  it("honours fg and bg, and leaves every background out with bg=transparent", async () => {
    const coloured = (await svg("labels=1,2&seed=23&fg=FF6600&bg=fff5e6")).text;
    expect(coloured).toContain(
      '<rect width="58" height="28" fill="#fff5e6"/><g fill="#ff6600" fill-rule="evenodd">',
    );
    const clear = (await svg("labels=1,2&seed=23&fg=ff6600&bg=transparent")).text;
    expect(clear).not.toContain("<rect");
    expect(clear).toContain('<g fill="#ff6600" fill-rule="evenodd"><path');
  });

  it("stays small with the shipped MNIST model: under 3 KB per digit", async () => {
    // the fixture's untrained weights draw noise; real digits are what the budget is about
    const shipped = appWithModel(() => ({ manifest: mnistManifest, onnx: mnistOnnx }));
    for (const seed of [24, 25, 26]) {
      const { text } = await svg(`count=16&seed=${seed}`, shipped);
      expect(text.length / 16).toBeLessThan(3000);
    }
  });

  it("is byte-identical across two renders and revalidates with a 304", async () => {
    const twin = appWithModel(async () => withFixtureManifest(fixtureVariant("V")));
    const first = await svg("count=4&seed=25&scale=4");
    const second = await svg("count=4&seed=25&scale=4", twin);
    expect(second.res.headers.get("X-Cache")).toBe("miss");
    expect(second.text).toBe(first.text);
    const { app: counting, runs } = countingApp();
    const before = runs();
    const again = await call(counting, "/sample?format=svg&count=4&seed=25&scale=4", {
      headers: { "If-None-Match": first.res.headers.get("ETag") as string },
    });
    expect(again.status).toBe(304);
    expect(runs()).toBe(before);
    const png = await call(app, "/sample?format=png&count=4&seed=25&scale=4");
    expect(png.headers.get("ETag")).not.toBe(first.res.headers.get("ETag"));
  });

  it("names svg among the accepted formats", async () => {
    const res = await call(app, "/sample?format=pdf");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /"json" \(default\), "png" or "svg"/,
    );
  });
});
