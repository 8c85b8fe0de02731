/**
 * A client checked out of the pg pool for work that needs one connection (a COPY, a
 * transaction), released when the work ends: destroyed rather than reused when anything failed.
 *
 * While a client is checked out pg-pool does not listen for its 'error' event, which pg emits
 * when the connection drops (even in the middle of a query), and an 'error' without a listener
 * ends the process: one is attached for the duration. The query in progress fails on its own
 * with the same error, so the work's promise rejects and the caller answers it (503 when the
 * database is away; test/e2e/outage.test.ts cuts the connection under a running job).
 */
import type { Pool, PoolClient } from "pg";

export async function withClient<T>(pool: Pool, use: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failure: Error | undefined;
  const onError = (error: Error) => {
    failure ??= error;
  };
  client.on("error", onError);
  try {
    return await use(client);
  } catch (error) {
    failure ??= error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.off("error", onError);
    client.release(failure);
  }
}
