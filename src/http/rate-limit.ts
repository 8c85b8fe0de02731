/**
 * Per-key token bucket (per process: N servers allow N × the rate; documented in README).
 * A bucket holds `burst` tokens and refills at `perSecond`; each request takes one.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {}

  /** 0 when the request may proceed, else the seconds until a token is available. */
  take(key: string, now = Date.now()): number {
    if (this.perSecond <= 0) return 0;
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / this.perSecond);
  }
}

/**
 * Failed authentications per client address in a fixed window: after `max` failures the
 * address is refused (HTTP 429 with Retry-After) until its window ends, before its key is even
 * looked up, so that guessing keys costs a client `max` tries per window (832 bad keys/s went
 * unthrottled). Per process, like RateLimiter.
 */
export class AuthFailureThrottle {
  private readonly windows = new Map<string, { failures: number; until: number }>();

  constructor(
    /** failures allowed per address per window (0 = no limit) */
    readonly max: number,
    readonly windowSeconds: number,
  ) {}

  /** 0 when `address` may try, else the seconds until it may. */
  retryAfter(address: string, now = Date.now()): number {
    const window = this.windows.get(address);
    if (this.max <= 0 || !window || window.until <= now || window.failures < this.max) return 0;
    return Math.max(1, Math.ceil((window.until - now) / 1000));
  }

  fail(address: string, now = Date.now()): void {
    if (this.max <= 0) return;
    let window = this.windows.get(address);
    if (!window || window.until <= now) {
      // Drop ended windows now and then, so that many addresses cannot grow the map for good.
      if (this.windows.size >= 10_000) for (const [key, w] of this.windows) if (w.until <= now) this.windows.delete(key);
      window = { failures: 0, until: now + this.windowSeconds * 1000 };
      this.windows.set(address, window);
    }
    window.failures++;
  }
}

/** The 429 body for a throttled address. */
export function authThrottledBody(throttle: AuthFailureThrottle, retryAfter: number) {
  return {
    errors: [
      {
        message: `Too many failed authentications from this address (${throttle.max} per ${throttle.windowSeconds} s, AUTH_FAILURES_PER_WINDOW); retry after ${retryAfter} s with a valid API key.`,
        extensions: { code: "RATE_LIMITED", retryAfter, limit: "AUTH_FAILURES_PER_WINDOW" },
      },
    ],
  };
}
