// What every benchmark needs: the app on a database of its own, the Slack double,
// a PostgreSQL database made for the run, and a load generator in another process.
import { execFile } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { App, ExpressReceiver, LogLevel } from "@slack/bolt";
import pg from "pg";
import { z } from "zod";
import { type Capacita, createCapacita } from "../../src/app.ts";
import { parseConfig } from "../../src/config.ts";
import { MovableClock } from "../../src/core/clock.ts";
import { type Database, type DatabaseTarget, openDatabase } from "../../src/core/db.ts";
import { createLogger } from "../../src/core/logger.ts";
import { ROOT } from "../../src/core/migrate.ts";
import { SlackDouble } from "../../src/core/slack-double.ts";
import type { LoadResult, LoadSpec } from "./load.ts";
import type { Backend, PerBackend } from "./report.ts";

export type { Backend } from "./report.ts";

export const SECRET = "bench-secret";
/** The server's maintenance database: scratch databases are created and dropped from here. */
const ADMIN_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

let reachable: Promise<boolean> | undefined;
export function postgresAvailable(): Promise<boolean> {
  reachable ??= (async () => {
    const c = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2000 });
    try {
      await c.connect();
      await c.end();
      return true;
    } catch {
      return false;
    }
  })();
  return reachable;
}

/**
 * The databases a benchmark runs on: both, or the embedded one alone when no PostgreSQL server
 * answers; BENCH_BACKENDS=postgres (or embedded) runs one of them only.
 */
export async function backends(): Promise<Backend[]> {
  const all: Backend[] = (await postgresAvailable()) ? ["embedded", "postgres"] : ["embedded"];
  const only = z
    .array(z.enum(["embedded", "postgres"]))
    .optional()
    .safeParse(process.env.BENCH_BACKENDS?.split(",").map((b) => b.trim()));
  if (!only.success)
    throw new Error(`BENCH_BACKENDS is a list of embedded and postgres, not "${process.env.BENCH_BACKENDS}"`);
  return only.data ? all.filter((b) => only.data?.includes(b)) : all;
}

/** Runs `measure` on each database in turn, one after the other so they never share the machine. */
export async function eachBackend<T>(measure: (backend: Backend) => Promise<T>): Promise<PerBackend<T>> {
  const results: PerBackend<T> = {};
  for (const backend of await backends()) results[backend] = await measure(backend);
  return results;
}

async function admin(sql: string) {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Scratch databases of this process not dropped yet: a failed or interrupted run leaves none behind. */
const scratch = new Set<string>();
const dropScratch = (name: string) => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
export const dropLeftovers = () => Promise.allSettled([...scratch].map(dropScratch));
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    dropLeftovers().then(() => process.exit(signal === "SIGINT" ? 130 : 143));
  });
}

/** A fresh database for one benchmark: in memory, or a PostgreSQL database dropped afterwards. */
export async function benchDatabase(backend: Backend): Promise<{ target: DatabaseTarget; drop(): Promise<void> }> {
  if (backend === "embedded") return { target: { kind: "embedded", dataDir: "memory://" }, drop: async () => {} };
  const name = `capacita_bench_${process.pid}_${Date.now()}`;
  await admin(`CREATE DATABASE ${name}`);
  scratch.add(name);
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return {
    target: { kind: "postgres", url: u.toString() },
    drop: async () => {
      await dropScratch(name);
      scratch.delete(name);
    },
  };
}

/** A migrated database of its own for `work`, closed and dropped afterwards whatever happens. */
export async function withDatabase<T>(backend: Backend, work: (database: Database) => Promise<T>): Promise<T> {
  const { target, drop } = await benchDatabase(backend);
  try {
    const database = await openDatabase(target);
    try {
      await database.migrate();
      return await work(database);
    } finally {
      await database.close();
    }
  } finally {
    await drop();
  }
}

export interface BenchApp {
  capacita: Capacita;
  database: Database;
  slack: SlackDouble;
  clock: MovableClock;
  url: string;
  close(): Promise<void>;
}

export async function startBenchApp(backend: Backend, env: Record<string, string> = {}): Promise<BenchApp> {
  const slack = await SlackDouble.start();
  const { target, drop } = await benchDatabase(backend);
  const database = await openDatabase(target);
  await database.migrate();
  const config = parseConfig({
    SLACK_BOT_TOKEN: "xoxb-bench",
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.url,
    PORT: "0",
    LOG_LEVEL: "error",
    ...env,
  });
  const clock = new MovableClock();
  const capacita = await createCapacita({ config, database, clock, logger: createLogger("error") });
  const port = await capacita.start();
  return {
    capacita,
    database,
    slack,
    clock,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await capacita.stop();
      await database.close();
      await slack.close();
      await drop();
    },
  };
}

/** A bare Bolt app that only acknowledges /signin: the floor capacita is compared with. */
export async function startBareBolt(): Promise<{ url: string; close(): Promise<void> }> {
  const receiver = new ExpressReceiver({ signingSecret: SECRET, endpoints: "/slack/events", logLevel: LogLevel.ERROR });
  // botId/botUserId given: no auth.test call (Slack is not reachable here).
  const app = new App({ token: "xoxb-bench", receiver, botId: "BBOT", botUserId: "UBOT", logLevel: LogLevel.ERROR });
  app.command("/signin", async ({ ack }) => ack({ response_type: "ephemeral", text: "ok" }));
  const server = http.createServer(receiver.app);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const exec = promisify(execFile);

export async function load(spec: LoadSpec): Promise<LoadResult> {
  const { stdout } = await exec(
    process.execPath,
    ["--import", "tsx", path.join(ROOT, "bench/lib/load.ts"), JSON.stringify(spec)],
    {
      cwd: ROOT,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return JSON.parse(stdout.trim().split("\n").at(-1) as string) as LoadResult;
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);

/** Quick mode (`--quick` or BENCH_QUICK=1): every size shrunk so the suite takes about a minute. */
export const QUICK = process.argv.includes("--quick") || process.env.BENCH_QUICK === "1";
export const sized = <T>(full: T, quick: T): T => (QUICK ? quick : full);
