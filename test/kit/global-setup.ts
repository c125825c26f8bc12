// Prepares, once per run, a migrated database every test file copies:
// an image of the embedded database, and (with TEST_DATABASE_URL) a PostgreSQL template.
import { rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../../src/core/db.ts";
import { applyMigrations, PGliteMigrationFactory } from "../../src/core/migrate.ts";

export default async function setup(project: TestProject) {
  const imagePath = path.join(os.tmpdir(), `capacita-test-image-${process.pid}.tar`);
  const client = await PGlite.create("memory://");
  await applyMigrations(new PGliteMigrationFactory(client));
  await writeFile(imagePath, Buffer.from(await (await client.dumpDataDir("none")).arrayBuffer()));
  await client.close();
  project.provide("embeddedImagePath", imagePath);

  const url = process.env.TEST_DATABASE_URL;
  let template: string | undefined;
  if (url) {
    template = `capacita_tpl_${process.pid}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${template}`);
    await admin.query(`CREATE DATABASE ${template}`);
    await admin.end();
    const db = await openDatabase({ kind: "postgres", url: withDatabase(url, template) });
    await db.migrate();
    await db.close();
    project.provide("postgresTemplate", template);
  }

  return async () => {
    await rm(imagePath, { force: true });
    if (url && template) {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      const { rows } = await admin.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2",
        [`capacita_t_${process.pid}_%`, template],
      );
      for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      await admin.end();
    }
  };
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

declare module "vitest" {
  export interface ProvidedContext {
    embeddedImagePath: string;
    postgresTemplate: string;
  }
}
