/**
 * Chooses the TensorFlow.js backend the trainer runs on, and says which and why.
 *
 * `auto` tries, in order: `tensorflow` (@tensorflow/tfjs-node-gpu, then @tensorflow/tfjs-node;
 * optional dependencies whose install downloads libtensorflow, so usually absent offline),
 * `wasm` with the training kernels from @edgegan/model (the fastest CPU path here), then `cpu`
 * (correct but ~20 s per DCGAN step, even with EdgeGAN's faster filter-gradient kernel).
 * `webgpu` is opt-in: it needs the `webgpu` npm package (a prebuilt Dawn, 132 MB) and a
 * machine with a Vulkan GPU. The choice carries a GPU line (gpu-report.ts): whether TensorFlow
 * sees a GPU, and which.
 */
import { initCpuTrainingBackend } from "@edgegan/model/kernels/cpu-conv2d-backprop-filter";
import { initWasmTrainingBackend } from "@edgegan/model/wasm-backend";
import type { BackendName } from "@edgegan/shared/train-config";
import * as tf from "@tensorflow/tfjs-core";
import { describeGpu, gatherGpuFacts, type TensorflowBinding } from "./gpu-report.ts";

export interface BackendChoice {
  /** The tfjs backend name now active: "tensorflow", "webgpu", "wasm" or "cpu". */
  name: string;
  /** One line a person can read: what was tried and why this one. */
  reason: string;
  /** Whether a GPU is used, and which: "GPU: yes, TensorFlow 2.9.1 runs on 0: NVIDIA ...". */
  gpu: string;
}

/** The backend line: "backend: NAME (why); GPU: ...". */
export function backendLine(choice: BackendChoice): string {
  return `backend: ${choice.name} (${choice.reason}); ${choice.gpu}`;
}

/** The GPU line of the backend now active. */
function activeGpuLine(): string {
  const name = tf.getBackend();
  const binding = (tf.backend() as { binding?: TensorflowBinding }).binding ?? null;
  return describeGpu(gatherGpuFacts(name, name === "tensorflow" ? binding : null));
}

/** A backend chosen, before its GPU line is added. */
type Chosen = Omit<BackendChoice, "gpu">;

/** Import a module by a name TypeScript does not resolve (optional packages may be absent). */
async function importOptional(specifier: string): Promise<unknown> {
  return import(/* @vite-ignore */ specifier);
}

async function tryTensorflow(): Promise<Chosen | string> {
  const failures: string[] = [];
  for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
    try {
      await importOptional(pkg);
      if (await tf.setBackend("tensorflow")) {
        await tf.ready();
        return { name: "tensorflow", reason: `${pkg} is installed (native libtensorflow)` };
      }
      failures.push(`${pkg} loaded but its backend did not start`);
    } catch (error) {
      failures.push(`${pkg} is not usable (${firstLine(error)})`);
    }
  }
  return failures.join("; ");
}

async function tryWebgpu(): Promise<Chosen | string> {
  try {
    const dawn = (await importOptional("webgpu")) as {
      create: (flags: string[]) => unknown;
      globals: Record<string, unknown>;
    };
    Object.assign(globalThis, dawn.globals);
    const nav = ((globalThis as { navigator?: object }).navigator ?? {}) as { gpu?: unknown };
    Object.defineProperty(nav, "gpu", { value: dawn.create([]), configurable: true });
    Object.defineProperty(globalThis, "navigator", { value: nav, configurable: true });
    await importOptional("@tensorflow/tfjs-backend-webgpu");
  } catch (error) {
    return (
      `webgpu needs the packages 'webgpu' (prebuilt Dawn, ~132 MB) and '@tensorflow/tfjs-backend-webgpu': ` +
      `npm install webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@4.22.0 -w @edgegan/trainer (${firstLine(error)})`
    );
  }
  try {
    if (await tf.setBackend("webgpu")) {
      await tf.ready();
      return { name: "webgpu", reason: "webgpu (Dawn) found a GPU adapter" };
    }
  } catch (error) {
    return `webgpu found no usable GPU adapter (${firstLine(error)})`;
  }
  return "webgpu found no usable GPU adapter";
}

async function tryWasm(): Promise<Chosen | string> {
  try {
    await initWasmTrainingBackend();
    return { name: "wasm", reason: "wasm (SIMD, XNNPACK) with EdgeGAN's training kernels" };
  } catch (error) {
    return `wasm did not start (${firstLine(error)})`;
  }
}

async function useCpu(): Promise<Chosen> {
  await initCpuTrainingBackend();
  return {
    name: "cpu",
    reason: "pure-JS cpu backend with EdgeGAN's Conv2DBackpropFilter (slow: ~20 s per DCGAN step)",
  };
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split("\n")[0] ?? "unknown error";
}

/**
 * Activate the requested backend. `auto` falls through tensorflow -> wasm -> cpu.
 * @throws Error saying why an explicitly requested backend cannot run and how to fix it.
 */
export async function selectBackend(requested: BackendName): Promise<BackendChoice> {
  const chosen = await choose(requested);
  return { ...chosen, gpu: activeGpuLine() };
}

async function choose(requested: BackendName): Promise<Chosen> {
  const attempts: Record<Exclude<BackendName, "auto" | "cpu">, () => Promise<Chosen | string>> = {
    tensorflow: tryTensorflow,
    webgpu: tryWebgpu,
    wasm: tryWasm,
  };
  if (requested === "cpu") return useCpu();
  if (requested !== "auto") {
    const result = await attempts[requested]();
    if (typeof result === "string") throw new Error(`--backend ${requested} cannot run: ${result}`);
    return result;
  }
  const skipped: string[] = [];
  for (const name of ["tensorflow", "wasm"] as const) {
    const result = await attempts[name]();
    if (typeof result !== "string") {
      return { ...result, reason: `auto: ${[...skipped, result.reason].join("; then ")}` };
    }
    skipped.push(result);
  }
  const cpu = await useCpu();
  return { ...cpu, reason: `auto: ${[...skipped, cpu.reason].join("; then ")}` };
}
