/**
 * `npm start`: the edge API under `wrangler dev` on http://127.0.0.1:8787 (PORT overrides),
 * stopped completely on SIGINT, SIGTERM or SIGHUP to `npm start` alone.
 *
 * Why not `turbo run dev`: turbo puts a persistent task into its own process group, so a signal
 * to the top process (a process manager, a container stop, a CI script) never reached wrangler,
 * and wrangler plus two workerd processes kept answering on the port. Here the launcher owns
 * wrangler's process group and takes it down, then exits 0: a stop on request is no failure.
 */
import { assertPortFree, portFromEnv } from "./ports.ts";
import { exitOnStopRequest, startWranglerDev } from "./wrangler-dev.ts";

async function main(): Promise<void> {
  const stopRequest = exitOnStopRequest(() => 0);
  const port = portFromEnv(process.env.PORT);
  await assertPortFree(port);
  const dev = await startWranglerDev({
    port,
    echo: true,
    readyTimeoutMs: 180_000,
    stopRequest,
  });
  console.log(
    `EdgeGAN edge API ready on ${dev.base}/ (gallery), ${dev.base}/openapi.json (pid ${process.pid})`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
