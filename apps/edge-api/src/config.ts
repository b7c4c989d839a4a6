/**
 * Reads the worker's configuration from its bindings (wrangler.jsonc `vars` and secrets).
 * Invalid configuration is a deployment mistake: it is reported, never silently replaced.
 */

/** `count` ceiling no configuration may exceed (CPU and memory per request). */
export const MAX_COUNT_CEILING = 256;
/** `count` maximum when MAX_COUNT is unset. */
export const DEFAULT_MAX_COUNT = 64;

/** The configuration the app runs with. */
export interface AppConfig {
  /** Largest accepted `count` for /sample. */
  maxCount: number;
  /** Allowed CORS origins: "*" or an explicit list. */
  corsOrigins: "*" | string[];
  /** When set, /sample and /model require `Authorization: Bearer <apiKey>`. */
  apiKey: string | undefined;
}

/** The bindings the config is read from (all optional so tests can pass a partial env). */
export interface ConfigBindings {
  MAX_COUNT?: string;
  CORS_ORIGINS?: string;
  API_KEY?: string;
}

/**
 * Parse the bindings into an AppConfig.
 * @throws Error naming the variable and the accepted values when one is invalid.
 * @example readConfig({ MAX_COUNT: "32" }).maxCount // 32
 */
export function readConfig(env: ConfigBindings | undefined): AppConfig {
  const rawMax = env?.MAX_COUNT?.trim();
  let maxCount = DEFAULT_MAX_COUNT;
  if (rawMax !== undefined && rawMax !== "") {
    maxCount = Number(rawMax);
    if (!/^\d+$/.test(rawMax) || maxCount < 1 || maxCount > MAX_COUNT_CEILING) {
      throw new Error(
        `MAX_COUNT is "${rawMax}"; accepted: an integer from 1 to ${MAX_COUNT_CEILING}`,
      );
    }
  }
  const rawOrigins = env?.CORS_ORIGINS?.trim() ?? "*";
  const list = rawOrigins
    .split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin !== "");
  const corsOrigins = list.length === 0 || list.includes("*") ? "*" : list;
  const apiKey = env?.API_KEY !== undefined && env.API_KEY !== "" ? env.API_KEY : undefined;
  return { maxCount, corsOrigins, apiKey };
}
