/**
 * A float32 tensor's values on the host without a copy where the backend keeps them in memory
 * JavaScript can read: the wasm backend's heap. Other backends give `dataSync()` (a copy on some).
 *
 * A wasm heap view stays valid only until the next tensor allocation (the heap may grow and move):
 * read or copy it at once, with no TF.js call in between.
 */
import * as tf from "@tensorflow/tfjs-core";

/** The wasm backend's view of a tensor's memory (other backends have none). */
type HeapReader = { typedArrayFromHeap?: (info: tf.TensorInfo) => Float32Array };

/** Whether the active backend lends views of its memory (wasm); then `tf.tensor(values)` copies. */
export function backendHasHeap(): boolean {
  return typeof (tf.backend() as unknown as HeapReader).typedArrayFromHeap === "function";
}

/** `tensor`'s float32 values: a heap view on wasm (valid until the next allocation), else dataSync(). */
export function hostValues(tensor: tf.Tensor): Float32Array {
  const backend = tf.backend() as unknown as HeapReader;
  return typeof backend.typedArrayFromHeap === "function"
    ? backend.typedArrayFromHeap.call(backend, tensor)
    : (tensor.dataSync() as Float32Array);
}
