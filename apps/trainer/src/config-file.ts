/**
 * `edgegan train --config FILE`: the training config as a file a team can commit, JSON or YAML,
 * with the same keys, bounds and messages as the flags (the shared trainConfigSchema; keys in
 * camelCase as in model.json, or kebab-case as on the command line; a name an earlier trainer
 * recorded, like gWidth, is read as today's). Flags given beside it win. Every setting but
 * `config` itself: a file names no other file of settings.
 *
 * Paths in the file (out, teacher, logdir, publishDir, a dataset folder) are relative to the file's own folder, so a
 * committed config works from wherever it is run. Every problem names the file and the key.
 */
import { readFileSync } from "node:fs";
import { dirname, extname, isAbsolute, resolve } from "node:path";
import {
  currentFieldName,
  type TrainConfig,
  trainConfigSchema,
} from "@edgegan/shared/train-config";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { datasetWithAbsolutePath } from "./dataset.ts";

const camel = (key: string) => key.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** The formats by file extension. */
const FORMATS: Record<string, (text: string) => unknown> = {
  ".json": (text) => JSON.parse(text),
  ".yaml": (text) => parseYaml(text),
  ".yml": (text) => parseYaml(text),
};

/**
 * Read and check a config file: the fields it sets, validated one by one, paths made absolute.
 * @throws Error starting with the file's path: unreadable, not .json/.yaml/.yml, a syntax error,
 *   not a mapping, an unknown key, a bad value ("FILE: lr: Too big: ... (got 5)")
 */
export function readConfigFile(file: string): Partial<TrainConfig> {
  const parse = FORMATS[extname(file).toLowerCase()];
  if (!parse) {
    throw new Error(`${file}: a config file must end in .json, .yaml or .yml`);
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch (error) {
    throw new Error(
      `${file}: not valid ${extname(file).slice(1).toUpperCase()}: ${(error as Error).message.split("\n")[0]}`,
    );
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new Error(`${file}: must hold a mapping of keys to values (like {"lr": 0.0002})`);
  }
  const { config: _itself, ...shape } = trainConfigSchema.shape as Record<string, z.ZodType>;
  const errors: string[] = [];
  const fields: Record<string, unknown> = {};
  for (const [written, value] of Object.entries(parsed)) {
    const key = currentFieldName(camel(written));
    const field = shape[key];
    if (!field || !Object.hasOwn(shape, key)) {
      errors.push(`unknown key "${written}"; the keys are ${Object.keys(shape).join(", ")}`);
      continue;
    }
    if (Object.hasOwn(fields, key)) {
      errors.push(`${written}: given twice (as ${key} and under another spelling)`);
      continue;
    }
    const result = field.safeParse(value);
    if (result.success) fields[key] = result.data;
    else
      errors.push(`${written}: ${result.error.issues[0]?.message} (got ${JSON.stringify(value)})`);
  }
  if (errors.length > 0) throw new Error(errors.map((e) => `${file}: ${e}`).join("\n"));
  const absolute = (path: string) => (isAbsolute(path) ? path : resolve(dirname(file), path));
  if (typeof fields.out === "string") fields.out = absolute(fields.out);
  if (typeof fields.teacher === "string") fields.teacher = absolute(fields.teacher);
  if (typeof fields.logdir === "string") fields.logdir = absolute(fields.logdir);
  if (typeof fields.publishDir === "string") fields.publishDir = absolute(fields.publishDir);
  if (typeof fields.dataset === "string") {
    fields.dataset = datasetWithAbsolutePath(fields.dataset, absolute);
  }
  return fields as Partial<TrainConfig>;
}
