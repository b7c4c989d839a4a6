/**
 * `edgegan train`'s publishing, as the command runs it: --publish copies the verified model into
 * --publish-dir/<dataset>/ (default: the edge API's models folder), flags that cannot publish
 * are refused before any work.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readModelFolder } from "@edgegan/model/read-model-folder";
import { EVAL_FILE, EVAL_PICTURE_FILE, MANIFEST_FILE, ONNX_FILE } from "@edgegan/shared";
import { afterEach, describe, expect, it, vi } from "vitest";
import { USAGE } from "../cli-args.ts";
import { EDGE_MODELS_DIR } from "./edge-models.ts";
import { run } from "./train.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

/** The smallest real run: one MLP step on 64 MNIST images, then the parity-gated export. */
const tinyRun = (out: string) => [
  ...["--arch", "mlp", "--backend", "wasm", "--workers", "1", "--limit-images", "64"],
  ...["--batch-size", "32", "--max-steps", "1", "--checkpoint-minutes", "0", "--out", out],
];

const temp = (prefix: string) => mkdtempSync(join(tmpdir(), `edgegan-${prefix}-`));

function quiet() {
  const err: string[] = [];
  vi.spyOn(console, "log").mockImplementation(() => {});
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => err.push(String(chunk)) > 0);
  return err;
}

describe("edgegan train --publish", () => {
  it("copies the verified model into --publish-dir/<dataset>/, dropping the replaced model's evaluation", async () => {
    quiet();
    const out = temp("publish-run");
    const models = temp("publish-models");
    // the model being replaced, with its evaluation
    mkdirSync(join(models, "mnist"));
    for (const stale of [EVAL_FILE, EVAL_PICTURE_FILE]) {
      writeFileSync(join(models, "mnist", stale), "of the previous model");
    }
    expect(await run([...tinyRun(out), "--publish", "--publish-dir", models])).toBe(0);
    const published = await readModelFolder(join(models, "mnist"));
    const trained = await readModelFolder(out);
    expect(published.manifest.onnx.sha256).toBe(trained.manifest.onnx.sha256);
    expect(readFileSync(join(models, "mnist", MANIFEST_FILE))).toEqual(
      readFileSync(join(out, MANIFEST_FILE)),
    );
    for (const stale of [EVAL_FILE, EVAL_PICTURE_FILE]) {
      expect(existsSync(join(models, "mnist", stale)), stale).toBe(false);
    }
  });

  it("refuses --publish-dir without --publish, and --publish for a dataset the edge does not serve (exit 2, nothing run)", async () => {
    const err = quiet();
    const out = temp("publish-refused");
    expect(await run([...tinyRun(out), "--publish-dir", temp("models")])).toBe(2);
    expect(err.join("")).toMatch(
      /--publish-dir: says where --publish copies the model; add --publish/,
    );
    const images = temp("images");
    expect(await run([...tinyRun(out), "--dataset", `folder:${images}`, "--publish"])).toBe(2);
    expect(err.join("")).toMatch(/--publish serves models of the known datasets/);
    expect(existsSync(join(out, ONNX_FILE))).toBe(false);
  });

  it("defaults --publish-dir to the edge API's models folder, and says so in --help", () => {
    expect(existsSync(join(EDGE_MODELS_DIR, "mnist", MANIFEST_FILE))).toBe(true);
    expect(USAGE).toMatch(
      /--publish-dir DIR\s+the models folder --publish copies into \(default: the edge API's/,
    );
  });
});
