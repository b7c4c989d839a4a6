/**
 * Writes files so that a reader never sees half of one: write a temp file beside the target,
 * flush it to disk, then rename over the target (rename is atomic within a filesystem).
 * Used for everything the user makes: checkpoints, models, manifests, grids, reports.
 */
import {
  closeSync,
  fsyncSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";

/** Write `data` to `path` atomically; on failure the previous file (if any) is untouched. */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const temp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  try {
    const fd = openSync(temp, "w");
    try {
      let written = 0;
      while (written < bytes.length)
        written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

const TEMP_NAME = /^\..+\.tmp-(\d+)$/;

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Delete temp files that a killed writer left in `dir` (`.NAME.tmp-PID` whose PID no longer
 * runs): a SIGKILL during a checkpoint write leaves one behind, tens of MB each.
 * @returns the names removed.
 */
export function removeStaleTempFiles(dir: string): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const match = TEMP_NAME.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || processIsAlive(pid)) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}
