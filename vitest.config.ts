import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Creates (or uses DATABASE_URL's) Postgres database and applies migrations once per run.
    globalSetup: ["test/setup/global.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores on these machines: two files at a time keeps Postgres and the CPU honest.
    maxWorkers: 2,
  },
});
