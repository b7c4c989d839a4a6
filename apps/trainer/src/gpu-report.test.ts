/** The GPU line's wording for each case, from made-up facts (no GPU or tfjs-node-gpu needed). */
import { describe, expect, it } from "vitest";
import { describeGpu, gatherGpuFacts, listNvidiaGpus } from "./gpu-report.ts";

const H200 = ["0: NVIDIA H200 (143771 MiB)", "1: NVIDIA H200 (143771 MiB)"];
const gpu = (
  usesGpu: boolean | undefined,
  env: NodeJS.ProcessEnv = {},
  gpus: string[] | null = H200,
) =>
  describeGpu(
    gatherGpuFacts(
      "tensorflow",
      {
        TF_Version: "2.9.1",
        ...(usesGpu === undefined ? {} : { isUsingGpuDevice: () => usesGpu }),
      },
      env,
      () => gpus,
    ),
  );

describe("describeGpu", () => {
  it("names the GPUs TensorFlow runs on, narrowed by CUDA_VISIBLE_DEVICES", () => {
    expect(gpu(true)).toBe(
      "GPU: yes, TensorFlow 2.9.1 runs on 0: NVIDIA H200 (143771 MiB), 1: NVIDIA H200 (143771 MiB)",
    );
    expect(gpu(true, { CUDA_VISIBLE_DEVICES: "1" })).toBe(
      "GPU: yes, TensorFlow 2.9.1 runs on 1: NVIDIA H200 (143771 MiB), CUDA_VISIBLE_DEVICES=1",
    );
    expect(gpu(true, {}, null)).toMatch(/runs on a CUDA device \(nvidia-smi not found/);
  });

  it("says why TensorFlow sees no GPU", () => {
    expect(gpu(false, {}, null)).toMatch(
      /GPU: no, TensorFlow 2.9.1 sees no GPU and no NVIDIA driver/,
    );
    expect(gpu(false, { CUDA_VISIBLE_DEVICES: "" })).toMatch(/CUDA_VISIBLE_DEVICES hides all of/);
    expect(gpu(false)).toMatch(
      /although the driver lists 0: NVIDIA H200.*tfjs-node-gpu installed.*LD_LIBRARY_PATH/,
    );
    expect(gpu(undefined)).toMatch(
      /GPU: unknown, TensorFlow 2.9.1's binding cannot say; the driver lists/,
    );
  });

  it("says the CPU backends use no GPU, and asks nothing of them", () => {
    let asked = false;
    const facts = gatherGpuFacts("wasm", null, {}, () => {
      asked = true;
      return H200;
    });
    expect(describeGpu(facts)).toBe("GPU: not used (the wasm backend runs on the CPU)");
    expect(asked).toBe(false);
    expect(describeGpu(gatherGpuFacts("webgpu", null, {}, () => H200))).toMatch(
      /WebGPU \(Dawn\) found an adapter; the driver lists 0: NVIDIA H200/,
    );
  });
});

describe("listNvidiaGpus", () => {
  it("reads nvidia-smi's CSV, and gives null when it cannot run", () => {
    const csv = "0, NVIDIA H200, 143771 MiB\n1, NVIDIA H200, 143771 MiB\n";
    expect(listNvidiaGpus(() => csv)).toEqual(H200);
    expect(
      listNvidiaGpus(() => {
        throw new Error("spawn nvidia-smi ENOENT");
      }),
    ).toBeNull();
  });
});
