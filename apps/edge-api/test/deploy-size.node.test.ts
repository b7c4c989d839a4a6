/**
 * The deploy, through the path a person uses: `npm run deploy:production` at the repo root ->
 * turbo (strict environment mode) -> this package's script -> scripts/deploy.ts -> wrangler,
 * here with `--dry-run --outdir` (no network, no account) and turbo's `--only` (the tests it
 * depends on are this run). It must print the production target before wrangler runs, receive
 * the Cloudflare credentials through turbo, and build a bundle of at most 5.5 MiB gzip that
 * carries the ORT wasm and the default model only (the others are served from R2).
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import { parseDeployArgs, planDeploy } from "../scripts/deploy.ts";

const appDir = fileURLToPath(new URL("..", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
/** The budget: 5.5 MiB gzip, about half the Paid plan's 10 MB, so models can be added. */
const BUNDLE_BUDGET = 5.5 * 2 ** 20;
const DEFAULT_MODEL = "mnist";
const FAKE_ACCOUNT = "0123456789abcdef0123456789abcdef";

describe("npm run deploy:production -- --only -- --dry-run (turbo, deploy.ts, wrangler)", () => {
  let outdir = "";
  let output = "";
  beforeAll(async () => {
    outdir = await mkdtemp(join(tmpdir(), "edge-api-bundle-"));
    const { stdout, stderr } = await promisify(execFile)(
      "npm",
      ["run", "deploy:production", "--", "--only", "--", "--dry-run", "--outdir", outdir],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          CLOUDFLARE_API_TOKEN: "fake-token-for-the-dry-run",
          CLOUDFLARE_ACCOUNT_ID: FAKE_ACCOUNT,
          WRANGLER_SEND_METRICS: "false",
          CI: "1",
        },
        maxBuffer: 16 * 2 ** 20,
      },
    );
    output = stdout + stderr;
  }, 240_000);
  afterAll(async () => {
    if (outdir) await rm(outdir, { recursive: true, force: true });
  });

  it("prints the production target and the credentials turbo passed, before wrangler runs", () => {
    console.log(
      output
        .split("\n")
        .filter((l) => /deploying|workers\.dev|credentials|running|Total Upload/.test(l))
        .join("\n"),
    );
    const announced = output.indexOf(
      'deploying environment "production" as Worker "edgegan-edge-api"',
    );
    expect(announced, output).toBeGreaterThanOrEqual(0);
    expect(output).toContain(`CLOUDFLARE_API_TOKEN set, CLOUDFLARE_ACCOUNT_ID=${FAKE_ACCOUNT}`);
    expect(output).toContain("running: wrangler deploy --env production --dry-run");
    const wranglerStarts = output.indexOf("Total Upload");
    expect(wranglerStarts, output).toBeGreaterThan(announced);
    // the bindings wrangler resolved are production's, not the local top level's
    expect(output).toContain("env.MODELS (edgegan-models)");
  });

  it("builds a bundle of at most 5.5 MiB gzip with the ORT wasm and the default model only", async () => {
    const files = (await readdir(outdir)).filter((f) => !f.endsWith(".map") && f !== "README.md");
    let raw = 0;
    let gzip = 0;
    for (const file of files) {
      const bytes = await readFile(join(outdir, file));
      raw += bytes.byteLength;
      gzip += gzipSync(bytes).byteLength;
    }
    console.log(
      `bundle: ${files.length} modules, raw ${(raw / 2 ** 20).toFixed(2)} MiB, gzip ${(gzip / 2 ** 20).toFixed(2)} MiB (budget 5.5 MiB)`,
    );
    expect(files.some((f) => f.endsWith("ort-wasm-simd-threaded.wasm"))).toBe(true);
    const bundled = await Promise.all(
      files.filter((f) => f.endsWith(".onnx")).map((f) => readFile(join(outdir, f))),
    );
    expect(bundled).toHaveLength(1);
    const models = await readdir(join(appDir, "models"));
    expect(models).toContain(DEFAULT_MODEL);
    for (const name of models) {
      const shipped = await readFile(join(appDir, "models", name, "generator.onnx"));
      expect(
        bundled.some((b) => b.equals(shipped)),
        `models/${name} in the bundle`,
      ).toBe(name === DEFAULT_MODEL);
    }
    expect(gzip).toBeLessThanOrEqual(BUNDLE_BUDGET);
  });
});

describe("deploy targets", () => {
  it("resolves each environment to its own Worker, with the Workers Cache and a models bucket", () => {
    expect(planDeploy("staging")).toEqual({
      target: "staging",
      workerName: "edgegan-edge-api-staging",
      workersDev: true,
      cacheEnabled: true,
      modelsBucket: "edgegan-models-staging",
    });
    expect(planDeploy("production")).toMatchObject({
      workerName: "edgegan-edge-api",
      modelsBucket: "edgegan-models",
    });
  });

  it("refuses `npm run deploy` without a target, naming the two commands", async () => {
    const run = promisify(execFile)("npm", ["run", "deploy"], { cwd: repoRoot });
    await expect(run).rejects.toMatchObject({
      stderr: expect.stringContaining("npm run deploy:staging or npm run deploy:production"),
    });
  });

  it("refuses a deploy without a target or to a local environment", () => {
    expect(() => parseDeployArgs([])).toThrow(
      /deploy needs --env staging\|production \(got none\)/,
    );
    expect(() => parseDeployArgs(["--env", "bench"])).toThrow(/got "bench"/);
    expect(parseDeployArgs(["--env=production", "--dry-run"])).toEqual({
      target: "production",
      rest: ["--dry-run"],
    });
  });

  it("makes a bare `wrangler deploy` (the top level) harmless: a local name, no URL, no route", () => {
    const top = unstable_readConfig({ config: join(appDir, "wrangler.jsonc") });
    const deployed = [planDeploy("staging").workerName, planDeploy("production").workerName];
    expect(deployed).not.toContain(top.name);
    expect(top.name).toMatch(/-local$/);
    expect(top.workers_dev).toBe(false);
    expect(top.routes ?? []).toEqual([]);
    expect(top.route).toBeUndefined();
  });
});
