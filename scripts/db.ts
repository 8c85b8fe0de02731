/**
 * Prisma Migrate's everyday commands for this project, run through the wasm schema engine
 * because the native one cannot be downloaded here (see src/data/migrations.ts):
 *
 *   npm run db:migrate                 apply pending migrations to DATABASE_URL (prisma migrate deploy)
 *   npm run db:diff -- --name <name>   turn changes to schema.prisma into a new migration
 *                                      (prisma migrate dev --create-only; shadow database on DATABASE_URL's server)
 *   npm run db:check                   fail when schema.prisma and prisma/migrations disagree
 *
 * Exit codes: 0 done (or in sync), 1 failed (or drift), 2 wrong usage.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { applyMigrations, checkDrift, createMigration } from "../src/data/migrations.ts";

const USAGE = `usage: tsx scripts/db.ts migrate | diff --name <name> | check
DATABASE_URL must name a Postgres database (for diff and check, any database on the server
that may host a temporary shadow database).`;

class UsageError extends Error {}

const commands: Record<string, (url: string, args: string[]) => Promise<number>> = {
  async migrate(url) {
    const { applied } = await applyMigrations({ kind: "postgres", url });
    console.log(applied.length ? `Applied ${applied.join(", ")}` : "No pending migrations");
    return 0;
  },

  async diff(url, args) {
    const { name } = parseArgs({ args, options: { name: { type: "string" } } }).values;
    if (!name) throw new UsageError("diff needs --name <name>");
    const created = await createMigration(name, { url });
    console.log(created ? `Created ${path.relative(process.cwd(), created.directory)}/migration.sql` : "no changes");
    return 0;
  },

  async check(url) {
    const report = await checkDrift({ url });
    if (!report.drift) {
      console.log("schema.prisma and prisma/migrations agree");
      return 0;
    }
    console.error(
      `schema.prisma differs from what prisma/migrations build:\n\n${report.summary}\n\n` +
        "Create a migration for it with: npm run db:diff -- --name <what_changed>",
    );
    return 1;
  },
};

async function main([name = "", ...args]: string[]): Promise<number> {
  const command = commands[name];
  if (!command) throw new UsageError(name ? `unknown command ${JSON.stringify(name)}` : "no command given");
  const url = process.env.DATABASE_URL;
  if (!url) throw new UsageError("DATABASE_URL is not set");
  return command(url, args);
}

// Exit explicitly: whatever a driver leaves behind must not keep a finished command running.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    console.error(usage ? `${(error as Error).message}\n${USAGE}` : `error: ${(error as Error).message}`);
    process.exit(usage ? 2 : 1);
  },
);
