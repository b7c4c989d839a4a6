/**
 * Zero-copy Identity on wasm. The stock kernel copies the whole buffer; tfjs calls Identity for
 * every tf.clone / keep-style op (~260 calls per DCGAN step, optimiser and tf.layers bookkeeping).
 * Like the stock Reshape (and the cpu backend's Identity), the output shares the input's data and
 * the backend's reference count keeps it alive; wasm kernels never write into their inputs.
 */
import type { FastPath, KernelArgs } from "./fast-path.ts";

/** Share x's data (strings go to the stock kernel). */
export const identityFast: FastPath = ({ inputs, backend }: KernelArgs) => {
  const { x } = inputs;
  if (x === undefined || x.dtype === "string") return null;
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
};
