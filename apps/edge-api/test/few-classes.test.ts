/**
 * A model trained on fewer than the contract's 10 classes (an image folder of 3, say): /sample
 * spreads unlabelled images over its own classes, refuses a label past them naming the classes,
 * and /models lists its class names.
 */
import { describe, expect, it } from "vitest";
import { appWithModel, call, expectRefusal, fixtureBytes, fixtureManifest } from "./helpers.ts";

const classNames = ["bird", "cat", "dog"];
const app = appWithModel(() => ({
  manifest: { ...fixtureManifest, dataset: { name: "folder:pets", classNames } },
  onnx: fixtureBytes,
}));

describe("a model of 3 classes", () => {
  it("spreads unlabelled images over its 3 classes and names them", async () => {
    const res = await call(app, "/sample?count=5&seed=3");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { images: { label: number; className: string }[] };
    expect(body.images.map((i) => i.label)).toEqual([0, 1, 2, 0, 1]);
    expect(body.images.map((i) => i.className)).toEqual(["bird", "cat", "dog", "bird", "cat"]);
  });

  it("refuses a label or a sequence past its classes, naming them", async () => {
    for (const query of ["label=3", "labels=0,2,7"]) {
      await expectRefusal(
        await call(app, `/sample?seed=1&${query}`),
        "invalid_label",
        /model "mnist" has 3 classes, 0 \(bird\), 1 \(cat\), 2 \(dog\); label (3|7) is not one of them/,
      );
    }
    expect((await call(app, "/sample?seed=1&label=2")).status).toBe(200);
  });

  it("lists its class names in /models", async () => {
    const list = (await (await call(app, "/models")).json()) as {
      models: { dataset?: { classNames: string[] } }[];
    };
    expect(list.models[0]?.dataset?.classNames).toEqual(classNames);
  });
});
