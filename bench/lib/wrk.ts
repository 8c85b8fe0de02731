/**
 * wrk (Debian's `wrk`) as the load generator of every HTTP comparison: the same tool, thread
 * count, connections and duration on both sides. A POST body and headers go in through a Lua
 * script; the script's `done` hook prints the summary and latency percentiles as one JSON line.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface LoadOptions {
  url: string;
  body: string;
  headers: Record<string, string>;
  connections: number;
  /** wrk threads (event loops); 1 keeps the load generator off the server's second core as far as it can */
  threads: number;
  seconds: number;
  /** per-request timeout, seconds */
  timeout?: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  /** latency percentiles, milliseconds */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** connect/read/write/timeout errors and non-2xx/3xx responses */
  errors: number;
  non2xx: number;
}

const DONE = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\nWRKJSON {"requests":%d,"duration_us":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.timeout, e.status))
end
`;

export async function runWrk(options: LoadOptions): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), "modelql-wrk-"));
  try {
    const bodyPath = join(dir, "body");
    writeFileSync(bodyPath, options.body);
    const headers = Object.entries({ "Content-Type": "application/json", ...options.headers })
      .map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`)
      .join("\n");
    const script = join(dir, "post.lua");
    writeFileSync(script, `wrk.method = "POST"\nlocal f = assert(io.open(${JSON.stringify(bodyPath)}, "rb"))\nwrk.body = f:read("*a")\nf:close()\n${headers}\n${DONE}`);
    const args = ["-t", String(options.threads), "-c", String(options.connections), "-d", `${options.seconds}s`, "--timeout", `${options.timeout ?? 10}s`, "-s", script, options.url];
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn("wrk", args, { stdio: ["ignore", "pipe", "pipe"] });
      let text = "";
      child.stdout.on("data", (d) => (text += d));
      child.stderr.on("data", (d) => (text += d));
      child.on("error", reject);
      child.on("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}: ${text}`))));
    });
    const line = /WRKJSON (\{.*\})/.exec(out);
    if (!line) throw new Error(`wrk printed no summary:\n${out}`);
    const s = JSON.parse(line[1]) as Record<string, number>;
    const seconds = s.duration_us / 1e6;
    return {
      requests: s.requests,
      seconds,
      requestsPerSecond: s.requests / seconds,
      p50: s.p50 / 1000,
      p90: s.p90 / 1000,
      p99: s.p99 / 1000,
      max: s.max / 1000,
      errors: s.connect + s.read + s.write + s.timeout,
      non2xx: s.status,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
