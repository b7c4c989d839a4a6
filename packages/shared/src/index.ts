/**
 * Public surface of @edgegan/shared; the modules package.json lists in `exports` are also
 * importable one by one ("@edgegan/shared/rng").
 */

export * from "./base64.ts";
export * from "./contract.ts";
export * from "./crc32.ts";
export * from "./idx.ts";
export * from "./manifest.ts";
export * from "./model-folder.ts";
export * from "./png.ts";
export * from "./rng.ts";
export * from "./sample-plan.ts";
export * from "./sample-query.ts";
