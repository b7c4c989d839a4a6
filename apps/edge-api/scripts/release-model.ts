/**
 * Release model folders into a deployed environment's MODELS bucket: the version's files first,
 * then the `live` pointer (model-release-objects.ts), with `wrangler r2 object put --remote`.
 * Workers re-read `live` within 30 s; a worker that sees it move purges the model's unpinned
 * answers from the Workers Cache (src/live-purge.ts). Rollback: release the older folder again,
 * or write its version into `live` (README "Models from R2").
 *
 *   npm run release:model -w @edgegan/edge-api -- --env production models/mnist-full [more dirs]
 *   ... --dry-run   prints the wrangler commands instead of running them
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseDeployArgs, planDeploy } from "./deploy.ts";
import { type ModelRelease, modelRelease } from "./model-release-objects.ts";
import { APP_DIR, wranglerBin } from "./wrangler-dev.ts";

/** The wrangler arguments that write one release into `bucket` (in order). */
export function releaseCommands(
  release: ModelRelease,
  bucket: string,
): { args: string[]; stdin: string | null }[] {
  return release.objects.map((object) => ({
    args: [
      "r2",
      "object",
      "put",
      `${bucket}/${object.key}`,
      ...(object.file === null ? ["--pipe"] : ["--file", object.file]),
      "--remote",
    ],
    stdin: object.text,
  }));
}

async function main(): Promise<void> {
  const { target, rest } = parseDeployArgs(process.argv.slice(2));
  const dryRun = rest.includes("--dry-run");
  const dirs = rest.filter((arg) => arg !== "--dry-run");
  if (dirs.length === 0) throw new Error("name at least one model folder, e.g. models/mnist-full");
  const plan = planDeploy(target);
  if (!plan.modelsBucket) throw new Error(`env.${target} binds no MODELS bucket`);
  for (const dir of dirs) {
    const release = await modelRelease(resolve(APP_DIR, dir));
    const kept = release.earlierVersions.length
      ? ` with the earlier versions it keeps for pinned URLs (${release.earlierVersions.join(", ")})`
      : "";
    console.log(
      `releasing ${release.name}@${release.version}${kept} into ${plan.modelsBucket} (${target}, Worker ${plan.workerName})`,
    );
    for (const { args, stdin } of releaseCommands(release, plan.modelsBucket)) {
      console.log(`  wrangler ${args.join(" ")}${stdin === null ? "" : ` <<< ${stdin}`}`);
      if (dryRun) continue;
      const run = spawnSync(process.execPath, [wranglerBin(), ...args], {
        cwd: APP_DIR,
        input: stdin ?? undefined,
        stdio: [stdin === null ? "ignore" : "pipe", "inherit", "inherit"],
      });
      if (run.status !== 0) throw new Error(`wrangler ${args.slice(0, 4).join(" ")} failed`);
    }
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
