/**
 * `edgegan synth --count N --out DIR` (`npm run synth -- ...`): write a labelled synthetic dataset (IDX files) from a
 * generator ONNX (default: the shipped model). Exit codes: 0 done, 1 failed, 2 bad flags.
 */
import { readModelFolder } from "@edgegan/model/read-model-folder";
import { settleFlags } from "../cli-runner.ts";
import { parseSynthArgs, SYNTH_USAGE, synthCounts } from "../eval/cli-options.ts";
import { fromInvocationDir } from "../invocation-dir.ts";
import { synthesize, writeSyntheticSet } from "../synthesize.ts";

/** Run the command with its flags (argv without the command name); resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  const flags = settleFlags(parseSynthArgs(argv), SYNTH_USAGE);
  if ("exit" in flags) return flags.exit;
  const { seed } = flags.options;
  const modelDir = fromInvocationDir(flags.options.model);
  const outDir = fromInvocationDir(flags.options.out);
  const perClass = synthCounts(flags.options);
  const folder = await readModelFolder(modelDir);
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
    onnxSha256: folder.manifest.onnx.sha256,
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
