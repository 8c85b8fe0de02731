/**
 * Is this error "the database is not there right now" rather than a bug? Such errors become
 * SERVICE_UNAVAILABLE (HTTP 503) at the edge, so clients and load balancers retry, instead of
 * a masked INTERNAL_SERVER_ERROR. Recognised through every layer the error crosses:
 * Prisma's connection codes, the driver adapter's error kinds, Node's socket errors, and
 * Postgres's SQLSTATEs for connection failures and shutdowns.
 */
import { DomainError } from "../core/errors.ts";

/** P1001 can't reach, P1002 timed out, P1008 operation timed out, P1017 connection closed, P2024 pool timeout. */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
const ADAPTER_KINDS = new Set(["ConnectionClosed", "DatabaseNotReachable", "SocketTimeout", "TooManyConnections", "DatabaseDoesNotExist"]);
const NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);
/** SQLSTATE class 08 (connection exception), and 57P01–57P03 (admin shutdown, crash shutdown, cannot connect now). */
/**
 * node-postgres's own errors for a lost or unobtainable connection carry no code, only these
 * messages (pg/lib/client.js, pg-pool): the hot paths that use the pool directly meet them.
 */
const PG_CONNECTION_MESSAGES = /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|timeout exceeded when trying to connect)/;
const isSqlStateUnavailable = (code: string) => /^08[0-9A-Z]{3}$/.test(code) || ["57P01", "57P02", "57P03"].includes(code);

export class ServiceUnavailableError extends DomainError {
  constructor() {
    super("SERVICE_UNAVAILABLE", "The database is unavailable right now; retry in a few seconds.");
  }
}

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 6) return false;
  const e = error as { code?: unknown; kind?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown }; name?: unknown; originalCode?: unknown; message?: unknown };
  if (e.name === "PrismaClientInitializationError") return true;
  if (error instanceof Error && e.code === undefined && PG_CONNECTION_MESSAGES.test(error.message)) return true;
  for (const code of [e.code, e.originalCode]) {
    if (typeof code !== "string") continue;
    if (PRISMA_CODES.has(code) || NODE_CODES.has(code) || isSqlStateUnavailable(code)) return true;
  }
  if (typeof e.kind === "string" && ADAPTER_KINDS.has(e.kind)) return true;
  return isDatabaseUnavailable(e.meta?.driverAdapterError, depth + 1) || isDatabaseUnavailable(e.cause, depth + 1);
}
