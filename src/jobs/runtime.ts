/**
 * What a ModelQL process needs besides HTTP, opened the same way by `npm start` and
 * `npm run worker`: the database (migrated), the event bus (Postgres LISTEN/NOTIFY, so that
 * events cross processes; local on the embedded PGlite, which is one process) and the job queue.
 */
import { join } from "node:path";
import type { Config } from "../config.ts";
import { openDatabase, type Database } from "../data/database.ts";
import { LocalEventBus, PostgresEventBus, type EventBus } from "../services/events.ts";
import { JobQueue } from "./queue.ts";

export interface Runtime {
  database: Database;
  events: EventBus;
  queue: JobQueue;
  /** in reverse order of opening */
  close(): Promise<void>;
}

export async function openRuntime(config: Config): Promise<Runtime> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: join(config.dataDir, "pglite"), migrate: true });
  const events = config.databaseUrl ? await new PostgresEventBus(config.databaseUrl).start() : new LocalEventBus();
  const queue = await JobQueue.open(database, { schema: config.jobsSchema, retryLimit: config.jobRetryLimit });
  return {
    database,
    events,
    queue,
    close: async () => {
      await queue.close();
      await events.close();
      await database.close();
    },
  };
}
