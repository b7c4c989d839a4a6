import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { removeStaleTempFiles, writeFileAtomic } from "./atomic-write.ts";

describe("atomic writes", () => {
  it("replaces the target whole and leaves no temp file", () => {
    const dir = mkdtempSync(join(tmpdir(), "edgegan-aw-"));
    writeFileAtomic(join(dir, "a.json"), "old");
    writeFileAtomic(join(dir, "a.json"), "new");
    expect(readFileSync(join(dir, "a.json"), "utf8")).toBe("new");
    expect(readdirSync(dir)).toEqual(["a.json"]);
  });

  it("removes temp files of dead writers only", () => {
    const dir = mkdtempSync(join(tmpdir(), "edgegan-aw-"));
    // a pid that has certainly exited: a finished child process
    const deadPid = Number(
      execFileSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]),
    );
    writeFileSync(join(dir, `.checkpoint.bin.tmp-${deadPid}`), "partial");
    writeFileSync(join(dir, `.model.json.tmp-${process.pid}`), "mine, in progress");
    writeFileSync(join(dir, "checkpoint.bin"), "whole");
    expect(removeStaleTempFiles(dir)).toEqual([`.checkpoint.bin.tmp-${deadPid}`]);
    expect(existsSync(join(dir, `.model.json.tmp-${process.pid}`))).toBe(true);
    expect(existsSync(join(dir, "checkpoint.bin"))).toBe(true);
  });
});
