import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generatorWidthOf, latentTemperatureOf, MACHINE_PATH, parseManifest } from "./manifest.ts";

/** The served models' folders, and earlier versions kept under them for pinned URLs. */
const shipped = (name: string) =>
  JSON.parse(
    readFileSync(
      new URL(`../../../apps/edge-api/models/${name}/model.json`, import.meta.url),
      "utf8",
    ),
  );

// the default model from 2026-11-30 to 2026-12-03: distilled from mnist-full, written before
// cards recorded a latent temperature
const DISTILLED = "mnist/earlier/mnist-dcgan-2026-11-30-6ec90be3";

describe("model.json and paths of the training machine", () => {
  it("takes the shipped manifests, the lean model's teacher recorded by identity", () => {
    for (const name of ["mnist", "mnist-full", "fashion-mnist", DISTILLED]) {
      parseManifest(shipped(name));
    }
    const full = parseManifest(shipped("mnist-full"));
    expect(parseManifest(shipped(DISTILLED)).training.teacher).toEqual({
      name: "mnist-full",
      version: full.version,
      sha256: full.onnx.sha256,
    });
  });

  it("refuses a training config that records an absolute path, naming where", () => {
    const manifest = shipped("mnist");
    for (const path of ["/work/teacher-full", "C:\\runs\\x", "~/runs/x", "\\\\server\\share"]) {
      const withPath = {
        ...manifest,
        training: { ...manifest.training, config: { ...manifest.training.config, logdir: path } },
      };
      expect(() => parseManifest(withPath)).toThrow(
        /training\.config\.logdir: is a path of the training machine .*record a name instead/,
      );
    }
    const nested = {
      ...manifest,
      training: { ...manifest.training, config: { extra: [{ dir: "/tmp/a" }] } },
    };
    expect(() => parseManifest(nested)).toThrow(/training\.config\.extra\.0\.dir/);
  });

  it("refuses a dataset named by a path, and takes one named by its folder", () => {
    const manifest = shipped("mnist");
    const named = (name: string) => ({ ...manifest, dataset: { ...manifest.dataset, name } });
    expect(() => parseManifest(named("/data/my-photos"))).toThrow(
      /dataset\.name: is a path of the training machine; record the dataset folder's name/,
    );
    expect(parseManifest(named("my-photos")).dataset.name).toBe("my-photos");
  });

  it("reads an earlier trainer's config with today's names and without the command's fields", () => {
    const manifest = shipped("mnist");
    const { generatorWidth, ...settings } = manifest.training.config;
    // as trainers before the settings split wrote it (the pinned versions in R2 still say so)
    const earlier = {
      ...manifest,
      training: {
        ...manifest.training,
        config: {
          ...settings,
          gWidth: generatorWidth,
          out: "/work/run",
          resume: true,
          publish: false,
          preset: "full",
        },
      },
    };
    const read = parseManifest(earlier).training.config;
    expect(read).toEqual(manifest.training.config);
    expect(read).toMatchObject({ generatorWidth: 64 });
    for (const key of ["gWidth", "out", "resume", "publish", "preset", "config"]) {
      expect(read).not.toHaveProperty(key);
    }
  });

  it("gives the generator's width, an early manifest's too, and none for the MLP", () => {
    expect(generatorWidthOf(parseManifest(shipped("mnist")))).toBe(64);
    expect(parseManifest(shipped("mnist-full")).generatorWidth).toBeUndefined();
    expect(generatorWidthOf(parseManifest(shipped("mnist-full")))).toBe(128);
    expect(generatorWidthOf({ arch: "mlp" })).toBeNull();
  });

  it("gives the latent temperature the ONNX file was exported at: 1 for manifests before it", () => {
    const mnist = parseManifest(shipped(DISTILLED));
    expect(mnist.training.config).not.toHaveProperty("latentTemperature");
    expect(latentTemperatureOf(mnist)).toBe(1);
    const cooler = {
      ...mnist.training,
      config: { ...mnist.training.config, latentTemperature: 0.9 },
    };
    expect(latentTemperatureOf(parseManifest({ ...mnist, training: cooler }))).toBe(0.9);
  });

  it("tells paths from names", () => {
    expect(["/a", "~/a", "D:/a", "\\\\srv\\a"].every((s) => MACHINE_PATH.test(s))).toBe(true);
    expect(["mnist-full", "w64-distill", "a/b", "mnist"].some((s) => MACHINE_PATH.test(s))).toBe(
      false,
    );
  });
});
