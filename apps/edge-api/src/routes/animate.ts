/**
 * GET /animate: an animated PNG of a walk through latent space, from the vector of `seed` to the
 * vector of `to` (or once round the circle through both with loop=true), optionally morphing
 * from class `label` to `to_label`. Its query is parsed by the app (ANIMATE_PARAMETERS in the
 * route table); answered through
 * seededAnswer like /sample: seeded ETags known before inference, 304s, pinned versions, cache.
 */
import { NUM_CLASSES } from "@edgegan/shared";
import type { AnimateQuery } from "@edgegan/shared/animate-query";
import { walkInputs } from "@edgegan/shared/latent-walk";
import { latentFromSeed, randomSeed } from "@edgegan/shared/rng";
import { planSample } from "@edgegan/shared/sample-plan";
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { type AnimationEnds, canonicalAnimateKey } from "../sample-cache.ts";
import { renderAnimation } from "../sample-render.ts";
import { seededAnswer } from "./seeded-answer.ts";

/** Handler for GET /animate. */
export async function animateHandler(c: Context<AppEnv>, query: AnimateQuery): Promise<Response> {
  const seed = query.seed ?? randomSeed();
  const label = query.label ?? seed % NUM_CLASSES;
  const ends: AnimationEnds = {
    seed,
    // absent: the seed of /sample?seed=SEED's second image
    to: query.to ?? (planSample({ count: 2, seed })[1]?.seed as number),
    label,
    toLabel: query.toLabel ?? label,
  };
  Object.assign(c.get("sampleLog"), { count: query.frames, scale: query.scale, format: "apng" });
  return seededAnswer(c, {
    model: query.model,
    version: query.version,
    seed,
    seeded: query.seed !== null,
    contentType: "image/png",
    canonical: canonicalAnimateKey(query, ends),
    inputs: () => ({
      ...walkInputs(
        {
          from: latentFromSeed(ends.seed),
          to: latentFromSeed(ends.to),
          fromLabel: ends.label,
          toLabel: ends.toLabel,
        },
        query.frames,
        query.loop,
      ),
      count: query.frames,
    }),
    render: (output) => renderAnimation(output, query.frames, query, query.fps),
  });
}
