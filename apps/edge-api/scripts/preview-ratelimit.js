/**
 * The preview's `RATE_LIMITER` binding (scripts/workerd-preview.ts): a workerd wrapped binding,
 * so it runs inside the worker's own isolate as the platform's binding answers from a local
 * counter, with no call to another worker per request. `limit({ key })` -> `{ success }`: a
 * fixed window of `period` seconds with `limit` calls per key, the `simple` settings of the
 * wrangler environment's `ratelimits` entry (given as the inner bindings `limit`, `period`).
 *
 * Plain JavaScript: workerd loads this file as an extension module, no bundler in between.
 */

/** key -> { windowStart: ms, used: n } (one map per isolate, as the platform's counters are local) */
const windows = new Map();

export default function makeRateLimiter(env) {
  const limit = Number(env.limit);
  const periodMs = Number(env.period) * 1000;
  return {
    async limit({ key }) {
      const now = Date.now();
      const window = windows.get(key);
      if (!window || now - window.windowStart >= periodMs) {
        windows.set(key, { windowStart: now, used: 1 });
        return { success: limit >= 1 };
      }
      window.used++;
      return { success: window.used <= limit };
    },
  };
}
