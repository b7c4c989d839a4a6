/**
 * Vector tiles: a 28x28 intensity field traced into closed contours (marching squares at the
 * half-intensity level, with linear interpolation along the cell edges), simplified
 * (Douglas-Peucker) and drawn as smooth closed curves (quadratic B-splines through the edge
 * midpoints) in one compact SVG path. Filled with the even-odd rule, the holes of 0, 4, 6, 8
 * and 9 stay open. A digit then stays crisp at any size in a slide or on a web page.
 *
 * Coordinates are tenths of a source pixel written as integers, relative after the first point
 * (`M x y q ...` with the command letter repeated implicitly), so a digit takes about 1 KB.
 * Integer arithmetic after the interpolation: the same bytes in every engine.
 */
import { IMAGE_SIZE } from "./contract.ts";

/** A closed contour: x0, y0, x1, y1, ... in source pixels (0..28 across the tile). */
export type Contour = Float64Array;

/** Contour level: half of full intensity. */
const TRACE_LEVEL = 127.5;
/** Largest distance (source pixels) the simplification may move the outline. */
const SIMPLIFY_TOLERANCE = 0.12;
/** Contours enclosing less than this (square source pixels) are specks, left out. */
const MIN_CONTOUR_AREA = 0.5;

/** Nodes per side of the field padded with one empty pixel all round (closed contours). */
const N = IMAGE_SIZE + 2;

/**
 * Trace a tile's outline at {@link TRACE_LEVEL}.
 * @param pixels uint8 [28, 28] intensities, 0 = no ink
 * @returns closed contours in source-pixel coordinates (pixel (x, y) has its centre at x + 0.5, y + 0.5)
 * @throws RangeError when pixels.length !== 784
 */
export function traceContours(pixels: Uint8Array): Contour[] {
  if (pixels.length !== IMAGE_SIZE * IMAGE_SIZE) {
    throw new RangeError(`a tile must hold 784 bytes, got ${pixels.length}`);
  }
  const field = new Float64Array(N * N); // padded: node (i, j) is pixel (i - 1, j - 1)
  for (let y = 0; y < IMAGE_SIZE; y++) {
    for (let x = 0; x < IMAGE_SIZE; x++)
      field[(y + 1) * N + x + 1] = pixels[y * IMAGE_SIZE + x] as number;
  }
  const at = (i: number, j: number) => field[j * N + i] as number;
  // edge ids: horizontal edge from node (i, j) to (i + 1, j) is 2 (j N + i), vertical to (i, j + 1) is + 1
  const h = (i: number, j: number) => 2 * (j * N + i);
  const v = (i: number, j: number) => 2 * (j * N + i) + 1;
  const segments: number[] = []; // pairs of edge ids
  for (let j = 0; j < N - 1; j++) {
    for (let i = 0; i < N - 1; i++) {
      const a = at(i, j) >= TRACE_LEVEL; // top left
      const b = at(i + 1, j) >= TRACE_LEVEL; // top right
      const c = at(i + 1, j + 1) >= TRACE_LEVEL; // bottom right
      const d = at(i, j + 1) >= TRACE_LEVEL; // bottom left
      const top = h(i, j);
      const right = v(i + 1, j);
      const bottom = h(i, j + 1);
      const left = v(i, j);
      const crossed: number[] = [];
      if (a !== b) crossed.push(top);
      if (b !== c) crossed.push(right);
      if (c !== d) crossed.push(bottom);
      if (d !== a) crossed.push(left);
      if (crossed.length === 2) {
        segments.push(crossed[0] as number, crossed[1] as number);
      } else if (crossed.length === 4) {
        // saddle: the cell centre's value decides which corners the ink joins
        const centre = (at(i, j) + at(i + 1, j) + at(i + 1, j + 1) + at(i, j + 1)) / 4;
        const cutTopLeftAndBottomRight = centre >= TRACE_LEVEL !== a;
        if (cutTopLeftAndBottomRight) segments.push(top, left, right, bottom);
        else segments.push(top, right, bottom, left);
      }
    }
  }
  return linkSegments(segments, (id) => edgePoint(id, at));
}

/** Where the level crosses edge `id`, in source pixels. */
function edgePoint(id: number, at: (i: number, j: number) => number): [number, number] {
  const node = id >> 1;
  const i = node % N;
  const j = (node - i) / N;
  const [i1, j1] = id & 1 ? [i, j + 1] : [i + 1, j];
  const f0 = at(i, j);
  const t = (TRACE_LEVEL - f0) / (at(i1, j1) - f0);
  // node (i, j) is the centre of pixel (i - 1, j - 1): (i - 0.5, j - 0.5)
  return [i - 0.5 + t * (i1 - i), j - 0.5 + t * (j1 - j)];
}

/** Join segments that share edge points into closed loops (each point is in exactly two). */
function linkSegments(segments: number[], point: (id: number) => [number, number]): Contour[] {
  const count = segments.length / 2;
  const firstAt = new Map<number, number>();
  const secondAt = new Map<number, number>();
  for (let s = 0; s < count; s++) {
    for (const id of [segments[2 * s] as number, segments[2 * s + 1] as number]) {
      if (firstAt.has(id)) secondAt.set(id, s);
      else firstAt.set(id, s);
    }
  }
  const used = new Uint8Array(count);
  const loops: Contour[] = [];
  for (let start = 0; start < count; start++) {
    if (used[start]) continue;
    used[start] = 1;
    const begin = segments[2 * start] as number;
    const coords: number[] = [...point(begin)];
    let id = segments[2 * start + 1] as number;
    let previous = start;
    while (id !== begin) {
      coords.push(...point(id));
      const first = firstAt.get(id) as number;
      const next = first === previous ? (secondAt.get(id) as number) : first;
      used[next] = 1;
      const a = segments[2 * next] as number;
      id = a === id ? (segments[2 * next + 1] as number) : a;
      previous = next;
    }
    const loop = Float64Array.from(coords);
    if (Math.abs(area(loop)) >= MIN_CONTOUR_AREA) loops.push(loop);
  }
  return loops;
}

/** Signed area of a closed polygon (shoelace). */
export function area(loop: Contour): number {
  let sum = 0;
  const n = loop.length / 2;
  for (let k = 0; k < n; k++) {
    const m = (k + 1) % n;
    sum += (loop[2 * k] as number) * (loop[2 * m + 1] as number);
    sum -= (loop[2 * m] as number) * (loop[2 * k + 1] as number);
  }
  return sum / 2;
}

/** Douglas-Peucker on the open run first..last of a loop: marks the points to keep. */
function simplifyRun(
  loop: Contour,
  first: number,
  last: number,
  keep: Uint8Array,
  tolerance: number,
) {
  const x0 = loop[2 * first] as number;
  const y0 = loop[2 * first + 1] as number;
  const dx = (loop[2 * last] as number) - x0;
  const dy = (loop[2 * last + 1] as number) - y0;
  const length = Math.sqrt(dx * dx + dy * dy);
  let farthest = -1;
  let distance = tolerance;
  for (let k = first + 1; k < last; k++) {
    const px = (loop[2 * k] as number) - x0;
    const py = (loop[2 * k + 1] as number) - y0;
    const d = length > 0 ? Math.abs(px * dy - py * dx) / length : Math.sqrt(px * px + py * py);
    if (d > distance) {
      distance = d;
      farthest = k;
    }
  }
  if (farthest < 0) return;
  keep[farthest] = 1;
  simplifyRun(loop, first, farthest, keep, tolerance);
  simplifyRun(loop, farthest, last, keep, tolerance);
}

/**
 * Drop the points of a closed loop that lie within `tolerance` of the simplified outline.
 * Split at point 0 and the point farthest from it, so both halves are open runs.
 */
export function simplifyLoop(loop: Contour, tolerance = SIMPLIFY_TOLERANCE): Contour {
  const n = loop.length / 2;
  if (n <= 4) return loop;
  let far = 0;
  let best = -1;
  for (let k = 1; k < n; k++) {
    const d =
      ((loop[2 * k] as number) - (loop[0] as number)) ** 2 +
      ((loop[2 * k + 1] as number) - (loop[1] as number)) ** 2;
    if (d > best) {
      best = d;
      far = k;
    }
  }
  const closed = new Float64Array(loop.length + 2);
  closed.set(loop);
  closed[loop.length] = loop[0] as number;
  closed[loop.length + 1] = loop[1] as number;
  const keep = new Uint8Array(n + 1);
  keep[0] = keep[far] = keep[n] = 1;
  simplifyRun(closed, 0, far, keep, tolerance);
  simplifyRun(closed, far, n, keep, tolerance);
  const out: number[] = [];
  for (let k = 0; k < n; k++)
    if (keep[k]) out.push(loop[2 * k] as number, loop[2 * k + 1] as number);
  return Float64Array.from(out);
}

/** An integer as SVG path text, with the separator it needs after the previous number. */
function pushNumber(parts: string[], n: number): void {
  const text = String(n === 0 ? 0 : n); // no "-0"
  parts.push(parts.length > 0 && !text.startsWith("-") ? ` ${text}` : text);
}

/**
 * One SVG path (`d`) of smooth closed curves through the loops, in tenths of a source pixel.
 * Each loop: quadratic curves whose control points are the (simplified) contour points and
 * whose ends are the midpoints between them: a closed quadratic B-spline, smooth everywhere.
 * @example contourPath(traceContours(pixels)) // "M142 41q-12 0-20 8 ..."
 */
export function contourPath(loops: readonly Contour[]): string {
  const parts: string[] = [];
  for (const raw of loops) {
    const loop = simplifyLoop(raw);
    const n = loop.length / 2;
    if (n < 3) continue;
    const px = (k: number) => Math.round((loop[2 * (k % n)] as number) * 10);
    const py = (k: number) => Math.round((loop[2 * (k % n) + 1] as number) * 10);
    const mx = (k: number) =>
      Math.round(((loop[2 * (k % n)] as number) + (loop[2 * ((k + 1) % n)] as number)) * 5);
    const my = (k: number) =>
      Math.round(((loop[2 * (k % n) + 1] as number) + (loop[2 * ((k + 1) % n) + 1] as number)) * 5);
    let x = mx(n - 1);
    let y = my(n - 1);
    const commands: string[] = [];
    pushNumber(commands, x);
    pushNumber(commands, y);
    const curves: string[] = [];
    for (let k = 0; k < n; k++) {
      pushNumber(curves, px(k) - x);
      pushNumber(curves, py(k) - y);
      pushNumber(curves, mx(k) - x);
      pushNumber(curves, my(k) - y);
      x = mx(k);
      y = my(k);
    }
    parts.push(`M${commands.join("")}q${curves.join("")}z`);
  }
  return parts.join("");
}
