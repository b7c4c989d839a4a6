/**
 * `npm start`: the edge API under `wrangler dev` on http://127.0.0.1:8787 (PORT overrides),
 * stopped completely on SIGINT, SIGTERM or SIGHUP to `npm start` alone.
 *
 * Why not `turbo run dev`: turbo puts a persistent task into its own process group, so a signal
 * to the top process (a process manager, a container stop, a CI script) never reached wrangler,
 * and wrangler plus two workerd processes kept answering on the port. Here the launcher owns
 * wrangler's process group and takes it down, then exits 0: a stop on request is no failure.
 */
import { createServer } from "node:net";
import { exitOnStopRequest, startWranglerDev } from "./wrangler-dev.ts";

const DEFAULT_PORT = 8787;

/** The port from PORT, or the default; a clear error for anything else. */
function portFromEnv(text: string | undefined): number {
  if (text === undefined || text === "") return DEFAULT_PORT;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new Error(`PORT=${text} is not a TCP port (accepted: a whole number from 1 to 65535)`);
  }
  return port;
}

/** Fails with a message naming the port when something already listens on it. */
async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === "EADDRINUSE"
            ? `127.0.0.1:${port} is already in use (another npm start?); stop that server or set PORT`
            : `cannot listen on 127.0.0.1:${port}: ${error.message}`,
        ),
      ),
    );
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

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
