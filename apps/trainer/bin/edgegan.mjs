#!/usr/bin/env node
// The `edgegan` bin: registers tsx's TypeScript loader (resolved from this package, so it works
// from any folder), then runs the CLI in this same process (signals reach it directly).
import { register } from "tsx/esm/api";

register();
await import("../src/edgegan.ts");
