/**
 * Bindings that `wrangler types` cannot see: secrets. `API_KEY` is set with
 * `wrangler secret put API_KEY` (or `.dev.vars` locally); absent means the API is open.
 */
declare namespace Cloudflare {
  interface Env {
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
}

/** wrangler's default CompiledWasm rule: a `*.wasm` import is a compiled module (ORT's runtime). */
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
