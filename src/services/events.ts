/**
 * Model events (created, ready, failed, promoted, rolled back, deleted) for GraphQL
 * subscriptions, fanned out across processes through Postgres LISTEN / NOTIFY: a client
 * subscribed on one server sees what happens through any other server on the same database.
 * With the embedded PGlite there is one process, and the bus is local.
 */
import { EventEmitter, on } from "node:events";
import pg from "pg";

/**
 * What happens to a model. PROGRESS is internal to `trainingProgress` (many per training,
 * carrying `progress`); the others are `modelEvents`.
 */
export type ModelEventType = "CREATED" | "TRAINING" | "READY" | "FAILED" | "CANCELLED" | "PROMOTED" | "ROLLED_BACK" | "DELETED" | "PROGRESS";

export interface ModelEvent {
  type: ModelEventType;
  workspaceId: string;
  modelId: string;
  /** PROMOTED / ROLLED_BACK: the alias that moved */
  alias?: string | null;
  /** PROGRESS: where the training is */
  progress?: { iteration: number; objective: number; fraction: number; stage: number; stages: number };
  at: string;
}

export interface EventBus {
  publish(event: Omit<ModelEvent, "at">): Promise<void>;
  /** Events passing `filter` from this call on (buffered until read), until `signal` aborts. */
  subscribe(filter: (event: ModelEvent) => boolean, signal: AbortSignal): AsyncGenerator<ModelEvent>;
  close(): Promise<void>;
}

const CHANNEL = "modelql_events";

/** One process: events go straight to its subscribers. */
export class LocalEventBus implements EventBus {
  protected readonly emitter = new EventEmitter();

  constructor() {
    // Every subscription is a listener; a busy dashboard can hold many.
    this.emitter.setMaxListeners(0);
  }

  async publish(event: Omit<ModelEvent, "at">): Promise<void> {
    this.deliver({ ...event, at: new Date().toISOString() });
  }

  protected deliver(event: ModelEvent): void {
    this.emitter.emit("event", event);
  }

  subscribe(filter: (event: ModelEvent) => boolean, signal: AbortSignal): AsyncGenerator<ModelEvent> {
    // `on` listens from this call and buffers, so no event is missed between subscribing and
    // the first read of the iterator (a subscriber reads the current state in between).
    const source = on(this.emitter, "event", { signal });
    return (async function* () {
      try {
        for await (const [event] of source) {
          if (filter(event as ModelEvent)) yield event as ModelEvent;
        }
      } catch (error) {
        if ((error as { name?: string }).name !== "AbortError") throw error;
      }
    })();
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

/**
 * Many processes on one Postgres: publish is NOTIFY, and one dedicated connection per process
 * LISTENs and hands what it hears to the local subscribers. The listening connection
 * reconnects with backoff after a database outage (events published meanwhile are lost, as
 * NOTIFY's are; subscribers re-read state through queries).
 */
export class PostgresEventBus extends LocalEventBus {
  private client: pg.Client | undefined;
  private closed = false;
  private retry = 0;

  constructor(private readonly connectionString: string) {
    super();
  }

  async start(): Promise<this> {
    await this.connect();
    return this;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, connectionTimeoutMillis: 5000 });
    client.on("notification", (message) => {
      if (message.channel !== CHANNEL || !message.payload) return;
      try {
        this.deliver(JSON.parse(message.payload) as ModelEvent);
      } catch {
        // not ours
      }
    });
    const reconnect = () => {
      if (this.closed || this.client !== client) return;
      this.client = undefined;
      client.removeAllListeners();
      void client.end().catch(() => {});
      const delay = Math.min(5000, 100 * 2 ** this.retry++);
      setTimeout(() => void this.connect().catch(reconnect), delay).unref();
    };
    client.on("error", reconnect);
    client.on("end", reconnect);
    this.client = client;
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.retry = 0;
  }

  override async publish(event: Omit<ModelEvent, "at">): Promise<void> {
    const payload = JSON.stringify({ ...event, at: new Date().toISOString() });
    if (!this.client) throw new Error("event bus is not connected");
    await this.client.query("SELECT pg_notify($1, $2)", [CHANNEL, payload]);
  }

  override async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    await super.close();
    if (client) {
      client.removeAllListeners();
      client.on("error", () => {});
      await client.end().catch(() => {});
    }
  }
}

/**
 * Calls `check` until it gives a value: again at each event of `events`, and at least every
 * `pollMs` (an event can be lost: NOTIFY's are during a database outage). One `events.next()`
 * stays pending across the checks: a fresh one per wait would leave the timed-out ones
 * queued on the iterator, each taking an event the current wait never sees (a training longer
 * than a poll answered its `wait` up to a poll late).
 */
export async function waitUntil<T>(check: () => Promise<T | undefined>, events: AsyncIterator<unknown>, pollMs: number): Promise<T> {
  const listen = () => {
    const pending = events.next();
    // Still pending when the wait returns; its failure then (the events aborted) is nobody's.
    pending.catch(() => {});
    return pending;
  };
  let next: Promise<IteratorResult<unknown>> | null = listen();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    let timer: NodeJS.Timeout | undefined;
    const polled = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), pollMs);
    });
    const woke: IteratorResult<unknown> | null = await Promise.race(next ? [next, polled] : [polled]);
    clearTimeout(timer);
    // An event: listen for the next one; the end of the events: poll only.
    if (woke) next = woke.done ? null : listen();
  }
}

/**
 * Publish without letting a failure of the event bus fail the operation that caused the event:
 * the operation is committed; a lost event costs a subscriber a refresh, not the caller an error.
 */
export function notify(bus: EventBus, event: Omit<ModelEvent, "at">, log: (error: unknown) => void = () => {}): void {
  bus.publish(event).catch(log);
}

/**
 * An iterator over `source(signal)` whose return() (a client unsubscribing) aborts the signal
 * at once: an async generator waiting for its next event would otherwise only notice at that
 * event, keeping its listener until then.
 */
export function abortable<T>(source: (signal: AbortSignal) => AsyncGenerator<T>): AsyncIterableIterator<T> {
  const controller = new AbortController();
  const inner = source(controller.signal);
  return {
    next: () => inner.next(),
    return: async (value?: unknown) => {
      controller.abort();
      return inner.return(value as T);
    },
    throw: async (error?: unknown) => {
      controller.abort();
      return inner.throw(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
