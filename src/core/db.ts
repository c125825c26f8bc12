// One Prisma client for either database: the embedded PGlite (default, data under
// ./data/) or a PostgreSQL server (DATABASE_URL). Both use the same schema.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "../generated/prisma/client.ts";
import { applyMigrations, PGliteMigrationFactory } from "./migrate.ts";

export type Db = PrismaClient;
export type DatabaseTarget =
  /** `image`: a dumped, already migrated data directory to start from (tests: a fresh database in ~0.5 s). */
  { kind: "embedded"; dataDir: string; image?: Blob } | { kind: "postgres"; url: string };

export interface Database {
  prisma: PrismaClient;
  target: DatabaseTarget;
  migrate(): Promise<string[]>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Deploy-only factory for PostgreSQL: authoring (diff) runs on PGlite, see PRISMA.md pitfall 4. */
class PgDeployFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = "postgres" as const;
  readonly adapterName = "pg-deploy";
  constructor(private readonly inner: PrismaPg) {}
  connect(): Promise<SqlDriverAdapter> {
    return this.inner.connect();
  }
  connectToShadowDb(): Promise<SqlDriverAdapter> {
    return Promise.reject(
      new Error("no shadow database on PostgreSQL: create migrations with `npm run db:migrate -- new <name>`"),
    );
  }
}

/** The embedded database is open in another process (it can be open in one only). */
export class DatabaseBusyError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`the embedded database in ${dataDir} is open in another process (pid ${pid})`);
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** One process at a time on a PGlite directory: a lock file holding the owner's pid. */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = path.join(dataDir, "..", `${path.basename(dataDir)}.lock`);
  for (;;) {
    try {
      await writeFile(lockPath, String(process.pid), { flag: "wx" });
      return () => rm(lockPath, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const owner = Number(await readFile(lockPath, "utf8").catch(() => "0"));
      if (owner && owner !== process.pid && alive(owner)) throw new DatabaseBusyError(dataDir, owner);
      await rm(lockPath, { force: true }); // left by a process that is gone
    }
  }
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === "embedded") {
    const inMemory = target.dataDir.startsWith("memory://");
    if (!inMemory) await mkdir(target.dataDir, { recursive: true });
    const unlock = inMemory ? async () => {} : await lockDataDir(target.dataDir);
    const client = await PGlite.create(target.dataDir, target.image ? { loadDataDir: target.image } : {}).catch(
      async (e: unknown) => {
        await unlock();
        throw e;
      },
    );
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(client) });
    return {
      prisma,
      target,
      migrate: () => applyMigrations(new PGliteMigrationFactory(client)),
      ping: async () => {
        try {
          await client.query("select 1");
          return !client.closed;
        } catch {
          return false;
        }
      },
      close: async () => {
        await prisma.$disconnect();
        if (!client.closed) await client.close();
        await unlock();
      },
    };
  }
  const pool = new pg.Pool({ connectionString: target.url, max: 10, connectionTimeoutMillis: 5000 });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on("error", () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    target,
    migrate: async () => {
      const migratePool = new pg.Pool({ connectionString: target.url, max: 1 });
      try {
        return await applyMigrations(new PgDeployFactory(new PrismaPg(migratePool)));
      } finally {
        await migratePool.end();
      }
    },
    ping: async () => {
      try {
        await pool.query("select 1");
        return true;
      } catch {
        return false;
      }
    },
    close: async () => {
      await prisma.$disconnect();
      await pool.end().catch(() => {});
    },
  };
}
