import { describe, expect, it } from "vitest";
import { markdownTable, withGeneratedPart } from "./markdown.ts";

describe("markdown", () => {
  it("aligns a table's columns to their widest cell", () => {
    expect(
      markdownTable([
        ["a", "bb"],
        ["ccc", ""],
      ]),
    ).toBe("| a   | bb |\n| --- | -- |\n| ccc |    |");
  });

  it("replaces what lies between the markers, and names a file without them", () => {
    const markers = { start: "<!-- s -->", end: "<!-- e -->", name: "X.md" };
    expect(withGeneratedPart("a\n<!-- s -->\nold\n<!-- e -->\nb", markers, "new")).toBe(
      "a\n<!-- s -->\nnew\n<!-- e -->\nb",
    );
    expect(() => withGeneratedPart("no markers", markers, "new")).toThrow(
      "X.md lacks the <!-- s --> ... <!-- e --> markers",
    );
  });
});
