import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EventEmitter, on } from "node:events";
import { waitUntil } from "../../../src/services/events.ts";

/** Lets every settled promise's callbacks run (no timers advance). */
const settle = async () => {
  for (let k = 0; k < 10; k++) await Promise.resolve();
};

describe("waitUntil", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("checks again at once on an event that follows polls that timed out", async () => {
    const emitter = new EventEmitter();
    const controller = new AbortController();
    const events = on(emitter, "event", { signal: controller.signal });
    let checks = 0;
    let done = false;
    const result = waitUntil(async () => (++checks, done ? "ready" : undefined), events, 1000);
    await settle();
    expect(checks).toBe(1);
    // Two polls time out with no event: a check each.
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(checks).toBe(3);
    // The event must wake the wait now, not at the next poll.
    done = true;
    emitter.emit("event", "READY");
    await settle();
    expect(checks).toBe(4);
    await expect(result).resolves.toBe("ready");
    controller.abort();
  });

  it("checks once per event, and polls only once the events have ended", async () => {
    const emitter = new EventEmitter();
    const controller = new AbortController();
    const source = on(emitter, "event", { signal: controller.signal });
    // An iterator that ends when aborted, like the buses' subscriptions.
    const events = (async function* () {
      try {
        for await (const [event] of source) yield event;
      } catch {
        // aborted: the events end
      }
    })();
    let checks = 0;
    let done = false;
    const result = waitUntil(async () => (++checks, done ? checks : undefined), events, 1000);
    await settle();
    emitter.emit("event", "TRAINING");
    await settle();
    emitter.emit("event", "PROGRESS");
    await settle();
    expect(checks).toBe(3);
    controller.abort();
    await settle();
    expect(checks).toBe(4); // the end of the events wakes one last check, then polls alone
    await settle();
    expect(checks).toBe(4);
    done = true;
    await vi.advanceTimersByTimeAsync(1000);
    await expect(result).resolves.toBe(5);
  });
});
