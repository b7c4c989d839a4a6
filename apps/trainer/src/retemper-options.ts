/**
 * Flags of `edgegan temper`, declared once as a zod schema (help, defaults and validation come
 * from it, schema-flags.ts); the temperature's bounds and meaning are the trainer's own setting's.
 */
import {
  LATENT_TEMPERATURE_DESCRIPTION,
  latentTemperatureSchema,
} from "@edgegan/shared/train-config";
import { z } from "zod";
import type { ParsedFlags } from "./cli-runner.ts";
import { flagsHelp, parseFlags, requiredFlag } from "./schema-flags.ts";

export const temperFlagsSchema = z
  .object({
    model: z
      .string({ error: requiredFlag })
      .min(1)
      .meta({ value: "DIR", description: "the model folder to re-temper (model.json + its ONNX)" }),
    latentTemperature: latentTemperatureSchema({ error: requiredFlag }).meta({
      value: "T",
      description: `the temperature to set, not a factor on the one it has: ${LATENT_TEMPERATURE_DESCRIPTION}`,
    }),
    out: z.string({ error: requiredFlag }).min(1).meta({
      value: "DIR",
      description:
        "the model folder to write (may be --model's): a model of another version there is first kept under DIR/earlier/ for pinned URLs",
    }),
  })
  .strict();

/** The flags of `edgegan temper`, parsed (paths as given). */
export type TemperFlags = z.infer<typeof temperFlagsSchema>;

export const TEMPER_USAGE = `Usage: edgegan temper --model DIR --latent-temperature T --out DIR   (npm run temper -- ...)

Writes the model at another latent temperature without its training run: generator.onnx gets,
changes or loses its Mul(z, T) node (the weights stay), checked against the source graph, under a
new version; then run npm run eval on DIR for its figures.

${flagsHelp(temperFlagsSchema)}`;

/** Parse `edgegan temper` flags. */
export function parseTemperArgs(argv: string[]): ParsedFlags<TemperFlags> {
  return parseFlags(temperFlagsSchema, argv);
}
