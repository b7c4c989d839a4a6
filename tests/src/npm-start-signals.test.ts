/**
 * `npm start` (wrangler dev) and `npm run preview` (the deploy bundle in bare workerd) stop
 * everything they started when only their top process is signalled, the way a process manager,
 * a container stop or a CI script stops them: no wrangler or workerd of that run is left, and
 * the port is free again within 5 s.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { descendantPids, freePort, isAlive } from "@edgegan/edge-api/wrangler-dev";
import { describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** Whether something answers HTTP on the port. */
async function answers(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, {
      signal: AbortSignal.timeout(1000),
    });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    if (await check()) return performance.now() - start;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not within ${timeoutMs} ms`);
}

/** The launchers: npm arguments, and how many processes each runs below npm at least. */
const LAUNCHERS = [
  { name: "npm start", args: ["start"], processes: 3 }, // launcher, wrangler, workerd x2
  { name: "npm run preview", args: ["run", "preview"], processes: 2 }, // launcher, workerd
] as const;

describe.each(
  LAUNCHERS.flatMap((launcher) =>
    (["SIGTERM", "SIGINT", "SIGHUP"] as const).map((signal) => ({ ...launcher, signal })),
  ),
)("$name, then $signal to its top process", ({ args, processes, signal }) => {
  it("leaves no wrangler/workerd behind and frees the port within 5 s", async () => {
    const port = await freePort();
    const npm: ChildProcess = spawn("npm", [...args], {
      cwd: repoRoot,
      env: { ...process.env, PORT: String(port) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    npm.stdout?.on("data", (c: Buffer) => {
      output += c.toString();
    });
    npm.stderr?.on("data", (c: Buffer) => {
      output += c.toString();
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      npm.once("exit", (code, sig) => resolve({ code, signal: sig })),
    );
    try {
      await waitFor(() => answers(port), 120_000);
    } catch (error) {
      npm.kill("SIGKILL");
      throw new Error(
        `npm ${args.join(" ")} did not answer on ${port}: ${(error as Error).message}\n${output}`,
      );
    }
    const started = descendantPids(npm.pid as number);
    try {
      expect(started.length).toBeGreaterThanOrEqual(processes);

      npm.kill(signal); // the top process only, not its group
      const portFreeMs = await waitFor(async () => !(await answers(port)), 5000);
      const allGoneMs = await waitFor(() => started.every((pid) => !isAlive(pid)), 5000);
      const { code, signal: exitSignal } = await Promise.race([
        exited,
        new Promise<never>((_, reject) =>
          setTimeout(
            () => reject(new Error(`npm did not exit within 10 s of ${signal}\n${output}`)),
            10_000,
          ),
        ),
      ]);
      console.log(
        `${signal}: port free after ${portFreeMs.toFixed(0)} ms, all ${started.length} processes gone after ${allGoneMs.toFixed(0)} ms; npm exit ${code ?? exitSignal}`,
      );
      // SIGINT/SIGTERM reach the launcher (npm forwards them) and it exits 0; npm does not
      // forward SIGHUP and dies of it, and the launcher notices its parent is gone
      if (signal === "SIGHUP") expect(exitSignal).toBe("SIGHUP");
      else expect(code, output).toBe(0);
    } finally {
      // whatever failed above, leave no server of this run behind for the next test
      const left = [
        ...started,
        ...(isAlive(npm.pid as number) ? descendantPids(npm.pid as number) : []),
      ];
      for (const pid of [npm.pid as number, ...left]) {
        if (isAlive(pid)) process.kill(pid, "SIGKILL");
      }
    }
  });
});
