/**
 * Bench: how long `--dataset folder:DIR` takes to read a folder of 28x28 PNGs (list, split,
 * decode, convert). Target: 60,000 PNGs in <= 30 s.
 *
 * Builds the folder from Fashion-MNIST's 70,000 images (Debian's dataset-fashion-mnist) in a temp
 * folder, times the reading of all of it, reports the time per 60,000, and deletes the folder.
 * Run: npx tsx bench/image-folder.bench.ts [--dir DIR] [--keep]   (--dir: time an existing folder)
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fashionMnistDir } from "../src/dataset.ts";
import { readImageFolder } from "../src/image-folder/image-folder.ts";
import { writeImageFolder } from "../src/image-folder/write-image-folder.ts";

const args = process.argv.slice(2);
const given = args.includes("--dir") ? args[args.indexOf("--dir") + 1] : undefined;
if (!given && !existsSync(fashionMnistDir())) {
  console.log(
    `image-folder bench skipped: Fashion-MNIST is not in ${fashionMnistDir()} (apt-get install dataset-fashion-mnist)`,
  );
  process.exit(0);
}
const dir = given ?? mkdtempSync(join(tmpdir(), "edgegan-fashion-folder-"));
try {
  if (!given) {
    const t0 = performance.now();
    const n = writeImageFolder("fashion-mnist", dir);
    console.log(`wrote ${n} PNGs in ${((performance.now() - t0) / 1000).toFixed(1)} s to ${dir}`);
  }
  // wall time, and this process's CPU time (user + system): on a shared machine the CPU time
  // says what the loader costs, the wall time what a user waits
  const runs: { wall: number; cpu: number }[] = [];
  let count = 0;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const data = readImageFolder(dir);
    const c = process.cpuUsage(c0);
    runs.push({ wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 });
    count = data.train.count + data.test.count;
  }
  const median = (key: "wall" | "cpu") =>
    runs.map((r) => r[key]).sort((a, b) => a - b)[1] as number;
  const per60k = (s: number) => ((s * 60_000) / count).toFixed(1);
  console.log(
    `read ${count} images, 3 runs: wall ${runs.map((r) => r.wall.toFixed(1)).join(", ")} s, ` +
      `CPU ${runs.map((r) => r.cpu.toFixed(1)).join(", ")} s; median per 60,000: ` +
      `wall ${per60k(median("wall"))} s, CPU ${per60k(median("cpu"))} s (target <= 30 s); load ${loadavg()[0]?.toFixed(1)}`,
  );
} finally {
  if (!given && !args.includes("--keep")) rmSync(dir, { recursive: true, force: true });
}
