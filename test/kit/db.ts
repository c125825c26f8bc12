// A fresh database for one test: a copy of the migrated image (embedded) or template (PostgreSQL).
import { readFile } from "node:fs/promises";
import pg from "pg";
import { inject } from "vitest";
import { type Database, type DatabaseTarget, openDatabase } from "../../src/core/db.ts";
import { withDatabase } from "./global-setup.ts";

export type Backend = "embedded" | "postgres";

/** The backends this run covers: always the embedded one, PostgreSQL too with TEST_DATABASE_URL. */
export const BACKENDS: Backend[] = process.env.TEST_DATABASE_URL ? ["embedded", "postgres"] : ["embedded"];

let image: Blob | undefined;
let counter = 0;

export async function freshTarget(backend: Backend): Promise<DatabaseTarget> {
  if (backend === "embedded") {
    image ??= new Blob([await readFile(inject("embeddedImagePath"))]);
    return { kind: "embedded", dataDir: "memory://", image };
  }
  const url = process.env.TEST_DATABASE_URL as string;
  const name = `capacita_t_${inject("postgresTemplate").replace("capacita_tpl_", "")}_${process.pid}_${counter++}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject("postgresTemplate")}`);
  } finally {
    await admin.end();
  }
  return { kind: "postgres", url: withDatabase(url, name) };
}

export async function freshDatabase(backend: Backend): Promise<Database> {
  return openDatabase(await freshTarget(backend));
}
