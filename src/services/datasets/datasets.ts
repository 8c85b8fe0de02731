/**
 * Datasets: CSV in, typed columns stored chunk by chunk, statistics and pages of rows out.
 *
 * Values are stored columnar (ARCHITECTURE.md "Data"): one typed array per column per chunk
 * of CHUNK_ROWS rows, as bytes, so that training reads a column set in a few large reads
 * and never touches columns it does not use.
 */
import { escapeLiteral, type Pool } from "pg";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { copyInRows, copyOutColumn } from "../../data/copy-binary.ts";
import { withClient } from "../../data/pool-client.ts";
import { randomUUID } from "node:crypto";
import { InvalidInputError, NotFoundError } from "../../core/errors.ts";
import { checkText } from "../text.ts";
import type { Column, ColumnType } from "../../core/dataset/columns.ts";
import { DEFAULT_CSV_LIMITS, parseCsv, readCsv, type CsvLimits, type Table } from "../../core/dataset/csv.ts";
import { columnStats, type ColumnStats } from "../../core/dataset/stats.ts";
import { chunkRanges, decodeColumnChunk, encodeColumnChunk } from "../../core/dataset/codec.ts";
import {
  afterTimeCursor,
  decodeCursor,
  encodeCursor,
  isUuid,
  pageSize,
  timeCursorOf,
  toConnection,
  type Connection,
} from "../pagination.ts";

/** Rows per stored chunk: 64k rows × 8 bytes = 512 KiB per column chunk. */
export const CHUNK_ROWS = 65_536;
const MAX_NAME_LENGTH = 200;

export interface DatasetRecord {
  id: string;
  workspaceId: string;
  name: string;
  rowCount: number;
  chunkSize: number;
  createdAt: Date;
}

export interface ColumnRecord {
  index: number;
  name: string;
  type: ColumnType;
  stats: ColumnStats;
  categories: string[] | null;
}

export type RowValue = number | boolean | string | null;

/**
 * Prisma's interactive transactions time out after 5 s by default; storing a 1M-row dataset
 * takes longer (the benchmark's 1M × 20 upload failed with P2028 and a 500). The whole store
 * stays one transaction, so a failure leaves nothing, with room for large files.
 */
const STORE_TRANSACTION = { maxWait: 10_000, timeout: 15 * 60_000 };

/** What one dataset request may hold in memory (README, "Limits"). */
export interface DatasetLimits {
  /** MAX_PAGE_CELLS: most cells (rows × columns) one `rows` page returns */
  maxPageCells: number;
  /** MAX_UPLOAD_CELLS: most cells (data rows × columns) one CSV may have (CsvLimits.maxCells) */
  maxUploadCells: number;
  /** MAX_UPLOAD_CATEGORIES: most distinct text values one CSV may have (CsvLimits.maxCategories) */
  maxUploadCategories: number;
}

export const DEFAULT_DATASET_LIMITS: Readonly<DatasetLimits> = {
  maxPageCells: 100_000,
  maxUploadCells: DEFAULT_CSV_LIMITS.maxCells,
  maxUploadCategories: DEFAULT_CSV_LIMITS.maxCategories,
};

export class DatasetService {
  private readonly limits: DatasetLimits;

  constructor(
    private readonly prisma: PrismaClient,
    /** on Postgres, the pool under Prisma: column reads go straight to pg as binary COPY */
    private readonly pool?: Pool,
    limits: Partial<DatasetLimits> = {},
  ) {
    this.limits = { ...DEFAULT_DATASET_LIMITS, ...limits };
  }

  private csvLimits(): Partial<CsvLimits> {
    return { maxCells: this.limits.maxUploadCells, maxCategories: this.limits.maxUploadCategories };
  }

  async createDataset(workspaceId: string, input: { name: string; csv: string }): Promise<DatasetRecord> {
    const name = checkName(input.name);
    return this.store(workspaceId, name, parseCsv(input.csv, this.csvLimits()));
  }

  /**
   * Create a dataset from a CSV too large to travel inside a GraphQL request (POST /datasets):
   * parsed as a stream, so memory holds the typed columns and one chunk, never the text.
   * `open` must return a fresh stream of the same bytes each time it is called (a spooled
   * upload): a column that looked numeric and turns out to be text is read again (readCsv).
   */
  async importCsv(workspaceId: string, name: string, open: () => AsyncIterable<string | Uint8Array>): Promise<DatasetRecord> {
    const checked = checkName(name);
    return this.store(workspaceId, checked, await readCsv(open, this.csvLimits()));
  }

  private async store(workspaceId: string, name: string, table: Table): Promise<DatasetRecord> {
    // Statistics sort whole columns (~0.1 s per million rows each): one column at a time,
    // letting other requests (/healthz) run between them rather than all columns in one stall.
    const stats: ColumnStats[] = [];
    for (const column of table.columns) {
      stats.push(columnStats(column));
      await new Promise((resolve) => setImmediate(resolve));
    }
    return this.pool ? this.storeByCopy(this.pool, workspaceId, name, table, stats) : this.storeByPrisma(workspaceId, name, table, stats);
  }

  /**
   * The Postgres path: the dataset and column rows by SQL, the chunks by binary COPY, all in one
   * transaction on one connection of the pool (a failure anywhere leaves nothing). Through
   * Prisma's createMany each chunk travelled as hex text in a bind parameter.
   */
  private async storeByCopy(pool: Pool, workspaceId: string, name: string, { columns, rowCount }: Table, stats: ColumnStats[]): Promise<DatasetRecord> {
    const id = randomUUID();
    const described = columns.map((column, index) => ({ index, name: column.name, type: column.type, stats: stats[index], categories: column.categories ?? null }));
    return withClient(pool, async (client) => {
      await client.query("BEGIN");
      try {
        const inserted = await client.query<{ createdMs: number }>(
          `INSERT INTO "Dataset" (id, "workspaceId", name, "rowCount", "chunkSize") VALUES ($1, $2, $3, $4, $5)
           RETURNING (extract(epoch FROM "createdAt") * 1000)::float8 AS "createdMs"`,
          [id, workspaceId, name, rowCount, CHUNK_ROWS],
        );
        await client.query(
          `INSERT INTO "DatasetColumn" ("datasetId", index, name, type, stats, categories)
           SELECT $1, c.index, c.name, c.type::"ColumnType", c.stats, c.categories
           FROM jsonb_to_recordset($2::jsonb) AS c(index int, name text, type text, stats jsonb, categories jsonb)`,
          [id, JSON.stringify(described)],
        );
        const chunks = chunkRanges(rowCount, CHUNK_ROWS);
        await copyInRows(client, "DatasetChunk", ["datasetId", "columnIndex", "chunkIndex", "rowCount", "data"], (function* () {
          for (const [columnIndex, column] of columns.entries()) {
            for (const [chunkIndex, [start, end]] of chunks.entries()) {
              yield [{ uuid: id }, { int4: columnIndex }, { int4: chunkIndex }, { int4: end - start }, { bytes: encodeColumnChunk(column.values, start, end) }];
            }
          }
        })());
        await client.query("COMMIT");
        return { id, workspaceId, name, rowCount, chunkSize: CHUNK_ROWS, createdAt: new Date(inserted.rows[0].createdMs) };
      } catch (error) {
        // The connection is destroyed on release (withClient), which also ends the transaction;
        // the ROLLBACK says so sooner when the connection is still there.
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      }
    });
  }

  private async storeByPrisma(workspaceId: string, name: string, { columns, rowCount }: Table, stats: ColumnStats[]): Promise<DatasetRecord> {
    const chunks = chunkRanges(rowCount, CHUNK_ROWS);
    // One transaction: a failure anywhere leaves no dataset, no columns, no chunks.
    return this.prisma.$transaction(async (tx) => {
      const dataset = await tx.dataset.create({
        data: {
          workspaceId,
          name,
          rowCount,
          chunkSize: CHUNK_ROWS,
          columns: {
            create: columns.map((column, index) => ({
              index,
              name: column.name,
              type: column.type,
              stats: stats[index] as object,
              categories: column.categories ?? undefined,
            })),
          },
        },
      });
      await tx.datasetChunk.createMany({
        data: columns.flatMap((column, columnIndex) =>
          chunks.map(([start, end], chunkIndex) => ({
            datasetId: dataset.id,
            columnIndex,
            chunkIndex,
            rowCount: end - start,
            data: encodeColumnChunk(column.values, start, end) as Uint8Array<ArrayBuffer>,
          })),
        ),
      });
      return dataset;
    }, STORE_TRANSACTION);
  }

  async getDataset(workspaceId: string, id: string): Promise<DatasetRecord | null> {
    if (!isUuid(id)) return null;
    return this.prisma.dataset.findFirst({ where: { id, workspaceId } });
  }

  async requireDataset(workspaceId: string, id: string): Promise<DatasetRecord> {
    const dataset = await this.getDataset(workspaceId, id);
    if (!dataset) throw new NotFoundError("Dataset", id);
    return dataset;
  }

  async listDatasets(workspaceId: string, args: { first?: number | null; after?: string | null }): Promise<Connection<DatasetRecord>> {
    const size = pageSize(args.first, 20, 100);
    const rows = await this.prisma.dataset.findMany({
      where: { workspaceId, ...afterTimeCursor(args.after) },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: size + 1,
    });
    return toConnection(rows, size, timeCursorOf);
  }

  async columns(datasetId: string): Promise<ColumnRecord[]> {
    const rows = await this.prisma.datasetColumn.findMany({ where: { datasetId }, orderBy: { index: "asc" } });
    return rows.map((row) => ({
      index: row.index,
      name: row.name,
      type: row.type,
      stats: row.stats as unknown as ColumnStats,
      categories: (row.categories as string[] | null) ?? null,
    }));
  }

  /**
   * Read whole columns back into typed arrays (training's read path): one query for the
   * chunks of just the requested columns, concatenated in chunk order.
   */
  async loadColumns(dataset: DatasetRecord, names: string[]): Promise<Column[]> {
    const all = await this.columns(dataset.id);
    const byName = new Map(all.map((column) => [column.name, column]));
    const wanted = names.map((name) => {
      const column = byName.get(name);
      if (!column) throw new InvalidInputError(`Column ${JSON.stringify(name)} does not exist in dataset ${dataset.name}.`, { field: name });
      return column;
    });
    if (this.pool) {
      return this.readColumns(this.pool, dataset, wanted);
    }
    const chunks = await this.prisma.datasetChunk.findMany({
      where: { datasetId: dataset.id, columnIndex: { in: wanted.map((c) => c.index) } },
      orderBy: [{ columnIndex: "asc" }, { chunkIndex: "asc" }],
    });
    return wanted.map((column) => {
      const parts = chunks.filter((chunk) => chunk.columnIndex === column.index);
      return assembleColumn(column, parts, dataset.rowCount);
    });  }

  /**
   * Whole columns in one binary COPY (src/data/copy-binary.ts), their chunks streamed in column
   * then chunk order straight into each column's typed array. Through Prisma each bytea came as
   * hex text and passed its result mapping: reading 1M × 21 took 11x the OLS fit.
   */
  private async readColumns(pool: Pool, dataset: DatasetRecord, wanted: ColumnRecord[]): Promise<Column[]> {
    const order = [...new Set(wanted.map((c) => c.index))].sort((a, b) => a - b);
    const byIndex = new Map(wanted.map((c) => [c.index, c]));
    const arrays = new Map(order.map((index) => [index, byIndex.get(index)!.type === "CATEGORY" ? new Int32Array(dataset.rowCount) : new Float64Array(dataset.rowCount)]));
    const stored = (column: ColumnRecord) => new Error(`dataset column ${column.name}: stored values do not add up to ${dataset.rowCount} ${column.type} values`);
    // Rows arrive column by column: the one being filled (order[current]), its bytes, how far.
    let current = -1;
    let bytes = new Uint8Array(0);
    let filled = 0;
    await copyOutColumn(
      pool,
      `SELECT data FROM "DatasetChunk" WHERE "datasetId" = ${escapeLiteral(dataset.id)} AND "columnIndex" IN (${order.map(Number).join(", ")}) ORDER BY "columnIndex", "chunkIndex"`,
      {
        begin: (length) => {
          if (filled === bytes.length) {
            // The column in progress is whole: the next chunk starts the next column.
            if (++current >= order.length) throw stored(byIndex.get(order[order.length - 1])!);
            bytes = new Uint8Array(arrays.get(order[current])!.buffer);
            filled = 0;
          }
          if (length < 0 || length % arrays.get(order[current])!.BYTES_PER_ELEMENT !== 0 || filled + length > bytes.length) throw stored(byIndex.get(order[current])!);
        },
        bytes: (part) => {
          bytes.set(part, filled);
          filled += part.length;
        },
      },
    );
    if (current !== order.length - 1 || filled !== bytes.length) throw stored(byIndex.get(order[Math.max(0, current)])!);
    return wanted.map((column) => ({ name: column.name, type: column.type, values: arrays.get(column.index)!, categories: column.categories ?? undefined }) as Column);
  }

  /**
   * A page of rows in file order; the cursor is the index of the next row. A page is its rows
   * × the dataset's columns, each cell a value in the answer: at most MAX_PAGE_CELLS of them
   * (a 1000-row page of a 1000-column dataset took 68 s and 2.3 GB). Without `first` the page
   * is 100 rows, fewer when that many would not fit.
   */
  async rows(dataset: DatasetRecord, args: { first?: number | null; after?: string | null }): Promise<Connection<Record<string, RowValue>>> {
    const columns = await this.columns(dataset.id);
    const { maxPageCells } = this.limits;
    const width = Math.max(1, columns.length);
    const size = pageSize(args.first, Math.max(1, Math.min(100, Math.floor(maxPageCells / width))), 1000);
    if (size * width > maxPageCells) {
      throw new InvalidInputError(
        `A page of ${size} rows × ${width} columns is ${size * width} cells, over the limit MAX_PAGE_CELLS = ${maxPageCells}: ask for at most ${Math.max(1, Math.floor(maxPageCells / width))} rows (first) and page with after.`,
        { field: "first", limit: "MAX_PAGE_CELLS", cells: size * width },
      );
    }
    const start = args.after ? decodeCursor(args.after, isRowCursor) : 0;
    const end = Math.min(dataset.rowCount, start + size);
    if (start >= end) return { edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
    const chunkSize = dataset.chunkSize;
    const firstChunk = Math.floor(start / chunkSize);
    const lastChunk = Math.floor((end - 1) / chunkSize);
    // Only the page's bytes of each chunk (a chunk holds 64k rows of a column: reading whole
    // chunks of every column is what made a wide page cost gigabytes).
    const parts = await this.prisma.$queryRaw<{ columnIndex: number; chunkIndex: number; data: Uint8Array }[]>`
      SELECT c."columnIndex", c."chunkIndex",
             substring(c.data FROM (r.lo * w.size + 1)::int FOR ((r.hi - r.lo) * w.size)::int) AS data
      FROM "DatasetChunk" c
      JOIN "DatasetColumn" dc ON dc."datasetId" = c."datasetId" AND dc.index = c."columnIndex"
      CROSS JOIN LATERAL (SELECT CASE WHEN dc.type = 'CATEGORY' THEN 4 ELSE 8 END AS size) w
      CROSS JOIN LATERAL (SELECT GREATEST(${start}::int - c."chunkIndex" * ${chunkSize}::int, 0) AS lo,
                                 LEAST(${end}::int - c."chunkIndex" * ${chunkSize}::int, ${chunkSize}::int) AS hi) r
      WHERE c."datasetId" = ${dataset.id}::uuid AND c."chunkIndex" BETWEEN ${firstChunk}::int AND ${lastChunk}::int
      ORDER BY c."columnIndex", c."chunkIndex"`;
    const values = columns.map((column) => {
      const own = parts.filter((part) => part.columnIndex === column.index);
      return own.length === 1 ? decodeColumnChunk(column.type, own[0].data) : concat(column.type, own.map((p) => decodeColumnChunk(column.type, p.data)));
    });
    const offset = start;
    const edges = [];
    for (let row = start; row < end; row++) {
      const node: Record<string, RowValue> = {};
      columns.forEach((column, c) => {
        node[column.name] = cellValue(column, values[c][row - offset]);
      });
      edges.push({ cursor: encodeCursor(row + 1), node });
    }
    return { edges, pageInfo: { hasNextPage: end < dataset.rowCount, endCursor: edges[edges.length - 1].cursor } };
  }

  /** Delete a dataset; models trained on it keep working (their lineage link becomes null). */
  async deleteDataset(workspaceId: string, id: string): Promise<string> {
    const dataset = await this.requireDataset(workspaceId, id);
    await this.prisma.dataset.delete({ where: { id: dataset.id } });
    return dataset.id;
  }
}

function checkName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0) throw new InvalidInputError("name must not be empty.", { field: "name" });
  if (name.length > MAX_NAME_LENGTH) throw new InvalidInputError(`name must be at most ${MAX_NAME_LENGTH} characters.`, { field: "name" });
  // POST /datasets passes ?name= here without the GraphQL edge's text check.
  checkText(name, "name");
  return name;
}

const isRowCursor = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

function assembleColumn(column: ColumnRecord, parts: { data: Uint8Array }[], rowCount: number): Column {
  const values = concat(column.type, parts.map((part) => decodeColumnChunk(column.type, part.data)));
  if (values.length !== rowCount) {
    throw new Error(`dataset column ${column.name}: stored ${values.length} values, expected ${rowCount}`);
  }
  return { name: column.name, type: column.type, values, categories: column.categories ?? undefined } as Column;
}

function concat(type: ColumnType, parts: (Float64Array | Int32Array)[]): Float64Array | Int32Array {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const out = type === "CATEGORY" ? new Int32Array(length) : new Float64Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function cellValue(column: ColumnRecord, value: number): RowValue {
  switch (column.type) {
    case "NUMBER":
      return Number.isNaN(value) ? null : value;
    case "BOOLEAN":
      return Number.isNaN(value) ? null : value === 1;
    case "CATEGORY":
      return value < 0 ? null : column.categories![value];
  }
}
