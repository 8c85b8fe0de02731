/**
 * GET /healthz polled every 100 ms while an abusive request runs: issue 22 asks that the server
 * keep answering it within 1 s throughout. A poll that fails or answers other than 200 counts
 * as Infinity, so `slowestMs < 1000` says both "alive" and "answered in time".
 */
export interface HealthzPoll {
  /** Stops polling (idempotent) and resolves with the slowest answer and the number of polls. */
  stop(): Promise<{ slowestMs: number; polls: number }>;
}

export function pollHealthz(base: string): HealthzPoll {
  let running = true;
  let slowestMs = 0;
  let polls = 0;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const response = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5000) }).catch(() => null);
      slowestMs = Math.max(slowestMs, response?.status === 200 ? performance.now() - started : Infinity);
      polls++;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { slowestMs, polls };
    },
  };
}

/** Runs `request` while polling; the poll is bounded by the request (it stops when the request settles). */
export async function whilePollingHealthz<T>(base: string, request: () => Promise<T>): Promise<{ result: T; slowestMs: number; polls: number }> {
  const poll = pollHealthz(base);
  try {
    const result = await request();
    return { result, ...(await poll.stop()) };
  } finally {
    await poll.stop();
  }
}
