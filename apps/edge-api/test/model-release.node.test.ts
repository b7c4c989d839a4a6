/**
 * What a release of a model folder writes into the bucket, in order: the versions the folder keeps
 * under earlier/ (files only, for pinned URLs), its own version's files, the live pointer last;
 * and a folder with a kept version that does not verify is refused before anything is written.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EARLIER_VERSIONS_DIR, MANIFEST_FILE, ONNX_FILE } from "@edgegan/shared";
import { afterEach, describe, expect, it } from "vitest";
import { modelRelease } from "../scripts/model-release-objects.ts";
import { releaseCommands } from "../scripts/release-model.ts";
import { APP_DIR } from "../scripts/wrangler-dev.ts";

const SHIPPED = join(APP_DIR, "models", "mnist");
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the shipped mnist folder as `NAME/`, keeping a renamed copy of itself as `earlier/OLD/`. */
function folderWithEarlierVersion(old: string): string {
  const root = mkdtempSync(join(tmpdir(), "edgegan-release-"));
  made.push(root);
  const dir = join(root, "digits");
  const kept = join(dir, EARLIER_VERSIONS_DIR, old);
  for (const target of [dir, kept])
    cpSync(SHIPPED, target, {
      recursive: true,
      filter: (src) => !src.includes(EARLIER_VERSIONS_DIR),
    });
  const manifest = JSON.parse(readFileSync(join(kept, MANIFEST_FILE), "utf8")) as object;
  writeFileSync(join(kept, MANIFEST_FILE), JSON.stringify({ ...manifest, version: old }));
  return dir;
}

describe("modelRelease", () => {
  it("writes the kept versions first and moves live last, to the folder's own version", async () => {
    const dir = folderWithEarlierVersion("digits-old");
    const release = await modelRelease(dir);
    const { version } = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), "utf8")) as {
      version: string;
    };
    expect(release).toMatchObject({ name: "digits", version, earlierVersions: ["digits-old"] });
    expect(release.objects.map((o) => o.key)).toEqual([
      `models/digits/digits-old/${ONNX_FILE}`,
      `models/digits/digits-old/${MANIFEST_FILE}`,
      `models/digits/${version}/${ONNX_FILE}`,
      `models/digits/${version}/${MANIFEST_FILE}`,
      "models/digits/live",
    ]);
    expect(release.objects.at(-1)?.text).toBe(version);
    const commands = releaseCommands(release, "bucket");
    expect(commands.filter((c) => c.args[3]?.endsWith("/live"))).toHaveLength(1);
    expect(commands.at(-1)?.stdin).toBe(version);
  });

  it("refuses a folder whose kept version does not verify, naming its file", async () => {
    const dir = folderWithEarlierVersion("digits-old");
    writeFileSync(join(dir, EARLIER_VERSIONS_DIR, "digits-old", ONNX_FILE), "truncated");
    await expect(modelRelease(dir)).rejects.toThrow(
      /digits-old.*generator\.onnx|generator\.onnx.*digits-old/,
    );
  });
});
