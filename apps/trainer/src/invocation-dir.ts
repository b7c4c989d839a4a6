/**
 * Resolves user-given relative paths against the folder the user ran the command in.
 *
 * `npm run train` at the root goes through turbo, which runs the package script inside
 * apps/trainer; turbo records the user's folder in TURBO_INVOCATION_DIR. `npm run X -w
 * @edgegan/trainer` also runs inside apps/trainer; npm records the user's folder in INIT_CWD.
 * Without either (the CLI run directly with tsx) the current folder is the user's.
 */
import { isAbsolute, resolve } from "node:path";

/** The folder the user invoked the command from. */
export function invocationDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.TURBO_INVOCATION_DIR || env.INIT_CWD || process.cwd();
}

/** `path` made absolute against the invocation folder. */
export function fromInvocationDir(path: string, env: NodeJS.ProcessEnv = process.env): string {
  return isAbsolute(path) ? path : resolve(invocationDir(env), path);
}
