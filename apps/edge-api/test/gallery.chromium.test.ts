/**
 * The gallery in a real browser: headless Chromium loads the page from the deploy bundle in bare
 * workerd (the preview harness), the script fills the controls, calls /sample for the grid and
 * fetches the three previews (PNG sheet, SVG sheet, /animate) for the same seed; the test reads
 * the DOM after the page settled. Run by `npm run test:gallery` (not part of `npm test`, which
 * needs nothing beyond npm). Needs the Debian `chromium` package (`apt-get install chromium`, or
 * CHROMIUM=path): skipped with a message without it, failed with EDGEGAN_REQUIRE_CHROMIUM=1 (CI).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Preview, startPreview } from "../scripts/workerd-preview.ts";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const present = existsSync(CHROMIUM);
if (!present) {
  const message = `gallery: no Chromium at ${CHROMIUM} (apt-get install chromium)`;
  if (process.env.EDGEGAN_REQUIRE_CHROMIUM) throw new Error(message);
  console.log(`${message}: skipped`);
}

/** The page's DOM after its script ran (virtual time: it waits for the page's fetches). */
async function renderedDom(url: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    CHROMIUM,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--virtual-time-budget=30000",
      "--dump-dom",
      url,
    ],
    { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}

describe.skipIf(!present)("gallery in headless Chromium", () => {
  let preview: Preview;
  beforeAll(async () => {
    preview = await startPreview({ env: "bench" });
  }, 240_000);
  afterAll(async () => {
    await preview?.stop();
  });

  it("shows the grid and the PNG, SVG and animation previews, each with a download button", async () => {
    const dom = await renderedDom(`${preview.base}/`);
    expect(dom).toMatch(
      /<p id="status" role="status"[^>]*>16 images, seed \d+, \d+ ms with previews<\/p>/,
    );
    // the grid: 16 tiles as PNG data URLs
    expect(dom.match(/<figure><img src="data:image\/png;base64,/g)).toHaveLength(16);
    for (const id of ["previewPng", "previewSvg", "previewAnimation"]) {
      expect(dom).toMatch(
        new RegExp(
          `<img id="${id}" alt="[^"]+" src="blob:http://127\\.0\\.0\\.1:\\d+/[0-9a-f-]+">`,
        ),
      );
    }
    for (const id of ["downloadPng", "downloadSvg", "downloadAnimation"]) {
      expect(dom).toMatch(new RegExp(`<button type="button" id="${id}">`)); // enabled (no "disabled")
    }
    // the model picker and both label lists came from /models and /model
    expect(dom).toMatch(/<option value="mnist">mnist \(mnist\)<\/option>/);
    expect(dom.match(/<option value="9">9: 9<\/option>/g)).toHaveLength(2);
  }, 180_000);
});
