/**
 * Explanations of kernel models in worker threads. Sampling Shapley values evaluate the model
 * on ~10⁴ synthetic rows per explanation, each against every support vector: on the main
 * thread, 10 explanations of a 20k-row SVM stopped the process answering anything (even
 * /healthz) for 67 s. Here they run one at a time per thread, in FIFO order, while the event
 * loop stays free; the work one request may ask for is bounded before it is queued
 * (MAX_EXPLANATION_WORK, served-model.ts).
 *
 * A model's estimator is sent with the first task a thread runs for it and kept there (up to
 * MODELS_PER_THREAD per thread, least recently used evicted), so that repeated explanations
 * of one model do not copy its support vectors each time.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { DomainError, type ErrorCode } from "../../core/errors.ts";
import type { SampledShapleyValues, SamplingShapleyOptions } from "../../core/explain/shapley.ts";
import type { Matrix } from "../../core/matrix.ts";
import type { SerializedEstimator } from "../../core/estimators/types.ts";

export interface ExplainRequest {
  modelId: string;
  estimator: SerializedEstimator;
  /** the transformed row to explain (length p) */
  x: Float64Array;
  background: Matrix;
  nClasses: number;
  /** per-class decision values (n × k): explain class `label`'s; else the single decision value */
  perClass: boolean;
  label: number;
  options: SamplingShapleyOptions;
}

export interface ExplainTask extends Omit<ExplainRequest, "estimator"> {
  id: number;
  /** sent when the thread does not hold the model yet */
  estimator?: SerializedEstimator;
  /** models the thread should drop (the main thread's LRU decides) */
  evict: string[];
}

export type ExplainThreadMessage =
  | { type: "done"; id: number; result: SampledShapleyValues }
  | { type: "error"; id: number; error: { name: string; message: string; code?: ErrorCode; details?: Record<string, unknown> } };

const MODELS_PER_THREAD = 4;

const BOOTSTRAP = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then(({ tsImport }) => tsImport(${JSON.stringify(
  new URL("./explain-thread-entry.ts", import.meta.url).href,
)}, ${JSON.stringify(import.meta.url)}))`;

interface Thread {
  worker: Worker;
  /** model ids the thread holds, least recently used first */
  known: string[];
  current: Pending | null;
}

interface Pending {
  request: ExplainRequest;
  resolve: (value: SampledShapleyValues) => void;
  reject: (error: Error) => void;
}

export class ExplainThreads {
  private readonly threads: Thread[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  /** @param size threads at most (started on demand; idle ones stay, unreferenced) */
  constructor(private readonly size: number) {}

  run(request: ExplainRequest): Promise<SampledShapleyValues> {
    if (this.closed) return Promise.reject(new Error("explanation threads are closed"));
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.dispatch();
    });
  }

  /** Tasks waiting for a thread (not counting those running). */
  get waiting(): number {
    return this.queue.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new Error("explanation threads are closed"));
    await Promise.all(this.threads.splice(0).map((t) => t.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const thread = this.threads.find((t) => t.current === null) ?? (this.threads.length < this.size ? this.spawn() : null);
      if (!thread) return;
      this.start(thread, this.queue.shift()!);
    }
  }

  private start(thread: Thread, pending: Pending): void {
    thread.current = pending;
    const { estimator, ...rest } = pending.request;
    const id = this.nextId++;
    const at = thread.known.indexOf(rest.modelId);
    const evict: string[] = [];
    if (at >= 0) thread.known.splice(at, 1);
    else while (thread.known.length >= MODELS_PER_THREAD) evict.push(thread.known.shift()!);
    thread.known.push(rest.modelId);
    const task: ExplainTask = { ...rest, id, evict, ...(at >= 0 ? {} : { estimator }) };
    const onMessage = (message: ExplainThreadMessage) => {
      if (message.id !== id) return;
      thread.worker.off("message", onMessage);
      thread.current = null;
      if (message.type === "done") pending.resolve(message.result);
      else pending.reject(revive(message.error));
      this.dispatch();
    };
    thread.worker.on("message", onMessage);
    thread.worker.postMessage(task);
  }

  private spawn(): Thread {
    const worker = new Worker(BOOTSTRAP, { eval: true });
    const thread: Thread = { worker, known: [], current: null };
    const fail = (error: Error) => {
      const at = this.threads.indexOf(thread);
      if (at < 0) return;
      this.threads.splice(at, 1);
      thread.current?.reject(error);
      thread.current = null;
      if (!this.closed) this.dispatch();
    };
    worker.on("error", (error) => fail(error));
    worker.on("exit", (code) => fail(new Error(`explanation thread exited with code ${code}`)));
    worker.unref();
    this.threads.push(thread);
    return thread;
  }
}

/** Errors cross the thread boundary as plain data: domain errors come back as themselves. */
function revive(error: { name: string; message: string; code?: ErrorCode; details?: Record<string, unknown> }): Error {
  if (error.code) {
    const revived = new DomainError(error.code, error.message, error.details ?? {});
    Object.defineProperty(revived, "name", { value: error.name });
    return revived;
  }
  return Object.assign(new Error(error.message), { name: error.name });
}

/** The process's explanation threads: one per core but one (the event loop keeps a core), at least one. */
export const explainThreads = new ExplainThreads(Math.max(1, availableParallelism() - 1));
