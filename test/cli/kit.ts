// The operator CLI run in-process as a shell runs it: an environment naming a fresh database of
// one backend, what the command printed (stdout, stderr, the progress stream) and its exit code.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { runCli } from "../../src/cli/main.ts";
import { type Database, type DatabaseTarget, openDatabase } from "../../src/core/db.ts";
import { type Backend, freshTarget } from "../kit/db.ts";

/** What the CLI reads from the environment: cleared for each harness, restored after. */
const ENV_KEYS = [
  "DATABASE_URL",
  "DATA_DIR",
  "SLACK_BOT_TOKEN",
  "SLACK_APP_TOKEN",
  "SLACK_SIGNING_SECRET",
  "SLACK_API_URL",
  "APP_TIMEZONE",
  "ADMIN_USER_IDS",
  "ADMIN_CHANNEL",
  "LOG_LEVEL",
] as const;

export interface CliRun {
  code: number;
  out: string;
  err: string;
  /** What was drawn on the progress stream (the terminal's stderr). */
  progress: string;
}

export interface CliHarness {
  target: DatabaseTarget;
  /** Runs `capacita <argv>`; `tty`: stderr is a terminal, where progress bars are drawn. */
  run(argv: string[], opts?: { tty?: boolean }): Promise<CliRun>;
  /** The database the CLI uses, opened beside it (the embedded one admits one user at a time). */
  withDb<T>(fn: (db: Database["prisma"]) => Promise<T>): Promise<T>;
  /** Restores the environment and removes the embedded database's directory. */
  close(): Promise<void>;
}

export async function cliHarness(backend: Backend): Promise<CliHarness> {
  const saved = new Map(ENV_KEYS.map((k) => [k, process.env[k]]));
  for (const k of ENV_KEYS) delete process.env[k];
  let target: DatabaseTarget;
  let dir: string | undefined;
  if (backend === "postgres") {
    target = await freshTarget("postgres");
    process.env.DATABASE_URL = (target as { url: string }).url;
  } else {
    dir = await mkdtemp(path.join(os.tmpdir(), "capacita-cli-"));
    process.env.DATA_DIR = dir;
    // Where the CLI looks (DATA_DIR/pglite), laid from the migrated image: no migrating from scratch.
    const { image } = (await freshTarget("embedded")) as { image: Blob };
    await (await openDatabase({ kind: "embedded", dataDir: path.join(dir, "pglite"), image })).close();
    target = { kind: "embedded", dataDir: path.join(dir, "pglite") };
  }
  const opened = target;
  return {
    target,
    async run(argv, opts = {}) {
      const out: string[] = [];
      const err: string[] = [];
      let progress = "";
      const stream = new Writable({
        write(chunk, _encoding, done) {
          progress += String(chunk);
          done();
        },
      });
      if (opts.tty) Object.assign(stream, { isTTY: true, columns: 120 });
      const code = await runCli(
        argv,
        (l) => void out.push(l),
        (l) => void err.push(l),
        stream,
      );
      return { code, out: out.join("\n"), err: err.join("\n"), progress };
    },
    async withDb(fn) {
      const d = await openDatabase(opened);
      try {
        return await fn(d.prisma);
      } finally {
        await d.close();
      }
    },
    async close() {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
