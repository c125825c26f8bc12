#!/usr/bin/env node
// Stand-in for Prisma's native schema engine, which cannot be downloaded here.
// The Prisma CLI only needs it to exist for generate/validate/format; migrations
// run through the WebAssembly engine (src/core/migrate.ts).
if (process.argv.includes("--version")) {
  console.log("schema-engine-cli 0edf323efd1d98336f3f0a68684b56f689b900d3");
  process.exit(0);
}
console.error(
  "capacita: the native schema engine is not used. Run `npm run cli -- db migrate` or `npm run db:migrate -- new <name>`.",
);
process.exit(1);
