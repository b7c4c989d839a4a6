/**
 * `npm run deploy:staging` / `npm run deploy:production` (through turbo, after every test):
 * `wrangler deploy --env <target>`, after printing where it goes. Each environment has its own
 * command, so no variable decides the target and nothing turbo strips can turn a production deploy
 * into a staging one; the only variables it needs, the Cloudflare credentials, are passed by the
 * turbo tasks (`passThroughEnv` in turbo.json) and reported here (set or not, never their value).
 *
 *   tsx scripts/deploy.ts --env production [wrangler deploy flags, e.g. --dry-run --outdir DIR]
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { unstable_readConfig } from "wrangler";
import { APP_DIR, wranglerBin } from "./wrangler-dev.ts";

/** The environments a person may deploy; `bench` and the top level are local only. */
export const DEPLOY_TARGETS = ["staging", "production"] as const;
export type DeployTarget = (typeof DEPLOY_TARGETS)[number];

/** The credentials wrangler reads for a non-interactive deploy (CI); `wrangler login` otherwise. */
export const CLOUDFLARE_CREDENTIALS = ["CLOUDFLARE_API_TOKEN", "CLOUDFLARE_ACCOUNT_ID"] as const;

/** What a deploy to `target` resolves to in wrangler.jsonc. */
export interface DeployPlan {
  target: DeployTarget;
  workerName: string;
  workersDev: boolean;
  cacheEnabled: boolean;
  /** R2 bucket of the MODELS binding, or null when the environment binds none. */
  modelsBucket: string | null;
}

/**
 * Split `--env NAME` from the rest of the arguments (which go to wrangler unchanged).
 * @throws Error naming the accepted targets when --env is missing or names another environment.
 */
export function parseDeployArgs(argv: string[]): { target: DeployTarget; rest: string[] } {
  const rest: string[] = [];
  let target: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--env" || arg === "-e") target = argv[++i];
    else if (arg.startsWith("--env=")) target = arg.slice("--env=".length);
    else rest.push(arg);
  }
  if (!DEPLOY_TARGETS.includes(target as DeployTarget)) {
    throw new Error(
      `deploy needs --env ${DEPLOY_TARGETS.join("|")} (got ${target === undefined ? "none" : `"${target}"`}); ` +
        "use npm run deploy:staging or npm run deploy:production",
    );
  }
  return { target: target as DeployTarget, rest };
}

/** Resolve the target's Worker name and settings the way wrangler itself will. */
export function planDeploy(target: DeployTarget): DeployPlan {
  const config = unstable_readConfig({ config: join(APP_DIR, "wrangler.jsonc"), env: target });
  if (!config.name) throw new Error(`wrangler.jsonc env.${target} names no Worker`);
  return {
    target,
    workerName: config.name,
    workersDev: config.workers_dev ?? true,
    cacheEnabled: config.cache?.enabled === true,
    modelsBucket:
      config.r2_buckets.find((b: { binding: string }) => b.binding === "MODELS")?.bucket_name ??
      null,
  };
}

/** The lines printed before wrangler runs: target, Worker, and which credentials arrived. */
export function describeDeploy(plan: DeployPlan, env: NodeJS.ProcessEnv): string[] {
  const credentials = CLOUDFLARE_CREDENTIALS.map((name) => {
    const value = env[name];
    if (!value) return `${name} not set`;
    return name === "CLOUDFLARE_ACCOUNT_ID" ? `${name}=${value}` : `${name} set`;
  });
  return [
    `deploying environment "${plan.target}" as Worker "${plan.workerName}"`,
    `  workers.dev: ${plan.workersDev ? "on" : "off"}; Workers Cache: ${plan.cacheEnabled ? "on" : "off"}; models bucket: ${plan.modelsBucket ?? "none"}`,
    `  credentials: ${credentials.join(", ")}${env.CLOUDFLARE_API_TOKEN ? "" : " (wrangler falls back to `wrangler login`)"}`,
  ];
}

async function main(): Promise<void> {
  const { target, rest } = parseDeployArgs(process.argv.slice(2));
  const plan = planDeploy(target);
  for (const line of describeDeploy(plan, process.env)) console.log(line);
  const args = [wranglerBin(), "deploy", "--env", target, ...rest];
  console.log(`  running: wrangler ${args.slice(1).join(" ")}`);
  const child = spawn(process.execPath, args, { cwd: APP_DIR, stdio: "inherit" });
  const code = await new Promise<number>((resolve) =>
    child.once("exit", (status, signal) => resolve(status ?? (signal ? 1 : 0))),
  );
  process.exit(code);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
