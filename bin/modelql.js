#!/usr/bin/env node
// `npx modelql …`: the CLI is TypeScript like the server; tsx compiles it on the fly.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
