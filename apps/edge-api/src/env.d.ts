/**
 * Bindings that `wrangler types` cannot see: secrets and bindings that only some configurations
 * have. `API_KEY` is set with `wrangler secret put API_KEY` (or `.dev.vars` locally); absent means
 * the API is open. Merged into both `Env` declarations the generated types make (the global one
 * and `Cloudflare.Env`, which `cloudflare:workers` and `cloudflare:test` use).
 */
interface OptionalBindings {
  API_KEY?: string;
  /**
   * Optional R2 bucket of released models (models/NAME/VERSION/..., models/NAME/live); bind it
   * in wrangler.jsonc `r2_buckets` to serve models beyond the bundled ones.
   */
  MODELS?: R2Bucket;
  /** A rate limiter with a limit of 3 per minute for the workerd tests (vitest.config.ts). */
  TEST_RATE_LIMITER?: RateLimit;
  /** The local R2 bucket of the workerd tests (vitest.config.ts). */
  TEST_MODELS?: R2Bucket;
}

interface Env extends OptionalBindings {}

declare namespace Cloudflare {
  interface Env extends OptionalBindings {}
}

/** wrangler's default CompiledWasm rule: a `*.wasm` import is a compiled module (ORT's runtime). */
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
