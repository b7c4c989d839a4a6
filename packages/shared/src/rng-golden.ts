/**
 * Pinned outputs of the seeded RNG, computed once and never to change: the Node tests and the
 * workerd tests (apps/edge-api) both compare against these, so the two runtimes are held to the
 * same numbers. Changing them means every seeded image ever served changes too.
 */

/** latentFromSeed(123): its first five and last five values. */
export const LATENT_SEED_123 = {
  head: [
    -1.5303597450256348, -1.0619717836380005, 0.8560987114906311, 1.0253854990005493,
    -0.8482066988945007,
  ],
  tail: [
    -0.5585774183273315, -0.1797400712966919, 2.1510541439056396, 1.8265293836593628,
    0.29633277654647827,
  ],
} as const;
