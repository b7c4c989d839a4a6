/**
 * Test support for shared-averager.test.ts: replica 0 of 2 averages alone, so it waits at the
 * barrier for a replica that never comes, until its timeout (argv[2], ms). Prints "waiting" when
 * it starts and the failure's message when it gives up; the test stops and continues this
 * process meanwhile.
 */
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import {
  createSharedAverager,
  createSharedStepMemory,
} from "../src/data-parallel/shared-averager.ts";

await tf.setBackend("cpu");
const memory = createSharedStepMemory(
  2,
  { discriminator: 4, generator: 1 },
  Number(process.argv[2]),
);
process.stdout.write("waiting\n");
try {
  createSharedAverager(memory, 0).average("discriminator", tf.scalar(1), [tf.ones([4])]);
} catch (error) {
  process.stdout.write(`${(error as Error).message}\n`);
}
