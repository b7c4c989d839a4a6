/**
 * `npm run preview`: the edge API as a deploy would run it. Builds the bundle `wrangler deploy`
 * uploads (`--dry-run --outdir`) and serves it with the bare workerd binary wrangler ships, no
 * wrangler dev proxy, on http://127.0.0.1:8788 (PORT or --port overrides; --env NAME picks the
 * wrangler environment, default production). The Cache API and the rate limiter are stand-ins
 * (scripts/preview-standins.js); the cache's mode can be switched while it runs:
 *
 *   curl -X POST 'http://127.0.0.1:<control port>/cache-mode?mode=throw'
 *
 * Stops workerd by its pid on SIGINT, SIGTERM or SIGHUP (or when its parent goes), then exits 0,
 * like `npm start`.
 */
import { assertPortFree, portFromEnv } from "./ports.ts";
import { startPreview } from "./workerd-preview.ts";
import { exitOnStopRequest } from "./wrangler-dev.ts";

const DEFAULT_PREVIEW_PORT = 8788;

function flagValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = process.argv[i + 1];
  if (value === undefined || value.startsWith("--")) {
    throw new Error(`--${name} needs a value (e.g. --port 8788, --env production)`);
  }
  return value;
}

async function main(): Promise<void> {
  const stopRequest = exitOnStopRequest(() => 0);
  const port = portFromEnv(flagValue("port") ?? process.env.PORT, DEFAULT_PREVIEW_PORT);
  const env = flagValue("env") ?? "production";
  await assertPortFree(port);
  console.log(`building the deploy bundle (wrangler deploy --dry-run --env ${env}) ...`);
  const preview = await startPreview({ env, port, echo: true, stopRequest });
  console.log(
    `EdgeGAN edge API (deploy bundle, env ${env}, bare workerd pid ${preview.child.pid}) ready on ${preview.base}/; ` +
      `cache stand-in control on ${preview.controlBase}/cache-mode?mode=store|miss|throw|hang (POST)`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
