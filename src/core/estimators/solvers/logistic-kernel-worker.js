// @ts-check
/**
 * A helper thread of the logistic loss (logistic-loss.ts): each time the fitting thread asks,
 * it claims chunks of rows from a shared counter and evaluates them, on X and y in shared memory,
 * writing each chunk's loss, residual sum and gradient into the chunk's own slot. No messages:
 * the fitting thread, which claims chunks too, waits with Atomics.wait inside L-BFGS.
 *
 * control: [0] generation asked for (−1: stop), [1] the next claim ((generation << 10) | chunk),
 * [2] chunks done, [3] set when an evaluation threw.
 */
import { workerData } from "node:worker_threads";
import { evaluateChunks } from "./logistic-kernel.js";

/** @type {import("./logistic-kernel.js").ChunkedLoss & { control: Int32Array }} */
const task = workerData;
const { control } = task;

for (let seen = 0; ; ) {
  Atomics.wait(control, 0, seen);
  const generation = Atomics.load(control, 0);
  if (generation < 0) break;
  if (generation === seen) continue;
  seen = generation;
  try {
    evaluateChunks(task, control, generation);
  } catch {
    Atomics.store(control, 3, 1);
    Atomics.notify(control, 2);
  }
}
