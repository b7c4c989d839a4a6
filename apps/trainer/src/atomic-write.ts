/**
 * Writes files so that a reader never sees half of one: write a temp file beside the target,
 * flush it to disk, then rename over the target (rename is atomic within a filesystem).
 * Used for everything the user makes: checkpoints, models, manifests, grids, reports.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
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
