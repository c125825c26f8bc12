// The schema and the migrations must not drift apart: a change to schema.prisma
// needs its migration (`npm run db:migrate -- new <name>`).
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { pendingSchemaSql, SCHEMA_PATH } from "../../src/core/migrate.ts";

describe("migrations", () => {
  it("replay to exactly prisma/schema.prisma", async () => {
    expect(await pendingSchemaSql()).toBe("");
  });

  it("would catch a schema change without its migration", async () => {
    const schema = await readFile(SCHEMA_PATH, "utf8");
    const changed = schema.replace("model Team {", "model Team {\n  colour String?");
    expect(await pendingSchemaSql(changed)).toMatch(/ALTER TABLE "Team" ADD COLUMN\s+"colour" TEXT/);
  });
});
