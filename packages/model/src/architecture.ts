/**
 * Runtime guard for the Architecture type: builders are called from CLI/config code where a
 * string may not have been validated yet, and a silent fallback would train the wrong model.
 */
import { ARCHITECTURES, type Architecture } from "@edgegan/shared";

/** @throws Error naming the bad value and the accepted ones. */
export function assertArchitecture(arch: unknown): asserts arch is Architecture {
  if (!(ARCHITECTURES as readonly unknown[]).includes(arch)) {
    throw new Error(
      `unknown architecture ${JSON.stringify(arch)}; accepted: ${ARCHITECTURES.join(", ")}`,
    );
  }
}
