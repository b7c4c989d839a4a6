/**
 * What every trainer command (train, eval, synth, temper) does around its work: print help or flag
 * errors with the exit code 2, run, and turn a thrown error into one clear line and exit code 1.
 */

/** The result of parsing a command's flags. */
export type ParsedFlags<T> =
  | { kind: "ok"; options: T }
  | { kind: "help" }
  | { kind: "error"; errors: string[] };

/**
 * Print help or flag errors.
 * @returns the exit code when the command should stop here, or the options to run with.
 */
export function settleFlags<T>(
  parsed: ParsedFlags<T>,
  usage: string,
): { exit: number } | { options: T } {
  if (parsed.kind === "help") {
    process.stdout.write(usage);
    return { exit: 0 };
  }
  if (parsed.kind === "error") {
    for (const error of parsed.errors) process.stderr.write(`error: ${error}\n`);
    process.stderr.write("Run with --help for the flags and their accepted values.\n");
    return { exit: 2 };
  }
  return { options: parsed.options };
}

/** Run `main` with the command-line arguments and exit with its code (1 and a message if it throws). */
export function runCli(main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
