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
  /** When set, the routes declared `access: "key"` (routes/table.ts) require `Authorization: Bearer <apiKey>`. */
  apiKey: string | undefined;
  /**
   * Whether the runtime's clock runs during CPU work (LOCAL_TIMINGS=true: local workerd, npm
   * start, the preview's bench environment), so per-phase durations are real. Deployed Workers
   * advance the clock only at I/O (a Spectre mitigation): there they would read 0, so the worker
   * reports none and dashboards use the CPU and wall time the platform records per invocation.
   */
  localTimings: boolean;
}

/** The bindings the config is read from (all optional so tests can pass a partial env). */
export interface ConfigBindings {
  MAX_COUNT?: string;
  CORS_ORIGINS?: string;
  API_KEY?: string;
  LOCAL_TIMINGS?: string;
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
  const rawTimings = env?.LOCAL_TIMINGS?.trim() ?? "";
  if (!["", "true", "false"].includes(rawTimings)) {
    throw new Error(`LOCAL_TIMINGS is "${rawTimings}"; accepted: "true", "false" or unset`);
  }
  return { maxCount, corsOrigins, apiKey, localTimings: rawTimings === "true" };
}
