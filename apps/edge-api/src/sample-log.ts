/**
 * One structured JSON log line per GET /sample and /animate (Workers Logs collects console output when
 * `observability` is enabled in wrangler.jsonc), written after the answer whatever its status:
 *
 *   {"event":"sample","status":200,"model":"mnist","version":"...","count":16,"scale":1,
 *    "format":"png","cache":"miss","inferenceMs":9,"encodeMs":1,"totalMs":11}
 *
 * Fields that were not reached (a 400 before the model was chosen) are absent. Nothing secret
 * is logged: no API key, no Authorization header, no client address, no raw query string.
 *
 * The millisecond fields are there only where the clock runs during CPU work (LOCAL_TIMINGS=true:
 * local workerd, benches). Deployed Workers advance the clock only at I/O, so they would read 0
 * there and are left out; Workers Logs records each invocation's CPU and wall time beside the
 * line (`$workers.cpuTimeMs`, `$workers.wallTimeMs`), which is what production dashboards use.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env.ts";

/** What the /sample handler reports about one request. */
export interface SampleLogFields {
  model?: string;
  version?: string;
  count?: number;
  scale?: number;
  format?: string;
  /** hit: from the Cache API; miss: generated and stored; revalidated: 304; none: unseeded. */
  cache?: "hit" | "miss" | "revalidated" | "none";
  inferenceMs?: number;
  encodeMs?: number;
}

/** The full line: the handler's fields plus status and (locally) total time. */
export interface SampleLogLine extends SampleLogFields {
  /** sample: GET /sample; animate: GET /animate (count is its frames there). */
  event: "sample" | "animate";
  status: number;
  /** Only with LOCAL_TIMINGS=true (see above). */
  totalMs?: number;
}

/** Middleware around /sample and /animate: collects the handler's fields, then writes one line. */
export const sampleLog: MiddlewareHandler<AppEnv> = async (c, next) => {
  const started = performance.now();
  const fields: SampleLogFields = {};
  c.set("sampleLog", fields);
  await next();
  const event = c.req.path === "/animate" ? "animate" : "sample";
  const line: SampleLogLine = { event, status: c.res.status, ...fields };
  if (c.get("config")?.localTimings) {
    line.totalMs = Math.round((performance.now() - started) * 100) / 100;
  }
  console.log(JSON.stringify(line));
};
