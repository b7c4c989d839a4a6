/**
 * Bindings that `wrangler types` cannot see: secrets. `API_KEY` is set with
 * `wrangler secret put API_KEY` (or `.dev.vars` locally); absent means the API is open.
 */
declare namespace Cloudflare {
  interface Env {
    API_KEY?: string;
  }
}

/** wrangler's default CompiledWasm rule: a `*.wasm` import is a compiled module (ORT's runtime). */
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
