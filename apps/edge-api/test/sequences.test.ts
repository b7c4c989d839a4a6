/**
 * Sequences in one hand (inside workerd): `labels=2,0,2,6` and `text=2026` lay one image per
 * class out in one row; with style=shared every image comes from the request seed's latent
 * vector (the same class twice gives the same tile), with style=each from one vector each.
 * Seeded answers are byte-identical and revalidate with a 304; bad combinations are 400s that
 * say what is accepted; `text` needs a model whose classes are the digits.
 */
import { decodePng } from "@edgegan/shared/png-decode";
import type { SampleDocument } from "@edgegan/shared/sample-document";
import { parseSampleQuery } from "@edgegan/shared/sample-query";
import { describe, expect, it } from "vitest";
import { canonicalSampleKey } from "../src/sample-cache.ts";
import {
  appWithModel,
  call,
  countingApp,
  dataUrlBytes,
  expectOk,
  expectRefusal,
  fixtureApp,
  fixtureBytes,
  fixtureManifest,
  fixtureVariant,
  withFixtureManifest,
} from "./helpers.ts";

const app = fixtureApp();

const json = async (query: string) =>
  (await (await expectOk(await call(app, `/sample?${query}`))).json()) as SampleDocument;
const bytes = async (res: Response) => new Uint8Array(await (await expectOk(res)).arrayBuffer());
/** Tile i of a JSON answer, decoded. */
const tile = (doc: SampleDocument, i: number) =>
  decodePng(dataUrlBytes(doc.images[i]?.png ?? "")).pixels;

describe("labels and text", () => {
  it("lays a sequence out in one row, one image per listed class, in order", async () => {
    const doc = await json("labels=2,0,2,6&seed=5");
    expect(doc.count).toBe(4);
    expect(doc.labels).toEqual([2, 0, 2, 6]);
    expect(doc.style).toBe("shared");
    expect(doc.images.map((image) => image.label)).toEqual([2, 0, 2, 6]);
    expect(doc.sprite).toMatchObject({ columns: 4, rows: 1, width: 4 * 28 + 3 * 2, height: 28 });
    const sheet = decodePng(
      await bytes(await call(app, "/sample?labels=2,0,2,6&seed=5&format=png")),
    );
    expect([sheet.width, sheet.height]).toEqual([118, 28]);
    // columns still applies: two rows of two
    const square = await json("labels=2,0,2,6&seed=5&columns=2");
    expect(square.sprite).toMatchObject({ columns: 2, rows: 2 });
  });

  it("style=shared: one latent vector, so the same class twice is the same tile", async () => {
    const doc = await json("labels=2,0,2,6&seed=5");
    expect(doc.images.every((image) => image.seed === 5)).toBe(true);
    expect(tile(doc, 2)).toEqual(tile(doc, 0));
    expect(tile(doc, 1)).not.toEqual(tile(doc, 0));
  });

  it("style=each: one vector per image, so the same class twice differs", async () => {
    const doc = await json("labels=2,0,2,6&seed=5&style=each");
    expect(new Set(doc.images.map((image) => image.seed)).size).toBe(4);
    expect(tile(doc, 2)).not.toEqual(tile(doc, 0));
  });

  it("regenerates each image of a sequence alone from count=1&label=L&seed=S", async () => {
    for (const style of ["shared", "each"]) {
      const doc = await json(`labels=7,1,7&seed=9&style=${style}`);
      for (const [i, image] of doc.images.entries()) {
        const single = await json(`count=1&label=${image.label}&seed=${image.seed}`);
        expect(tile(single, 0), `${style} image ${i}`).toEqual(tile(doc, i));
      }
    }
  });

  it("text=2026 is labels=2,0,2,6: the same bytes and the same ETag", async () => {
    const fromText = await call(app, "/sample?text=2026&seed=11&format=png");
    const fromLabels = await call(app, "/sample?labels=2,0,2,6&seed=11&format=png");
    expect(fromText.headers.get("ETag")).toBe(fromLabels.headers.get("ETag"));
    expect(await bytes(fromText)).toEqual(await bytes(fromLabels));
  });

  it("gives byte-identical seeded PNGs from two runs of the generator", async () => {
    // another model file with the same weights: its own cache entry, so both answers are rendered
    const twin = appWithModel(async () => withFixtureManifest(fixtureVariant("S")));
    const query = "/sample?labels=3,1,4,1,5&seed=12&format=png&scale=2";
    const first = await call(app, query);
    const second = await call(twin, query);
    expect(second.headers.get("X-Cache")).toBe("miss");
    expect(await bytes(second)).toEqual(await bytes(first));
  });

  it("answers If-None-Match with 304 without running the model", async () => {
    const { app: counting, runs } = countingApp();
    const first = await call(counting, "/sample?text=404&seed=7100001&format=png");
    const etag = first.headers.get("ETag") as string;
    const before = runs();
    const again = await call(counting, "/sample?labels=4,0,4&seed=7100001&format=png", {
      headers: { "If-None-Match": etag },
    });
    expect(again.status).toBe(304);
    expect(runs()).toBe(before);
    const other = await call(counting, "/sample?labels=4,0,4&seed=7100001&format=png&style=each");
    expect(other.headers.get("ETag")).not.toBe(etag);
  });

  it("keeps the key (hence the ETag) of a request that names none of the new options", () => {
    const parsed = parseSampleQuery(new URLSearchParams("count=4&seed=1&resample=nearest"), {
      maxCount: 64,
    });
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(canonicalSampleKey(parsed.value, 1)).toBe(
      "render=2&count=4&label=spread&seed=1&format=json&scale=1&invert=false&columns=auto&padding=2",
    );
  });
});

describe("sequences: refusals", () => {
  it.each([
    ["labels=2,0&count=2", "conflicting_parameters", /labels gives .* leave out count/],
    ["labels=2,0&label=1", "conflicting_parameters", /leave out label/],
    ["text=20&labels=2,0", "conflicting_parameters", /leave out text/],
    ["style=each&count=2", "conflicting_parameters", /style applies to a sequence/],
    ["labels=2,,0", "invalid_labels", /comma-separated list of 1 to 64 classes from 0 to 9/],
    ["labels=12", "invalid_labels", /"12"/],
    ["text=20-26", "invalid_text", /digits/],
    ["labels=1&style=mixed", "invalid_style", /"shared" or "each"/],
  ])("%s -> 400 %s", async (query, code, message) => {
    await expectRefusal(await call(app, `/sample?${query}`), code, message);
  });

  it("refuses text for a model whose classes are not the digits, naming its classes", async () => {
    const named = {
      ...fixtureManifest.dataset,
      classNames: fixtureManifest.dataset.classNames.map((n) => `class ${n}`),
    };
    const withNames = appWithModel(() => ({ manifest: fixtureManifest, onnx: fixtureBytes }), {
      letters: () => ({ manifest: { ...fixtureManifest, dataset: named }, onnx: fixtureBytes }),
    });
    const res = await call(withNames, "/sample?model=letters&text=12&seed=1");
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("invalid_text");
    expect(body.error.message).toMatch(/digits 0-9.*0 \(class 0\).*labels=/);
    expect((await call(withNames, "/sample?model=letters&labels=1,2&seed=1")).status).toBe(200);
  });
});
