/**
 * The docs name only files that exist: every relative link of README.md, docs/ and the package
 * READMEs (with its #anchor, when it has one, among the target's headings), and every path
 * written in backticks (`packages/model/src/train-step.ts`), must point at something in the repo.
 * A file moved or renamed without its docs fails here, not in a reader's hands. Likewise every
 * flag of an `npm run train -- ...` command the docs show must be one `edgegan train` takes (as
 * listed in apps/trainer/README.md's flag reference, which its own test keeps equal to the schema).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The Markdown files checked, relative to the root. */
function markdownFiles(): string[] {
  const inDocs = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) return inDocs(path);
      return entry.name.endsWith(".md") ? [path] : [];
    });
  const packageReadmes = ["packages", "apps"].flatMap((group) =>
    readdirSync(join(ROOT, group))
      .map((name) => `${group}/${name}/README.md`)
      .filter((path) => existsSync(join(ROOT, path))),
  );
  return ["README.md", ...inDocs("docs"), ...packageReadmes];
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, "")
    .replace(/[^\p{L}\p{N} -]/gu, "")
    .replace(/ /g, "-");
}

function anchorsIn(markdownPath: string): Set<string> {
  const text = readFileSync(markdownPath, "utf8").replace(/```[\s\S]*?```/g, "");
  return new Set([...text.matchAll(/^#{1,6} +(.+)$/gm)].map((m) => anchorOf(m[1] as string)));
}

/** Text outside fenced code blocks (commands there name files a run will write, not files here). */
function prose(text: string): string {
  return text.replace(/```[\s\S]*?```/g, "");
}

/** Relative link targets: [text](target) and ![alt](target), without web and mail links. */
function linkTargets(text: string): string[] {
  return [...prose(text).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] as string)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/**
 * The folders a backticked path may start with: the repo's top level, and (in a package's README,
 * relative to the package) its source, test, script and bench folders.
 */
const TOP = ["packages", "apps", "docs", "experiments", "tests", "src", "test", "scripts", "bench"];

/**
 * Backticked repo paths: `apps/edge-api/src/app.ts`, `docs/deploy.md`, `packages/model/`.
 * Placeholders (NAME, DIR, N, <x>, *) and paths a run writes (artifacts/) are not files here.
 */
function codePaths(text: string): string[] {
  return [...prose(text).matchAll(/`([^`\s]+)`/g)]
    .map((m) => (m[1] as string).replace(/[.,:;)]+$/, "").replace(/#.*$/, ""))
    .filter((path) => TOP.some((top) => path.startsWith(`${top}/`)))
    .filter((path) => !/[*<>{}$]|\bNAME\b|\bDIR\b|\bPKG\b|\.\.\./.test(path));
}

const files = markdownFiles();

/** The flags of `edgegan train`: `--help`, and the first cell of each row of the trainer README's flag reference. */
const TRAIN_FLAGS = new Set([
  "--help",
  ...[
    ...readFileSync(join(ROOT, "apps/trainer/README.md"), "utf8").matchAll(
      /^\| `(--[a-z][a-z0-9-]*)/gm,
    ),
  ].map((m) => m[1] as string),
]);

/** The flags given to `npm run train --` (or `edgegan train`) on one line, before any # comment. */
function trainFlags(text: string): string[] {
  return text.split("\n").flatMap((line) => {
    const command = /(?:npm run train --|edgegan train)([^#`]*)/.exec(line)?.[1] ?? "";
    return [...command.matchAll(/(?:^|\s)(--[a-z][a-z0-9-]*)/g)].map((m) => m[1] as string);
  });
}

/** Folders a path may be relative to: the root, and every workspace package (docs often write `test/x.ts` of a package). */
const BASES = [
  ROOT,
  ...["packages", "apps"].flatMap((group) =>
    readdirSync(join(ROOT, group)).map((name) => join(ROOT, group, name)),
  ),
  join(ROOT, "experiments"),
  join(ROOT, "tests"),
];

describe("paths named in the docs", () => {
  it("finds the Markdown files to check", () => {
    expect(files).toContain("README.md");
    expect(files).toContain("docs/training.md");
  });

  it.each(files)(
    "%s: every relative link points at a file or folder (and heading) that exists",
    (file) => {
      const missing: string[] = [];
      for (const target of linkTargets(readFileSync(join(ROOT, file), "utf8"))) {
        const [path = "", anchor] = target.split("#");
        const full = path === "" ? join(ROOT, file) : resolve(dirname(join(ROOT, file)), path);
        if (!existsSync(full)) {
          missing.push(`${target} (no ${relative(ROOT, full)})`);
          continue;
        }
        if (anchor && full.endsWith(".md") && !anchorsIn(full).has(anchor.toLowerCase()))
          missing.push(`${target} (no heading #${anchor} in ${relative(ROOT, full)})`);
      }
      expect(missing, `${file} links to what does not exist`).toEqual([]);
    },
  );

  it.each(files)("%s: every backticked repo path exists", (file) => {
    const bases = [dirname(join(ROOT, file)), ...BASES];
    const missing = codePaths(readFileSync(join(ROOT, file), "utf8")).filter(
      (path) => !bases.some((base) => existsSync(join(base, path))),
    );
    expect(missing, `${file} names paths that do not exist`).toEqual([]);
  });

  it.each(files)(
    "%s: every flag of a `npm run train` command is a flag of edgegan train",
    (file) => {
      const unknown = trainFlags(readFileSync(join(ROOT, file), "utf8")).filter(
        (flag) => !TRAIN_FLAGS.has(flag),
      );
      expect(unknown, `${file} shows train flags that edgegan train does not take`).toEqual([]);
    },
  );

  it("reads backticked paths and anchors the way the docs write them", () => {
    expect(
      codePaths("see `packages/model/src/train-step.ts`, and `apps/edge-api/models/NAME/`"),
    ).toEqual(["packages/model/src/train-step.ts"]);
    expect(
      linkTargets("[a](docs/a.md#x) ![b](b.png) [c](https://x.y) ```\n[d](e.md)\n```"),
    ).toEqual(["docs/a.md#x", "b.png"]);
    expect(anchorOf("Preview the deploy bundle in bare workerd")).toBe(
      "preview-the-deploy-bundle-in-bare-workerd",
    );
    expect(anchorOf("The full-width model (`mnist-full`)")).toBe("the-full-width-model-mnist-full");
    expect(trainFlags("npm run train -- --out a --resume  # then --nothing")).toEqual([
      "--out",
      "--resume",
    ]);
    expect(TRAIN_FLAGS).toContain("--generator-width");
    expect(TRAIN_FLAGS.size).toBeGreaterThan(20);
    expect(statSync(ROOT).isDirectory()).toBe(true);
  });
});
