/**
 * Runs the real training driver on a tiny slice of MNIST (wasm backend with the training
 * kernels): resume continues exactly, bad states are refused with clear messages.
 */
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { TensorData } from "@edgegan/model/gan-state";
import { buildGenerator } from "@edgegan/model/generator";
import { generateOnce } from "@edgegan/model/onnx-generator";
import { inspectOnnx } from "@edgegan/model/onnx-inspect";
import { LATENT_SIZE, oneHot } from "@edgegan/shared";
import { createRng } from "@edgegan/shared/rng";
import {
  COMMAND_FIELDS,
  DEFAULT_TRAIN_CONFIG,
  ganSettingsSchema,
  runSettingsSchema,
  type TrainConfig,
} from "@edgegan/shared/train-config";
import { describe, expect, it } from "vitest";
import { tinyClassifier } from "../test/fixtures.ts";
import { CHECKPOINT_FILE, decodeCheckpoint, encodeCheckpoint } from "./checkpoint.ts";
import { classNamesFor } from "./dataset.ts";
import { exportVerifiedArtifact } from "./export-artifact.ts";
import { readMetrics } from "./metrics-log.ts";
import { train } from "./train.ts";

const quiet = {
  log: () => {},
  progressStream: { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream,
};

function tinyConfig(out: string, overrides: Partial<TrainConfig> = {}): TrainConfig {
  return {
    ...DEFAULT_TRAIN_CONFIG,
    arch: "mlp",
    backend: "wasm",
    // two shards: the trainer and one replica worker, so resume is checked data-parallel
    workers: 2,
    limitImages: 128,
    batchSize: 32,
    epochs: 2,
    metricsEvery: 2,
    checkpointMinutes: 0,
    out,
    ...overrides,
  };
}

function checkpointTensors(dir: string) {
  const { state, tensors } = decodeCheckpoint(
    new Uint8Array(readFileSync(join(dir, CHECKPOINT_FILE))),
    dir,
  );
  const flat = Object.entries(tensors).flatMap(([g, list]: [string, TensorData[]]) =>
    list.map((t, i) => [`${g}/${i}`, Array.from(t.values)] as const),
  );
  return { state, tensors: Object.fromEntries(flat) };
}

/** A served-model folder of an untrained DCGAN of `width`, to distil from. */
async function exportTeacher(width = 16): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "edgegan-teacher-"));
  await exportVerifiedArtifact(dir, {
    generator: buildGenerator("dcgan", width),
    arch: "dcgan",
    generatorWidth: width,
    dataset: { name: "mnist", classNames: classNamesFor("mnist") },
    training: {
      config: {},
      backend: "wasm",
      steps: 0,
      epochs: 0,
      wallTimeSeconds: 0,
      finalLosses: null,
      emaDecay: null,
    },
    seed: 1,
  });
  return dir;
}

/** Two steps of a width-8 DCGAN distilled from the model folder `teacher`. */
function studentConfig(out: string, teacher: string): TrainConfig {
  return tinyConfig(out, { arch: "dcgan", generatorWidth: 8, teacher, epochs: 1, maxSteps: 2 });
}

describe("train (tiny MNIST run)", () => {
  it.each([
    { recipe: "default", options: {} },
    // the rates fall from step 3 of 10 on: the resumed half runs wholly on decayed rates; D's
    // power-iteration vectors (spectral normalisation) travel in the checkpoint and the replica
    // (with D's projection head, spectrally normalised too)
    {
      recipe: "--lr-decay linear --spectral-norm --projection",
      options: { lrDecay: "linear", lrDecayStart: 0.3, spectralNorm: true, projection: true },
    },
    // each replica's D measures its own shard's spread: still one state, resumed exactly; D's
    // augmentations come from the run's RNG, so the resumed half redraws the straight run's
    {
      recipe: "--arch dcgan --minibatch-stddev --diff-augment",
      options: { arch: "dcgan", generatorWidth: 8, minibatchStddev: true, diffAugment: true },
    },
  ] as const)(
    "resuming from the epoch-1 checkpoint reproduces the uninterrupted run exactly ($recipe)",
    async ({ options }) => {
      const straight = mkdtempSync(join(tmpdir(), "edgegan-straight-"));
      const resumed = mkdtempSync(join(tmpdir(), "edgegan-resumed-"));
      // 5 steps per epoch: resumed after 5 steps, where Adam's bias correction restored with pow()
      // would differ from the straight run's in the last bit (gan-state.ts restores it exactly)
      const config = (out: string, overrides: Partial<TrainConfig> = {}) =>
        tinyConfig(out, { limitImages: 160, ...options, ...overrides });
      // run A: two epochs straight; keep a copy of its checkpoint taken after epoch 1
      const result = await train(config(straight), {
        ...quiet,
        log: (m) => {
          if (m.includes("(epoch 1 done)"))
            copyFileSync(join(straight, CHECKPOINT_FILE), join(resumed, CHECKPOINT_FILE));
        },
      });
      expect(result.status).toBe("completed");
      expect(result.steps).toBe(10); // 160 images / 32 per batch = 5 steps per epoch
      expect(existsSync(join(straight, "samples-epoch-1.png"))).toBe(true);
      expect(existsSync(join(straight, "report.md"))).toBe(true);
      expect(result.manifest?.parity.maxAbsDiff).toBeLessThanOrEqual(1e-4);

      // run B: resume the copy of the epoch-1 checkpoint
      expect(checkpointTensors(resumed).state.step).toBe(5);
      const second = await train(config(resumed, { resume: true }), quiet);
      expect(second.steps).toBe(10);

      const a = checkpointTensors(straight);
      const b = checkpointTensors(resumed);
      expect(b.state.step).toBe(10);
      expect(b.state.rngState).toEqual(a.state.rngState);
      expect(Object.keys(b.tensors)).toEqual(Object.keys(a.tensors));
      for (const key of Object.keys(a.tensors)) expect(b.tensors[key], key).toEqual(a.tensors[key]);
      expect(readMetrics(join(resumed, "metrics.jsonl")).map((m) => m.step)).toEqual([6, 8, 10]);
    },
  );

  it("refuses to resume a checkpoint of a different run, and to overwrite one without --resume", async () => {
    const out = mkdtempSync(join(tmpdir(), "edgegan-refuse-"));
    await train(tinyConfig(out, { epochs: 1, maxSteps: 2 }), quiet);
    await expect(train(tinyConfig(out, { epochs: 1 }), quiet)).rejects.toThrow(
      /already holds a checkpoint .*--resume/,
    );
    await expect(train(tinyConfig(out, { resume: true, lr: 1e-3 }), quiet)).rejects.toThrow(
      /--resume refused: .*lr: checkpoint has 0.0002, this run has 0.001/,
    );
    // a recipe option is part of the identity too (an older checkpoint's missing field: its default)
    await expect(
      train(tinyConfig(out, { resume: true, spectralNorm: true }), quiet),
    ).rejects.toThrow(/--resume refused: .*spectralNorm: checkpoint has false, this run has true/);
  });

  it("stops at --max-minutes of training and still exports", async () => {
    const out = mkdtempSync(join(tmpdir(), "edgegan-minutes-"));
    const result = await train(tinyConfig(out, { epochs: 50, maxMinutes: 0.002 }), quiet);
    expect(result.status).toBe("completed");
    expect(result.steps).toBeGreaterThanOrEqual(1);
    expect(result.steps).toBeLessThan(50 * 4);
    expect(existsSync(join(out, "generator.onnx"))).toBe(true);
  });

  it("with --eval-every, measures the generator after each epoch and reports the figures", async () => {
    const out = mkdtempSync(join(tmpdir(), "edgegan-evalevery-"));
    const classifier = await tinyClassifier();
    await train(tinyConfig(out, { evalEvery: 1 }), {
      ...quiet,
      evaluation: { classifier, samplesPerClass: 3 },
    });
    const history = readFileSync(join(out, "eval-history.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(history.map((h) => [h.epoch, h.step])).toEqual([
      [1, 4],
      [2, 8],
    ]);
    for (const h of history) {
      expect(h.frechetDistance).toBeGreaterThan(0);
      expect(h.labelAccuracy).toBeGreaterThanOrEqual(0);
      expect(h.labelAccuracy).toBeLessThanOrEqual(1);
    }
    expect(readFileSync(join(out, "report.md"), "utf8")).toContain("## Quality per epoch");
  });

  it("distils a lean DCGAN from a teacher model folder and records width and teacher", async () => {
    const teacherDir = await exportTeacher();
    const out = mkdtempSync(join(tmpdir(), "edgegan-student-"));
    const logs: string[] = [];
    const config = studentConfig(out, teacherDir);
    const result = await train(config, { ...quiet, log: (m) => logs.push(m) });
    expect(result.status).toBe("completed");
    expect(logs.some((m) => /distilling from mnist-dcgan-.* \(weight 10\)/.test(m))).toBe(true);
    expect(result.manifest?.generatorWidth).toBe(8);
    // the card names the teacher by name, version and sha256, and holds no path of this machine
    const teacherManifest = JSON.parse(readFileSync(join(teacherDir, "model.json"), "utf8"));
    expect(result.manifest?.training.teacher).toEqual({
      name: basename(teacherDir),
      version: teacherManifest.version,
      sha256: teacherManifest.onnx.sha256,
    });
    expect(result.manifest?.training.config).toMatchObject({
      generatorWidth: 8,
      teacher: basename(teacherDir),
    });
    // the card records the GAN's and the run's settings; the command's never reach it (or GET /model)
    const written = JSON.parse(readFileSync(join(out, "model.json"), "utf8"));
    expect(Object.keys(written.training.config).sort()).toEqual(
      [...Object.keys(ganSettingsSchema.shape), ...Object.keys(runSettingsSchema.shape)].sort(),
    );
    for (const key of COMMAND_FIELDS) expect(written.training.config).not.toHaveProperty(key);
    expect(readFileSync(join(out, "model.json"), "utf8")).not.toContain(tmpdir());
    expect(readFileSync(join(out, "report.md"), "utf8")).not.toContain(tmpdir());
    await expect(
      train(
        {
          ...config,
          out: mkdtempSync(join(tmpdir(), "edgegan-student-")),
          teacher: `${out}-missing`,
        },
        quiet,
      ),
    ).rejects.toThrow(/--teacher .*-missing: .*model.json not found/);
  });

  it("resumes a distilled run when its teacher is the same model under another path, and only then", async () => {
    const teacherDir = await exportTeacher();
    const out = mkdtempSync(join(tmpdir(), "edgegan-moved-"));
    const config = studentConfig(out, teacherDir);
    await train(config, quiet);
    // the same model in another folder (another checkout, another machine): the run re-exports
    const moved = join(mkdtempSync(join(tmpdir(), "edgegan-checkout-")), "mnist-full");
    cpSync(teacherDir, moved, { recursive: true });
    expect((await train({ ...config, teacher: moved, resume: true }, quiet)).status).toBe(
      "completed",
    );
    // another model is refused, named by version and sha256
    const other = await exportTeacher(8);
    const otherVersion = JSON.parse(readFileSync(join(other, "model.json"), "utf8")).version;
    await expect(train({ ...config, teacher: other, resume: true }, quiet)).rejects.toThrow(
      new RegExp(`teacher: checkpoint has mnist-dcgan-.*, this run has ${otherVersion} \\(sha256`),
    );
    // a checkpoint from before the teacher was recorded names it by the path it was last run
    // with (moved): the model that path holds stands in, and without one the run is refused
    const path = join(out, CHECKPOINT_FILE);
    const { state, tensors } = decodeCheckpoint(new Uint8Array(readFileSync(path)), out);
    const { teacher: _recorded, ...older } = state;
    expect(older.config.teacher).toBe(moved);
    writeFileSync(path, encodeCheckpoint(older, tensors));
    expect((await train({ ...config, resume: true }, quiet)).status).toBe("completed");
    writeFileSync(path, encodeCheckpoint(older, tensors));
    rmSync(moved, { recursive: true });
    await expect(train({ ...config, resume: true }, quiet)).rejects.toThrow(
      /teacher: the checkpoint names it only by the path .*mnist-full, which holds no model now/,
    );
  });

  it("exports at --latent-temperature (grid, parity gate and card), and a finished run re-exports at another by --resume", async () => {
    const out = mkdtempSync(join(tmpdir(), "edgegan-temperature-"));
    const config = tinyConfig(out, { arch: "dcgan", generatorWidth: 8, epochs: 1, maxSteps: 2 });
    const cool = await train({ ...config, latentTemperature: 0.5 }, quiet);
    expect(cool.manifest?.training.config).toMatchObject({ latentTemperature: 0.5 });
    expect(cool.manifest?.parity.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    const coolOnnx = new Uint8Array(readFileSync(join(out, "generator.onnx")));
    expect(inspectOnnx(coolOnnx).metadata.latent_temperature).toBe("0.5");
    const coolGrid = readFileSync(join(out, "samples-final.png"));

    // not part of the run's identity: the finished run re-exports, its weights untouched
    const weights = checkpointTensors(out).tensors;
    const plain = await train({ ...config, resume: true }, quiet);
    expect(plain.steps).toBe(2);
    expect(plain.manifest?.training.config).toMatchObject({ latentTemperature: 1 });
    expect(plain.manifest?.version).not.toBe(cool.manifest?.version);
    expect(checkpointTensors(out).tensors).toEqual(weights);
    expect(readFileSync(join(out, "samples-final.png"))).not.toEqual(coolGrid);

    // the graph at 0.5 gives for z what the graph at 1 gives for z / 2
    const plainOnnx = new Uint8Array(readFileSync(join(out, "generator.onnx")));
    const z = createRng(5).fillNormal(new Float32Array(4 * LATENT_SIZE));
    const labels = oneHot([0, 3, 6, 9]);
    const run = async (bytes: Uint8Array, latent: Float32Array) =>
      Array.from(await generateOnce(bytes, latent, labels, 4));
    const half = z.map((v) => v * 0.5);
    expect(await run(coolOnnx, z)).toEqual(await run(plainOnnx, half));
    expect(await run(coolOnnx, z)).not.toEqual(await run(plainOnnx, z));
  });

  it("fails at start when the output folder cannot be written", async () => {
    const blocker = join(mkdtempSync(join(tmpdir(), "edgegan-ro-")), "a-file");
    copyFileSync(import.meta.filename, blocker);
    await expect(train(tinyConfig(join(blocker, "run")), quiet)).rejects.toThrow(
      /--out .*run is not a writable folder/,
    );
  });
});
