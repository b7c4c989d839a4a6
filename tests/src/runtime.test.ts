/**
 * The supported runtime: every npm script runs on the Node that `npm ci` installs (the `node`
 * package, Node 22 LTS), whatever Node the machine has, because npm puts node_modules/.bin first
 * on a script's PATH. wrangler 4.164 refuses Node < 22.12, so this is what keeps `npm start` and
 * the workerd tests working on a machine with only Node 20.
 */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);
const atLeast = (version: string, major: number, minor: number) => {
  const [a = 0, b = 0] = version.replace(/^v/, "").split(".").map(Number);
  return a > major || (a === major && b >= minor);
};

describe("runtime", () => {
  it("runs the tests on Node >= 22.12, the node package's own binary", () => {
    const pinned = (require("node/package.json") as { version: string }).version;
    expect(atLeast(process.version, 22, 12)).toBe(true);
    expect(process.version).toBe(`v${pinned}`);
  });

  it("gives a child started as plain `node` (as wrangler starts its tools) the same Node", () => {
    const child = execFileSync("node", ["--version"], { encoding: "utf8" }).trim();
    expect(child).toBe(process.version);
  });
});
