/**
 * How much of the wasm heap one generator session holds: onnxruntime-web (wasm, one thread, as
 * in Workers) in Node, its WebAssembly.Memory read before and after creating (and running) a
 * session of each shipped model, then after releasing them all. The figure behind the R2 session
 * LRU's cap (src/model-registry.ts MAX_R2_SESSIONS). Linear memory only grows, so each model's
 * figure is the growth that several kept sessions of it caused, divided by their number; the last
 * line shows that released sessions leave their space for reuse (the memory itself never shrinks).
 *
 *   npx tsx apps/edge-api/bench/session-memory.bench.ts [--model DIR ...]   (default: models/*)
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { readModelFolder } from "@edgegan/model/read-model-folder";

const modelsRoot = fileURLToPath(new URL("../models/", import.meta.url));
const { values } = parseArgs({ options: { model: { type: "string", multiple: true } } });
const dirs = values.model ?? readdirSync(modelsRoot).map((name) => join(modelsRoot, name));

// catch ORT's wasm memory as it is made (its build creates the memory in JS, then hands it to
// the module); the Node types here do not declare WebAssembly.Memory, hence the local type
interface WasmMemory {
  buffer: ArrayBufferLike;
}
const wasm = (globalThis as unknown as { WebAssembly: { Memory: new (d: unknown) => WasmMemory } })
  .WebAssembly;
const memories = new Set<WasmMemory>();
wasm.Memory = new Proxy(wasm.Memory, {
  construct(target, args) {
    const memory = Reflect.construct(target, args) as WasmMemory;
    memories.add(memory);
    return memory;
  },
});

const ort = await import("onnxruntime-web");
ort.env.wasm.numThreads = 1;
const heap = () => [...memories].reduce((sum, m) => sum + m.buffer.byteLength, 0);
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

/** One run of batch 64, so the run's buffers count too. */
async function runOnce(session: import("onnxruntime-web").InferenceSession): Promise<void> {
  const z = new ort.Tensor("float32", new Float32Array(64 * 100), [64, 100]);
  const label = new ort.Tensor("float32", new Float32Array(64 * 10), [64, 10]);
  const out = await session.run({
    [session.inputNames[0] as string]: z,
    [session.inputNames[1] as string]: label,
  });
  for (const tensor of Object.values(out)) tensor.dispose();
}

const SESSIONS_PER_MODEL = 6;
await ort.InferenceSession.create((await readModelFolder(dirs[0] as string)).onnx).then(
  (s) => s.release(), // the runtime's own start-up, not charged to a model
);
console.log(`ORT wasm heap after start-up: ${mib(heap())} MiB`);
const kept = [];
for (const dir of dirs) {
  const bytes = (await readModelFolder(dir)).onnx;
  const before = heap();
  // several sessions of one model, all kept (none freed, so none of their space is reused)
  for (let i = 0; i < SESSIONS_PER_MODEL; i++) {
    const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: "all" });
    await runOnce(session);
    kept.push(session);
  }
  const per = (heap() - before) / SESSIONS_PER_MODEL;
  console.log(
    `${dir.split("/").pop()}: file ${mib(bytes.byteLength)} MiB, ${mib(per)} MiB of wasm heap per session (${SESSIONS_PER_MODEL} kept; heap now ${mib(heap())} MiB)`,
  );
}
for (const session of kept) await session.release();
const afterRelease = heap();
const again = await ort.InferenceSession.create(
  (await readModelFolder(dirs.at(-1) as string)).onnx,
);
await runOnce(again);
console.log(
  `after releasing all: heap ${mib(afterRelease)} MiB (wasm memory never shrinks); a new session then adds ${mib(heap() - afterRelease)} MiB (freed space is reused)`,
);
