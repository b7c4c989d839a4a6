import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { setupBackends } from "../../test/backend-compare.ts";

describe("zero-copy Identity on wasm", () => {
  beforeAll(setupBackends);

  it("shares data, and the clone outlives the original", async () => {
    await tf.setBackend("wasm");
    const before = tf.engine().backend.numDataIds();
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const y = tf.clone(x);
    expect(tf.engine().backend.numDataIds()).toBe(before + 1); // no second buffer
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    y.dispose();
    expect(tf.engine().backend.numDataIds()).toBe(before);
  });

  it("keeps a variable's value when the source tensor is disposed", async () => {
    await tf.setBackend("wasm");
    const x = tf.tensor1d([5, 6]);
    const v = tf.variable(tf.clone(x));
    x.dispose();
    v.assign(tf.add(v, 1));
    expect(Array.from(v.dataSync())).toEqual([6, 7]);
    v.dispose();
  });

  it("still clones strings", async () => {
    await tf.setBackend("wasm");
    const s = tf.clone(tf.tensor1d(["a", "b"]));
    expect(s.dataSync()).toEqual(["a", "b"]);
    s.dispose();
  });
});
