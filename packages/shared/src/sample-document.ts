/**
 * The JSON body of `GET /sample`, declared once as a zod schema: the TypeScript types the
 * worker's renderer builds, the `Sample` schema of /openapi.json, and the check that the typed
 * client (sample-client.ts) and the tests run on real answers all come from it. The options added
 * for sequences, smoothing and colours appear only when a request set them, so the answers to
 * requests that do not keep their bytes.
 */
import { z } from "zod";
import { RESAMPLE_METHODS } from "./resample.ts";
import { SEQUENCE_STYLES } from "./sample-query.ts";

const pixels = z.number().int().min(0);

/** One image in the JSON response. */
const sampleImageSchema = z
  .object({
    index: z.number().int().min(0),
    label: z.number().int().min(0),
    className: z.string(),
    seed: z.number().int().min(0).meta({
      description: "count=1&label=<label>&seed=<seed> regenerates this image.",
    }),
    x: pixels.meta({ description: "Left edge of this tile in the sprite sheet." }),
    y: pixels.meta({ description: "Top edge of this tile in the sprite sheet." }),
    png: z
      .string()
      .startsWith("data:image/png;base64,")
      .meta({ description: "data:image/png;base64,..." }),
  })
  .strict();

/** Where the tiles lie in the PNG sprite sheet that format=png gives for the same query. */
const spriteLayoutSchema = z
  .object({
    width: pixels,
    height: pixels,
    columns: z.number().int().min(1),
    rows: z.number().int().min(1),
    tileSize: pixels.meta({ description: "Side of each tile in pixels (28 * scale)." }),
    padding: pixels,
  })
  .strict()
  .meta({
    description:
      "The layout of the PNG sprite sheet that format=png gives for the same query: tile i lies at (images[i].x, images[i].y), tileSize x tileSize.",
  });

export const sampleDocumentSchema = z
  .object({
    model: z.object({ version: z.string(), sha256: z.string() }).strict(),
    seed: z.number().int().min(0),
    count: z.number().int().min(1),
    label: z.number().int().min(0).nullable(),
    scale: z.number().int().min(1),
    invert: z.boolean(),
    labels: z
      .array(z.number().int().min(0))
      .optional()
      .meta({ description: "The sequence asked for (labels or text); absent without one." }),
    style: z
      .enum(SEQUENCE_STYLES)
      .optional()
      .meta({ description: "How the sequence was drawn; present with labels." }),
    resample: z
      .enum(RESAMPLE_METHODS)
      .optional()
      .meta({ description: "Present when not nearest." }),
    fg: z.string().optional().meta({ description: "Ink colour (hex), when given." }),
    bg: z
      .string()
      .optional()
      .meta({ description: 'Paper colour (hex or "transparent"), when given.' }),
    sprite: spriteLayoutSchema,
    images: z.array(sampleImageSchema),
  })
  .strict();

export type SampleDocument = z.infer<typeof sampleDocumentSchema>;
