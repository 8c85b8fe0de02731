/**
 * Several processes opening the job queue on one schema at once (API nodes and workers that
 * start together): each must come up. pg-boss's queue creation can deadlock between them
 * (SQLSTATE 40P01, seen once in CI); JobQueue.open tries again.
 */
import { expect, it } from "vitest";
import type { JobQueue } from "../../src/jobs/queue.ts";
import { openTestQueue, testQueueSchema } from "../support/queue.ts";

it("opens on one schema from six clients at once, every time", async () => {
  for (let round = 0; round < 3; round++) {
    const schema = testQueueSchema();
    const opened = await Promise.allSettled(Array.from({ length: 6 }, () => openTestQueue(schema)));
    const queues = opened.filter((o): o is PromiseFulfilledResult<JobQueue> => o.status === "fulfilled").map((o) => o.value);
    await Promise.all(queues.map((q) => q.close()));
    expect(opened.filter((o) => o.status === "rejected").map((o) => String((o as PromiseRejectedResult).reason))).toEqual([]);
  }
});
