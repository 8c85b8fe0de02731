// Prisma 7 configuration (standard layout: schema and migrations under prisma/).
// The datasource URL is only needed by CLI commands that talk to a database; the
// application builds its own driver adapter (src/data/database.ts).
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/modelql" },
});
