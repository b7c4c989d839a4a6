/**
 * `edgegan temper --model DIR --latent-temperature T --out DIR` (`npm run temper -- ...`): the
 * model at another latent temperature without its training run (../retemper.ts). Exit codes: 0
 * done, 1 failed (nothing written), 2 bad flags.
 */
import { settleFlags } from "../cli-runner.ts";
import { fromInvocationDir } from "../invocation-dir.ts";
import { retemperModel } from "../retemper.ts";
import { parseTemperArgs, TEMPER_USAGE } from "../retemper-options.ts";

/** Run the command with its flags (argv without the command name); resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  const flags = settleFlags(parseTemperArgs(argv), TEMPER_USAGE);
  if ("exit" in flags) return flags.exit;
  const { latentTemperature } = flags.options;
  const out = fromInvocationDir(flags.options.out);
  const manifest = await retemperModel(
    fromInvocationDir(flags.options.model),
    out,
    latentTemperature,
  );
  console.log(
    `wrote ${manifest.version} at latent temperature ${latentTemperature} into ${out} ` +
      `(parity bound ${manifest.parity.maxAbsDiff.toExponential(2)}); its figures: npm run eval -- --model ${out}`,
  );
  return 0;
}
