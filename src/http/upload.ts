/**
 * POST /datasets?name=<name>: a CSV file as the request body (Content-Type text/csv), for
 * files too large to travel inside a GraphQL request. The body is streamed to a temporary
 * file (never held in memory whole), then parsed as a stream into typed columns and stored
 * like `createDataset` does: one transaction, so a bad file leaves nothing behind. Same key
 * and scope (WRITE) as the GraphQL mutation; the answer is the dataset as JSON, errors carry
 * the same `code`s. A body of another content type is refused unread: 415 UNSUPPORTED_MEDIA_TYPE.
 *
 *   curl -H "authorization: Bearer $KEY" -H "content-type: text/csv" \
 *        --data-binary @houses.csv "http://127.0.0.1:4000/datasets?name=houses"
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DomainError, InvalidInputError } from "../core/errors.ts";
import { UnauthenticatedError } from "../services/access/auth.ts";
import { isDatabaseUnavailable, ServiceUnavailableError } from "../data/availability.ts";
import type { Services } from "../services/index.ts";
import { mediaType, sendError } from "./errors.ts";
import { authThrottledBody, type AuthFailureThrottle } from "./rate-limit.ts";

/** Largest CSV upload in bytes (MAX_UPLOAD_BYTES); the GraphQL body limit stays small. */
export const DEFAULT_MAX_UPLOAD_BYTES = 2 * 1024 ** 3;

const STATUS: Record<string, number> = { BAD_USER_INPUT: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, PAYLOAD_TOO_LARGE: 413, SERVICE_UNAVAILABLE: 503 };

class UploadTooLarge extends Error {}

/**
 * Where uploads are spooled (UPLOAD_DIR, default <os tmpdir>/modelql-uploads): one directory per
 * upload named `<pid>-<random>`, so that the process that owns it can be told from its name. A
 * process killed mid-upload (SIGKILL, OOM) cannot remove its spool files;
 * {@link removeStaleSpools} does on the next start.
 */
export const DEFAULT_UPLOAD_DIR = join(tmpdir(), "modelql-uploads");

/** A spool older than this is stale whoever owns it (no request lives a day: REQUEST_TIMEOUT_SECONDS). */
const STALE_SPOOL_MS = 24 * 3600 * 1000;

/**
 * Remove the spools in `dir` of processes no longer alive, and any older than a day (a pid may
 * have been reused). Spools of live processes, this one included (tests run several apps in one
 * process), are left alone. Returns the names removed.
 */
export async function removeStaleSpools(dir: string, now = Date.now()): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return [];
    throw error;
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = Number(/^(\d+)-/.exec(name)?.[1]);
    const path = join(dir, name);
    const modified = await stat(path).then((s) => s.mtimeMs, () => undefined);
    if (modified === undefined) continue;
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && now - modified < STALE_SPOOL_MS) continue;
    await rm(path, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as { code?: string }).code === "EPERM";
  }
}

/** The spool file could not be written (disk full, read-only, gone): the server's storage, not the request. */
const STORAGE_ERRORS = new Set(["ENOSPC", "EDQUOT", "EROFS", "EACCES", "EPERM", "ENOENT", "ENOTDIR", "EIO", "EMFILE"]);
const isStorageError = (error: unknown) => typeof (error as { code?: unknown })?.code === "string" && STORAGE_ERRORS.has((error as { code: string }).code);

/** The content types of a CSV body, streamed to the route as they come. */
const CSV_TYPES = ["text/csv", "application/csv", "application/octet-stream"];

export function registerUpload(fastify: FastifyInstance, services: Services, maxUploadBytes = DEFAULT_MAX_UPLOAD_BYTES, authFailures?: AuthFailureThrottle, uploadDir = DEFAULT_UPLOAD_DIR): void {
  // Hand the raw body stream to the route instead of buffering it.
  fastify.addContentTypeParser(CSV_TYPES, (_request, payload, done) => done(null, payload));

  // Any other content type is refused before its body is read or parsed (a JSON body would
  // otherwise be buffered whole only to be refused), saying what to send instead.
  const onRequest = async (request: FastifyRequest, reply: FastifyReply) => {
    const type = mediaType(request.headers["content-type"]);
    if (type === undefined || CSV_TYPES.includes(type)) return;
    return sendError(reply.header("connection", "close"), 415, "UNSUPPORTED_MEDIA_TYPE", `POST /datasets takes the CSV file as the body with Content-Type: text/csv, not ${type.slice(0, 100)}.`, { expected: "text/csv" });
  };

  fastify.post("/datasets", { onRequest }, async (request, reply) => {
    // A refused upload may not have been read to its end: close the connection rather than
    // leave the client sending into a keep-alive socket (and a server shutdown waiting on it).
    const fail = (code: string, message: string, details: Record<string, unknown> = {}) =>
      reply
        .code(STATUS[code] ?? 400)
        .header("connection", "close")
        .type("application/json")
        .send({ errors: [{ message, extensions: { code, ...details } }] });
    let spoolDir: string | undefined;
    const throttled = authFailures?.retryAfter(request.ip) ?? 0;
    if (throttled > 0) {
      return reply.code(429).header("retry-after", String(throttled)).header("connection", "close").type("application/json").send(authThrottledBody(authFailures!, throttled));
    }
    try {
      const principal = await services.auth.authenticate(request.headers.authorization);
      services.auth.require(principal, "WRITE");
      const name = (request.query as Record<string, unknown>)?.name;
      if (typeof name !== "string") throw new InvalidInputError("Give the dataset's name as ?name=…", { field: "name" });
      const body = request.body as NodeJS.ReadableStream | undefined;
      if (!body || typeof (body as { pipe?: unknown }).pipe !== "function") {
        throw new InvalidInputError("Send the CSV file as the body with Content-Type: text/csv.", { field: "body" });
      }
      await mkdir(uploadDir, { recursive: true, mode: 0o700 });
      spoolDir = await mkdtemp(join(uploadDir, `${process.pid}-`));
      const spool = join(spoolDir, "upload.csv");
      let bytes = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          bytes += chunk.length;
          // The raw stream bypasses Fastify's bodyLimit: count here, and stop at the limit.
          if (bytes > maxUploadBytes) callback(new UploadTooLarge());
          else callback(null, chunk);
        },
      });
      await pipeline(body, counter, createWriteStream(spool));
      if (bytes === 0) throw new InvalidInputError("The body is empty: send the CSV file's contents.", { field: "body" });
      const dataset = await services.datasets.importCsv(principal.workspaceId, name, () => createReadStream(spool));
      return reply.code(201).send({ data: { id: dataset.id, name: dataset.name, rowCount: dataset.rowCount, bytes } });
    } catch (error) {
      if (error instanceof UnauthenticatedError) {
        authFailures?.fail(request.ip);
        return fail("UNAUTHENTICATED", error.message);
      }
      if (error instanceof DomainError) return fail(error.code, error.message, error.details);
      if (isDatabaseUnavailable(error)) return fail("SERVICE_UNAVAILABLE", new ServiceUnavailableError().message);
      if (isStorageError(error)) {
        request.log.error({ err: error }, "upload could not be spooled to disk");
        return fail("SERVICE_UNAVAILABLE", "The server cannot store uploads right now (its temporary storage failed); nothing was stored. Retry later.");
      }
      if (error instanceof UploadTooLarge) {
        return fail("PAYLOAD_TOO_LARGE", `The upload is larger than ${maxUploadBytes} bytes (MAX_UPLOAD_BYTES).`, { limit: "MAX_UPLOAD_BYTES" });
      }
      request.log.error({ err: error }, "upload failed");
      return reply.code(500).send({ errors: [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] });
    } finally {
      if (spoolDir) await rm(spoolDir, { recursive: true, force: true });
    }
  });
}
