/**
 * The backend line's GPU part: does TensorFlow see a GPU, and which one.
 *
 * With the `tensorflow` backend, tfjs-node's binding answers the first question itself
 * (`isUsingGpuDevice()`, and `TF_Version` for libtensorflow's version); it has no device list, so
 * the names come from the NVIDIA driver (`nvidia-smi`), narrowed to CUDA_VISIBLE_DEVICES when
 * that lists indices. wasm and cpu never use a GPU; webgpu runs on whatever adapter Dawn found.
 * Everything is gathered into GpuFacts first, so the wording is tested with made-up facts.
 */
import { execFileSync } from "node:child_process";

/** What is known about GPUs at backend choice. */
export interface GpuFacts {
  /** The active tfjs backend ("tensorflow", "webgpu", "wasm", "cpu"). */
  backend: string;
  /** libtensorflow's version (tensorflow backend only). */
  tensorflowVersion: string | null;
  /** The binding's isUsingGpuDevice() (tensorflow backend only; null when not asked). */
  tensorflowUsesGpu: boolean | null;
  /** GPUs the driver lists, e.g. "0: NVIDIA H200 (143771 MiB)"; null: no driver (no nvidia-smi). */
  driverGpus: string[] | null;
  /** The CUDA_VISIBLE_DEVICES setting, if any. */
  cudaVisibleDevices: string | undefined;
}

/** The part of tfjs-node's backend this reads (absent members: an older or other binding). */
export interface TensorflowBinding {
  TF_Version?: string;
  isUsingGpuDevice?: () => boolean;
}

/** GPUs as `nvidia-smi` lists them ("index: name (memory)"), or null without a driver. */
export function listNvidiaGpus(
  run: (command: string, args: string[]) => string = (command, args) =>
    execFileSync(command, args, {
      encoding: "utf8",
      timeout: 5000,
      stdio: ["ignore", "pipe", "ignore"],
    }),
): string[] | null {
  try {
    return run("nvidia-smi", ["--query-gpu=index,name,memory.total", "--format=csv,noheader"])
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => {
        const [index, name, memory] = line.split(",").map((part) => part.trim());
        return `${index}: ${name}${memory ? ` (${memory})` : ""}`;
      });
  } catch {
    return null;
  }
}

/** The facts for the active backend (the binding only for "tensorflow"). */
export function gatherGpuFacts(
  backend: string,
  binding: TensorflowBinding | null,
  env: NodeJS.ProcessEnv = process.env,
  listGpus: () => string[] | null = () => listNvidiaGpus(),
): GpuFacts {
  const tensorflow = backend === "tensorflow" && binding !== null;
  return {
    backend,
    tensorflowVersion: tensorflow ? (binding.TF_Version ?? null) : null,
    tensorflowUsesGpu:
      tensorflow && typeof binding.isUsingGpuDevice === "function"
        ? binding.isUsingGpuDevice()
        : null,
    driverGpus: backend === "tensorflow" || backend === "webgpu" ? listGpus() : null,
    cudaVisibleDevices: env.CUDA_VISIBLE_DEVICES,
  };
}

/**
 * The driver's GPUs that CUDA_VISIBLE_DEVICES leaves visible: all when unset or when it names
 * devices by UUID (not mapped here), none when empty, else those whose index it lists.
 */
function visibleGpus(facts: GpuFacts): string[] {
  const all = facts.driverGpus ?? [];
  const setting = facts.cudaVisibleDevices?.trim();
  if (setting === undefined) return all;
  if (setting === "") return [];
  const tokens = setting.split(",").map((s) => s.trim());
  if (!tokens.every((t) => /^-?\d+$/.test(t))) return all;
  return all.filter((gpu) => tokens.includes(gpu.split(":")[0] ?? ""));
}

/**
 * One line: "GPU: yes, ...", "GPU: no, ..." or "GPU: not used, ...".
 * @example describeGpu(gatherGpuFacts("wasm", null)) // "GPU: not used (the wasm backend runs on the CPU)"
 */
export function describeGpu(facts: GpuFacts): string {
  const visible =
    facts.cudaVisibleDevices === undefined
      ? ""
      : `, CUDA_VISIBLE_DEVICES=${facts.cudaVisibleDevices}`;
  if (facts.backend === "webgpu") {
    const gpus = facts.driverGpus?.length
      ? `; the driver lists ${facts.driverGpus.join(", ")}`
      : "";
    return `GPU: yes, WebGPU (Dawn) found an adapter${gpus}`;
  }
  if (facts.backend !== "tensorflow") {
    return `GPU: not used (the ${facts.backend} backend runs on the CPU)`;
  }
  const tf = `TensorFlow ${facts.tensorflowVersion ?? "(version unknown)"}`;
  const gpus = visibleGpus(facts);
  if (facts.tensorflowUsesGpu === true) {
    const which =
      gpus.length > 0 ? gpus.join(", ") : "a CUDA device (nvidia-smi not found to name it)";
    return `GPU: yes, ${tf} runs on ${which}${visible}`;
  }
  if (facts.tensorflowUsesGpu === null) {
    return `GPU: unknown, ${tf}'s binding cannot say${gpus.length ? `; the driver lists ${gpus.join(", ")}` : ""}${visible}`;
  }
  if (facts.driverGpus === null) {
    return `GPU: no, ${tf} sees no GPU and no NVIDIA driver is installed (nvidia-smi not found); it runs on the CPU`;
  }
  if (gpus.length === 0) {
    return `GPU: no, ${tf} sees no GPU: CUDA_VISIBLE_DEVICES hides all of ${facts.driverGpus.join(", ")}${visible}`;
  }
  return (
    `GPU: no, ${tf} sees no GPU although the driver lists ${gpus.join(", ")}${visible}: ` +
    "is @tensorflow/tfjs-node-gpu installed (not tfjs-node), with CUDA and cuDNN on LD_LIBRARY_PATH? (docs/gpu.md)"
  );
}
