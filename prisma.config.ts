import path from "node:path";
import { defineConfig } from "prisma/config";

// The CLI downloads a native schema engine unless this names an existing file;
// ours is a stand-in, migrations run through the WebAssembly engine instead.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve(import.meta.dirname, "scripts/no-schema-engine.mjs");

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost/capacita" },
});
