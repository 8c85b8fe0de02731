/**
 * Cursor paging shared by every list (Relay connection shape). Cursors are opaque to
 * clients: base64url of a small JSON value the service chooses (an id, or a sort key + id).
 */
import { InvalidInputError } from "../core/errors.ts";

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Validate `first` against [1, max]; absent → fallback. */
export function pageSize(first: number | null | undefined, fallback: number, max: number): number {
  if (first === null || first === undefined) return fallback;
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw new InvalidInputError(`first must be an integer from 1 to ${max}, got ${first}.`, { field: "first" });
  }
  return first;
}

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** Decode a cursor, checking its shape with `accept`; anything else is BAD_USER_INPUT on `after`. */
export function decodeCursor<T>(cursor: string, accept: (value: unknown) => value is T): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    value = undefined;
  }
  if (!accept(value)) throw new InvalidInputError("after is not a cursor returned by this list.", { field: "after" });
  return value;
}

/**
 * Build a connection from `size + 1` fetched items: the extra one only tells whether a next
 * page exists.
 */
export function toConnection<T>(items: T[], size: number, cursorOf: (item: T) => string): Connection<T> {
  const page = items.slice(0, size);
  const edges = page.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    pageInfo: { hasNextPage: items.length > size, endCursor: edges.length ? edges[edges.length - 1].cursor : null },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id that is not a UUID cannot name any row: callers treat it as not found. */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}

/** Keyset cursor for "newest first" lists ordered by (createdAt desc, id desc). */
export type TimeCursor = [string, string];
export const isTimeCursor = (v: unknown): v is TimeCursor =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && !Number.isNaN(Date.parse(v[0])) && typeof v[1] === "string" && isUuid(v[1]);

/** Prisma `where` fragment selecting rows strictly after a (createdAt desc, id desc) cursor. */
export function afterTimeCursor(after: string | null | undefined) {
  if (!after) return {};
  const [createdAt, id] = decodeCursor(after, isTimeCursor);
  const at = new Date(createdAt);
  return { OR: [{ createdAt: { lt: at } }, { createdAt: at, id: { lt: id } }] };
}

export const timeCursorOf = (row: { createdAt: Date; id: string }) => encodeCursor([row.createdAt.toISOString(), row.id]);
