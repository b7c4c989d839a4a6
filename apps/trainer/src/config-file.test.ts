/** --config FILE: JSON and YAML with the flags' schema, flags winning, errors naming file and key. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_TRAIN_CONFIG, QUICK_PRESET } from "@edgegan/shared/train-config";
import { describe, expect, it } from "vitest";
import { parseCliArgs } from "./cli-args.ts";
import { readConfigFile } from "./config-file.ts";

function configFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "edgegan-config-"));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** parseCliArgs with the invocation folder pinned to `cwd`. */
const parse = (argv: string[], cwd = tmpdir()) => parseCliArgs(argv, { INIT_CWD: cwd });

describe("readConfigFile", () => {
  it("reads YAML and JSON, camelCase or kebab-case keys, paths relative to the file", () => {
    const yaml = configFile(
      "run.yaml",
      "# a committed run\narch: mlp\nbatch-size: 32\nlr: 1.0e-3\nout: runs/a\ndataset: folder:../images\n",
    );
    const dir = join(yaml, "..");
    expect(readConfigFile(yaml)).toEqual({
      arch: "mlp",
      batchSize: 32,
      lr: 1e-3,
      out: join(dir, "runs/a"),
      dataset: `folder:${join(dir, "../images")}`,
    });
    const json = configFile("run.json", JSON.stringify({ epochs: 3, dataset: "fashion-mnist" }));
    expect(readConfigFile(json)).toEqual({ epochs: 3, dataset: "fashion-mnist" });
  });

  it("names the file and the key of an unknown key and of each bad value", () => {
    const path = configFile("bad.yml", "learningRate: 0.1\nlr: 5\nbatch-size: 1.5\n");
    let message = "";
    try {
      readConfigFile(path);
    } catch (error) {
      message = (error as Error).message;
    }
    const lines = message.split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      new RegExp(`^${path}: unknown key "learningRate"; the keys are arch, generatorWidth,`),
    );
    expect(lines[1]).toMatch(
      new RegExp(`^${path}: lr: Too big: expected number to be <=1 \\(got 5\\)`),
    );
    expect(lines[2]).toMatch(
      new RegExp(`^${path}: batch-size: must be a whole number \\(got 1.5\\)`),
    );
  });

  it("reads an earlier trainer's name as today's, and refuses a file naming another", () => {
    // as model.json and checkpoints recorded the generator's width before it had one name
    expect(readConfigFile(configFile("old.json", '{"gWidth": 64, "arch": "dcgan"}'))).toEqual({
      generatorWidth: 64,
      arch: "dcgan",
    });
    const both = configFile("both.yaml", "gWidth: 64\ngenerator-width: 32\n");
    expect(() => readConfigFile(both)).toThrow(/generator-width: given twice/);
    expect(() => readConfigFile(configFile("nest.yaml", "config: other.yaml\n"))).toThrow(
      /unknown key "config"/,
    );
  });

  it("says what is wrong with syntax, shape, extension and a missing file", () => {
    expect(() => readConfigFile(configFile("a.yaml", "lr: [1,\n"))).toThrow(
      /a\.yaml: not valid YAML/,
    );
    expect(() => readConfigFile(configFile("a.json", "{lr: 1}"))).toThrow(
      /a\.json: not valid JSON/,
    );
    expect(() => readConfigFile(configFile("a.yaml", "- lr\n- 1\n"))).toThrow(
      /must hold a mapping/,
    );
    expect(() => readConfigFile(configFile("a.toml", "lr = 1"))).toThrow(
      /must end in \.json, \.yaml or \.yml/,
    );
    expect(() => readConfigFile(join(tmpdir(), "missing-edgegan.yaml"))).toThrow(
      /cannot be read \(ENOENT\)/,
    );
  });
});

describe("edgegan train --config", () => {
  it("takes the file over the defaults and the preset, and the flags over the file", () => {
    const path = configFile("quick.yaml", "preset: quick\nmaxSteps: 50\narch: mlp\n");
    const parsed = parse(["--config", path, "--arch", "dcgan"]);
    expect(parsed).toEqual({
      kind: "ok",
      options: {
        ...DEFAULT_TRAIN_CONFIG,
        ...QUICK_PRESET,
        config: path,
        preset: "quick",
        maxSteps: 50,
        arch: "dcgan",
      },
    });
    expect(parse([`--config=${path}`]).kind === "ok" && parse([`--config=${path}`])).toMatchObject({
      options: { arch: "mlp", maxSteps: 50 },
    });
  });

  it("finds a relative FILE from the folder the command was run in", () => {
    const path = configFile("c.json", '{"epochs": 2}');
    const parsed = parse(["--config", "c.json"], join(path, ".."));
    expect(parsed.kind === "ok" && parsed.options.epochs).toBe(2);
  });

  it("reports the file's errors as flag errors, and a --config without a file", () => {
    const path = configFile("c.json", '{"workers": 0}');
    expect(parse(["--config", path])).toEqual({
      kind: "error",
      errors: [`${path}: workers: Too small: expected number to be >=1 (got 0)`],
    });
    expect(parse(["--config"])).toEqual({
      kind: "error",
      errors: ["Option '--config <value>' argument missing"],
    });
    const dir = mkdtempSync(join(tmpdir(), "edgegan-config-"));
    mkdirSync(join(dir, "x.yaml"));
    expect(parse(["--config", join(dir, "x.yaml")]).kind).toBe("error");
  });
});
