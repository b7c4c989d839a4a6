#!/usr/bin/env -S npx tsx
/**
 * `npm run synth -- --count N --out DIR`: write a labelled synthetic dataset (IDX files) from a
 * generator ONNX (default: the shipped model). Exit codes: 0 done, 1 failed, 2 bad flags.
 */
import { parseSynthArgs, SYNTH_USAGE } from "./eval/cli-options.ts";
import { readModelFolder } from "./eval/manifest-eval.ts";
import { synthesize, writeSyntheticSet } from "./eval/synthesize.ts";

async function main(argv: string[]): Promise<number> {
  const parsed = parseSynthArgs(argv);
  if (parsed.kind === "help") {
    process.stdout.write(SYNTH_USAGE);
    return 0;
  }
  if (parsed.kind === "error") {
    for (const error of parsed.errors) process.stderr.write(`error: ${error}\n`);
    process.stderr.write("Run with --help for the flags and their accepted values.\n");
    return 2;
  }
  const { modelDir, outDir, perClass, seed } = parsed.options;
  const folder = readModelFolder(modelDir);
  const started = performance.now();
  let last = 0;
  const set = await synthesize(folder.onnx, perClass, {
    seed,
    onProgress: (done, total) => {
      if (done === total || performance.now() - last > 5000) {
        last = performance.now();
        console.log(`generated ${done}/${total}`);
      }
    },
  });
  const paths = writeSyntheticSet(outDir, set, {
    onnx: folder.onnx,
    model: modelDir,
    seed,
    manifestVersion: folder.manifest.version,
  });
  console.log(
    `wrote ${set.count} images of ${folder.manifest.version} (per class ${perClass.join(",")}) in ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s:\n  ${paths.join("\n  ")}\n` +
      `train on it with: npm run train -- --dataset ${outDir}`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
