#!/bin/sh
# Stand-in for Prisma's native schema engine, which these machines cannot download.
# `prisma generate` only needs the variable set; anything that really needs the engine
# must fail loudly here (a silent success would let `migrate deploy` report success while
# applying nothing). Migrations run through the wasm engine: see `npm run db:migrate`.
echo "modelql: the native Prisma schema engine is not available here; use npm run db:migrate / db:diff (wasm schema engine)" >&2
exit 1
