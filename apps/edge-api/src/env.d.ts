/**
 * Bindings that `wrangler types` cannot see: secrets. `API_KEY` is set with
 * `wrangler secret put API_KEY` (or `.dev.vars` locally); absent means the API is open.
 */
declare namespace Cloudflare {
  interface Env {
    API_KEY?: string;
  }
}
