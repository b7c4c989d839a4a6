// The replica worker's entry: worker_threads start plain JavaScript, so this registers tsx's
// TypeScript loader in the worker's own thread, then loads the worker itself.
import { register } from "tsx/esm/api";

register();
await import("./replica-worker.ts");
