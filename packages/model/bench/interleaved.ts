/**
 * Variants timed round by round in one process, so the machine's load falls on all alike: wall
 * time and this process's CPU time per call (on a shared machine the wall time also counts the
 * time the OS ran other jobs instead; the CPU time of a one-thread call does not).
 */

/** Wall and CPU milliseconds of each variant's counted calls, in variant order. */
export interface Timings {
  wall: number[][];
  cpu: number[][];
}

/**
 * Run every variant once per round, `warmup` uncounted rounds first.
 * @param order the variants' order in round r (default: as given)
 */
export function timeInterleaved(
  variants: readonly { run: () => void }[],
  rounds: number,
  warmup = 2,
  order: (round: number) => number[] = () => variants.map((_, i) => i),
): Timings {
  const wall = variants.map(() => [] as number[]);
  const cpu = variants.map(() => [] as number[]);
  for (let r = 0; r < rounds + warmup; r++) {
    for (const i of order(r)) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      variants[i]?.run();
      const t = performance.now() - t0;
      const c = process.cpuUsage(c0);
      if (r >= warmup) {
        wall[i]?.push(t);
        cpu[i]?.push((c.user + c.system) / 1000);
      }
    }
  }
  return { wall, cpu };
}

/** The middle value (the upper one of an even count). */
export function median(xs: readonly number[] = []): number {
  return [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
}
