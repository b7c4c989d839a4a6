/**
 * Model faults that model-failure.test.ts does not cover: a generator.onnx that loads, has the
 * contract's tensor names and a matching sha256, but the wrong shapes (latent size, output
 * size). It must be refused like any unusable model: 503 JSON with a clear message on /sample
 * and /healthz, never a 500, while /healthz, /openapi.json and / keep answering.
 *
 * The models are encoded here by hand (a few hundred bytes each).
 */
import {
  IMAGE_SIZE,
  LATENT_SIZE,
  NUM_CLASSES,
  ONNX_IO,
  ONNX_OPSET,
  type RawModel,
} from "@edgegan/shared";
import { describe, it } from "vitest";
import { appWithModel, expectFailedModelContained, withFixtureManifest } from "./helpers.ts";

/** Protobuf wire encoding, just enough for a tiny ONNX model. */
const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
};
const field = (num: number, value: number): number[] => [...varint(num << 3), ...varint(value)];
const bytes = (num: number, body: number[] | string): number[] => {
  const data = typeof body === "string" ? [...new TextEncoder().encode(body)] : body;
  return [...varint((num << 3) | 2), ...varint(data.length), ...data];
};

/** ValueInfoProto: a float tensor `name` of shape [N, size]. */
function valueInfo(name: string, size: number): number[] {
  const shape = [...bytes(1, bytes(2, ONNX_IO.batchDim)), ...bytes(1, field(1, size))];
  const tensorType = [...field(1, 1 /* FLOAT */), ...bytes(2, shape)];
  return [...bytes(1, name), ...bytes(2, bytes(1, tensorType))];
}

/**
 * image = Identity(z): z [N, latent] and label [N, 10] in, image [N, latent] out; ONNX IR 8,
 * opset ONNX_OPSET. Tiny, yet enough: with latent != 100 onnxruntime refuses the contract's z,
 * and with latent == 100 the output has 100 values per image instead of 784.
 * (Hand-encoded: protobufjs's Buffer writer miscounts lengths under workerd's Buffer.)
 */
function model(latent: number): Uint8Array {
  const node = [
    ...bytes(1, ONNX_IO.latentInput),
    ...bytes(2, ONNX_IO.imageOutput),
    ...bytes(3, "copy"),
    ...bytes(4, "Identity"),
  ];
  const graph = [
    ...bytes(1, node),
    ...bytes(2, "mismatch"),
    ...bytes(11, valueInfo(ONNX_IO.latentInput, latent)),
    ...bytes(11, valueInfo(ONNX_IO.labelInput, NUM_CLASSES)),
    ...bytes(12, valueInfo(ONNX_IO.imageOutput, latent)),
  ];
  return new Uint8Array([
    ...field(1, 8),
    ...bytes(7, graph),
    ...bytes(8, [...bytes(1, ""), ...field(2, ONNX_OPSET)]),
  ]);
}

const CASES: [string, () => Promise<RawModel>, RegExp][] = [
  [
    `a latent size of 64 instead of ${LATENT_SIZE}`,
    () => withFixtureManifest(model(64)),
    /generator\.onnx does not fit the model contract \(z float32 \[N, 100\].*invalid dimensions for input: z/,
  ],
  [
    `${LATENT_SIZE} values per image instead of ${IMAGE_SIZE}x${IMAGE_SIZE}`,
    () => withFixtureManifest(model(LATENT_SIZE)),
    /does not fit the model contract .*: output image is float32 \[2,100\]; expected float32 \[2,1,28,28\]/,
  ],
];

describe("mismatched generator.onnx (contract names, wrong shapes)", () => {
  it.each(CASES)(
    "%s -> 503 on /sample and /healthz, which keeps answering",
    async (_n, load, reason) => {
      await expectFailedModelContained(appWithModel(load), reason);
    },
  );
});
