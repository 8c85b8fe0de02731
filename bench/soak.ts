/**
 * Soak: a server under steady predict load at a fraction of its measured peak, with training
 * jobs queued all along, for a while. What must hold: no error, a p99 that does not drift
 * (first vs last 10 s), a resident set that stays flat (start vs end), and every training READY.
 *
 * The load is open-loop (requests are sent at the set rate whatever the answers do, so a
 * slowing server shows up as latency, not as a lower rate) from this process over keep-alive
 * HTTP; the peak is measured first, closed-loop, with 16 connections for a few seconds.
 *
 *   npm run soak -- [--seconds 60] [--fraction 0.7]      (its own server on a fresh database)
 *
 * The CI runs the short form (10 s) as test/e2e/soak.test.ts.
 */
import http from "node:http";
import { readFileSync } from "node:fs";

export interface SoakOptions {
  /** the server's base URL and an API key with TRAIN and PREDICT */
  base: string;
  key: string;
  /** the server's process id, for its resident set (Linux /proc) */
  pid: number;
  /** a READY model's id to predict with, and a dataset to queue trainings on */
  modelId: string;
  datasetId: string;
  target: string;
  input: Record<string, unknown>;
  seconds: number;
  /** share of the measured peak to hold (default 0.7) */
  fraction?: number;
  /** seconds between two queued trainings (default 5) */
  trainEvery?: number;
  /** latency is reported per window of this many seconds (default 10) */
  windowSeconds?: number;
  log?: (line: string) => void;
}

export interface SoakReport {
  peak: number;
  rate: number;
  seconds: number;
  requests: number;
  errors: number;
  /** requests not sent because MAX_IN_FLIGHT were already waiting (the server fell behind) */
  shed: number;
  windows: { from: number; to: number; requests: number; p50: number; p99: number }[];
  rssStartMiB: number;
  rssEndMiB: number;
  trainings: { queued: number; ready: number; other: string[] };
}

const MAX_IN_FLIGHT = 256;

export async function soak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => {});
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const url = new URL("/graphql", options.base);
  const body = JSON.stringify({ query: "mutation($id: ID!, $inputs: [JSON!]!) { predict(modelId: $id, inputs: $inputs) { output } }", variables: { id: options.modelId, inputs: [options.input] } });
  const predict = () => post(agent, url, options.key, body);

  // Peak, closed-loop: 16 clients back to back for 5 s (after 1 s of warm-up).
  const closedLoop = async (seconds: number) => {
    let done = 0;
    const end = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (performance.now() < end) {
          await predict();
          done++;
        }
      }),
    );
    return done / seconds;
  };
  await closedLoop(1);
  const peak = await closedLoop(5);
  const rate = peak * (options.fraction ?? 0.7);
  log(`peak ${peak.toFixed(0)} req/s (closed loop, 16 clients); holding ${rate.toFixed(0)} req/s for ${options.seconds} s`);

  const rssStartMiB = rssMiB(options.pid);
  const windowSeconds = options.windowSeconds ?? 10;
  const latencies: number[][] = Array.from({ length: Math.ceil(options.seconds / windowSeconds) }, () => []);
  let requests = 0;
  let errors = 0;
  let shed = 0;
  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  const queued: string[] = [];
  const started = performance.now();
  let sent = 0;
  let nextTraining = 0;
  const gql = async (query: string, variables: Record<string, unknown>) => {
    const answer = JSON.parse((await post(agent, url, options.key, JSON.stringify({ query, variables }))).text) as { data?: any; errors?: unknown };
    if (!answer.data) throw new Error(JSON.stringify(answer.errors));
    return answer.data;
  };
  const trainEvery = (options.trainEvery ?? 5) * 1000;
  for (;;) {
    const elapsed = performance.now() - started;
    if (elapsed >= options.seconds * 1000) break;
    if (elapsed >= nextTraining) {
      nextTraining += trainEvery;
      gql(`mutation($d: ID!, $t: String!) { trainModel(input: { datasetId: $d, name: "soak", algorithm: RIDGE, target: $t, folds: 3 }) { id } }`, { d: options.datasetId, t: options.target }).then(
        (data) => queued.push(data.trainModel.id),
        () => errors++,
      );
    }
    // Send what the rate owes by now.
    const owed = Math.floor((elapsed / 1000) * rate) - sent;
    for (let k = 0; k < owed; k++) {
      sent++;
      if (inFlight >= MAX_IN_FLIGHT) {
        shed++;
        continue;
      }
      inFlight++;
      const window = Math.min(latencies.length - 1, Math.floor(elapsed / 1000 / windowSeconds));
      const t0 = performance.now();
      const request = predict().then(
        (response) => {
          requests++;
          if (response.status !== 200 || !response.text.includes('"output"')) errors++;
          else latencies[window].push(performance.now() - t0);
        },
        () => {
          requests++;
          errors++;
        },
      );
      const tracked = request.finally(() => {
        inFlight--;
        pending.delete(tracked);
      });
      pending.add(tracked);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(pending);
  const rssEndMiB = rssMiB(options.pid);

  // Every training queued during the soak ends READY (they may still be running).
  const trainings = { queued: queued.length, ready: 0, other: [] as string[] };
  const deadline = Date.now() + 120_000;
  for (const id of queued) {
    for (;;) {
      const { model } = await gql(`query($id: ID!) { model(id: $id) { status error } }`, { id });
      if (model.status === "READY") trainings.ready++;
      else if (model.status === "FAILED" || model.status === "CANCELLED" || Date.now() > deadline) trainings.other.push(`${model.status}${model.error ? `: ${model.error}` : ""}`);
      else {
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      break;
    }
  }
  agent.destroy();
  const windows = latencies.map((values, k) => {
    const sorted = Float64Array.from(values).sort();
    const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);
    return { from: k * windowSeconds, to: Math.min(options.seconds, (k + 1) * windowSeconds), requests: values.length, p50: at(0.5), p99: at(0.99) };
  });
  return { peak, rate, seconds: options.seconds, requests, errors, shed, windows, rssStartMiB, rssEndMiB, trainings };
}

export function formatSoak(report: SoakReport): string {
  const lines = [
    `peak ${report.peak.toFixed(0)} req/s; held ${report.rate.toFixed(0)} req/s (${((100 * report.rate) / report.peak).toFixed(0)}%) for ${report.seconds} s: ${report.requests} requests, ${report.errors} errors, ${report.shed} shed`,
    ...report.windows.map((w) => `  ${String(w.from).padStart(3)}–${w.to} s: ${w.requests} answered, p50 ${w.p50.toFixed(1)} ms, p99 ${w.p99.toFixed(1)} ms`),
    `p99 first vs last window: ${report.windows[0].p99.toFixed(1)} ms vs ${report.windows.at(-1)!.p99.toFixed(1)} ms`,
    `server RSS: ${report.rssStartMiB.toFixed(0)} MiB at the start, ${report.rssEndMiB.toFixed(0)} MiB at the end`,
    `trainings queued during the soak: ${report.trainings.queued}, READY ${report.trainings.ready}${report.trainings.other.length ? `, other: ${report.trainings.other.join("; ")}` : ""}`,
  ];
  return lines.join("\n");
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(/^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1] ?? NaN);
  return kib / 1024;
}

function post(agent: http.Agent, url: URL, key: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: "POST", agent, headers: { "content-type": "application/json", authorization: `Bearer ${key}`, "content-length": Buffer.byteLength(body) } },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk) => (text += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}
