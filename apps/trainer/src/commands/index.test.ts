/** The `edgegan` dispatcher: usage, unknown commands, and each command's own help. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { EDGEGAN_USAGE, edgegan } from "./index.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => out.push(String(chunk)) > 0);
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => err.push(String(chunk)) > 0);
  return { out, err };
}

describe("edgegan", () => {
  it("lists the commands on --help (exit 0) and without a command (exit 2)", async () => {
    const io = capture();
    expect(await edgegan(["--help"])).toBe(0);
    expect(await edgegan([])).toBe(2);
    expect(io.out.join("")).toBe(EDGEGAN_USAGE);
    expect(io.err.join("")).toBe(EDGEGAN_USAGE);
    expect(EDGEGAN_USAGE).toMatch(/train .*\n.*eval .*\n.*synth .*\n.*temper /);
  });

  it("refuses an unknown command, naming the known ones (exit 2)", async () => {
    const io = capture();
    expect(await edgegan(["trian"])).toBe(2);
    expect(io.err.join("")).toMatch(
      /unknown command "trian"; the commands are train, eval, synth, temper/,
    );
  });

  it.each([
    ["train", /--batch-size N\s+images per step \(default 64\)/],
    ["eval", /--per-class N\s+samples per class \(default 1000\)/],
    ["synth", /--count N\s+images in all/],
    ["temper", /--latent-temperature T\s+the temperature to set/],
  ])("passes the rest to %s, whose --help comes from its schema", async (command, pattern) => {
    const io = capture();
    expect(await edgegan([command, "--help"])).toBe(0);
    expect(io.out.join("")).toMatch(pattern);
  });

  it("gives a command's flag errors with exit 2", async () => {
    const io = capture();
    expect(await edgegan(["eval", "--per-class", "0"])).toBe(2);
    expect(io.err.join("")).toMatch(/--per-class: must be an integer in 1..100000 \(got 0\)/);
  });
});
