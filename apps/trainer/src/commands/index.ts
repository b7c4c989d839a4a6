/**
 * The trainer's commands by name, and `edgegan(argv)`, which dispatches to one: used by the
 * `edgegan` bin (../edgegan.ts) and by the tests. A command's code loads only when it runs.
 */
const COMMANDS = {
  train: {
    summary: "train the GAN, export a parity-checked generator.onnx + model.json, report",
    load: () => import("./train.ts"),
  },
  eval: {
    summary: "Frechet distance, label accuracy and coverage of one or more generators",
    load: () => import("./eval.ts"),
  },
  synth: {
    summary: "a labelled synthetic dataset (IDX files) from a generator",
    load: () => import("./synth.ts"),
  },
  temper: {
    summary: "a served model at another latent temperature, without its training run",
    load: () => import("./temper.ts"),
  },
} as const;

type CommandName = keyof typeof COMMANDS;

export const EDGEGAN_USAGE = `Usage: edgegan <command> [flags]   (npm run <command> -- [flags] at the repo root)

${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(7)}${command.summary}`)
  .join("\n")}

edgegan <command> --help lists the command's flags.
`;

const isCommand = (name: string): name is CommandName => Object.hasOwn(COMMANDS, name);

/** Run `edgegan` with its arguments; resolves to the exit code. */
export async function edgegan(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? process.stderr : process.stdout).write(EDGEGAN_USAGE);
    return name === undefined ? 2 : 0;
  }
  if (!isCommand(name)) {
    process.stderr.write(
      `error: unknown command "${name.slice(0, 40)}"; the commands are ${Object.keys(COMMANDS).join(", ")}\n`,
    );
    return 2;
  }
  const command = await COMMANDS[name].load();
  return command.run(rest);
}
