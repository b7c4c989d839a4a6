/**
 * The port a launcher (npm start, npm run preview) serves on: from PORT, checked to be free
 * before anything is started, with errors that say what to do.
 */
import { createServer } from "node:net";

/** The port `npm start` serves on when PORT is unset. */
export const DEFAULT_PORT = 8787;

/** The port from PORT, or the default; a clear error for anything else. */
export function portFromEnv(text: string | undefined, fallback = DEFAULT_PORT): number {
  if (text === undefined || text === "") return fallback;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new Error(`PORT=${text} is not a TCP port (accepted: a whole number from 1 to 65535)`);
  }
  return port;
}

/** Fails with a message naming the port when something already listens on it. */
export async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === "EADDRINUSE"
            ? `127.0.0.1:${port} is already in use (another npm start or preview?); stop that server or set PORT`
            : `cannot listen on 127.0.0.1:${port}: ${error.message}`,
        ),
      ),
    );
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}
