/**
 * A real pg-boss queue on the run's Postgres for a test server. Each gets its own schema, so
 * that a server's in-process worker takes only its own jobs (test files run side by side on
 * one database, each server with its own event bus and limits).
 */
import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import { JobQueue } from "../../src/jobs/queue.ts";

export function testQueueSchema(): string {
  return `jobs_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
}

export function openTestQueue(schema = testQueueSchema()): Promise<JobQueue> {
  // Short retry delay and polling: tests wait on them.
  return JobQueue.open({ url: inject("databaseUrl") }, { schema, retryLimit: 2, retryDelaySeconds: 1, pollingIntervalSeconds: 0.5 });
}
