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
  resolve: {
    // One graphql-js in the tests, as in production: Node loads graphql's CommonJS build (it
    // has no exports map), and so do Apollo and graphql-tools; Vite alone would pick the ESM
    // build ("module") for our sources, and graphql-ws would refuse a schema from the other
    // copy ("another module or realm").
    alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }],
  },
});
