/**
 * The generated parts of the READMEs (the /sample parameters, the trainer's flags): a markdown
 * table aligned as Biome aligns one, and a part between two markers replaced, so a test can
 * compare a README with what its source of truth makes.
 */

/** Rows (the first is the header) as an aligned markdown table; cells are taken as written. */
export function markdownTable(rows: readonly (readonly string[])[]): string {
  const [head, ...body] = rows;
  if (!head) return "";
  const widths = head.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? "").length)));
  const line = (cells: readonly string[]) =>
    `| ${widths.map((w, c) => (cells[c] ?? "").padEnd(w)).join(" | ")} |`;
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

/**
 * `text` with what lies between the `start` and `end` markers replaced by `part`.
 * @throws Error when `name` (the file, for the message) lacks the markers.
 */
export function withGeneratedPart(
  text: string,
  markers: { start: string; end: string; name: string },
  part: string,
): string {
  const start = text.indexOf(markers.start);
  const end = text.indexOf(markers.end);
  if (start < 0 || end < start) {
    throw new Error(`${markers.name} lacks the ${markers.start} ... ${markers.end} markers`);
  }
  return `${text.slice(0, start + markers.start.length)}\n${part}\n${text.slice(end)}`;
}
