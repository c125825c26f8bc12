// The operator command-line tool (SPEC §8): `npm run cli -- <command>`.

import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { addJobs } from "../app.ts";
import { ConfigError, databaseTarget, parseConfig } from "../config.ts";
import { SystemClock } from "../core/clock.ts";
import { type Database, DatabaseBusyError, openDatabase } from "../core/db.ts";
import { createLogger } from "../core/logger.ts";
import { createMigration } from "../core/migrate.ts";
import { Dispatcher, outboxSummary } from "../core/outbox.ts";
import { ROLES, type Role } from "../core/roles.ts";
import { Scheduler } from "../core/scheduler.ts";
import { parseOfficeDate } from "../core/time.ts";
import { setRole } from "../people/service.ts";

/** Exit codes scripts can trust. */
export const EXIT = { ok: 0, failed: 1, usage: 2, busy: 3 } as const;

class UsageError extends Error {}

async function withDatabase<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const config = parseConfig(process.env);
  const database = await openDatabase(databaseTarget(config));
  try {
    await database.migrate();
    return await fn(database);
  } finally {
    await database.close();
  }
}

export function buildCli(out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Command {
  const program = new Command("capacita").description("capacita operator tool").exitOverride();
  const db = program.command("db").description("the database: migrations");
  db.command("migrate")
    .description("apply pending migrations (the app also does it at start)")
    .action(async () => {
      const applied = await withDatabase((d) => d.migrate());
      out(applied.length ? `Applied: ${applied.join(", ")}` : "The database is up to date.");
    });
  db.command("new")
    .argument("<name>", "what the migration does, e.g. add_sessions")
    .description("create a migration from the changes in prisma/schema.prisma")
    .action(async (name: string) => {
      const dir = await createMigration(name);
      out(dir ? `Created ${dir}` : "prisma/schema.prisma and the migrations agree: nothing to create.");
    });

  const roles = program.command("roles").description("who may do what");
  roles
    .command("set")
    .argument("<user>", "Slack user id, e.g. U0123ABCD")
    .argument("<role>", ROLES.join("|"))
    .description("give a person a role")
    .action(async (user: string, role: string) => {
      if (!/^[UW][A-Z0-9]{2,}$/.test(user)) throw new UsageError(`"${user}" is not a Slack user id (e.g. U0123ABCD)`);
      if (!ROLES.includes(role as Role)) throw new UsageError(`the role must be one of ${ROLES.join(", ")}`);
      await withDatabase((d) => setRole(d.prisma, "cli", user, role as Role));
      out(`${user} now has the role ${role}.`);
    });
  const jobs = program.command("jobs").description("scheduled work");
  jobs
    .command("run")
    .argument("<job>", "reminders, ratings (and the jobs later features add)")
    .option("--date <YYYY-MM-DD>", "the day to run a daily job for")
    .option("--week <YYYY-MM-DD>", "a day of the week to run a weekly job for")
    .option("--force", "run again even if this period already ran (messages are sent again)")
    .description("run a job now, through the same once-only coordinator as the schedule")
    .action(async (name: string, o: { date?: string; week?: string; force?: boolean }) => {
      await withDatabase(async (d) => {
        const config = parseConfig(process.env);
        const logger = createLogger("warn");
        const clock = new SystemClock();
        const deps = { config, db: d.prisma, clock, logger };
        const dispatcher = new Dispatcher({ ...deps, token: config.SLACK_BOT_TOKEN ?? "" });
        const scheduler = new Scheduler({ db: d.prisma, clock, logger, zone: config.APP_TIMEZONE });
        addJobs(scheduler, deps);
        if (!scheduler.jobNames().includes(name))
          throw new UsageError(`unknown job "${name}"; jobs: ${scheduler.jobNames().join(", ")}`);
        const day = o.date ?? o.week;
        const at = day ? parseOfficeDate(day, config.APP_TIMEZONE) : clock.now();
        if (!at) throw new UsageError(`"${day}" is not a date YYYY-MM-DD`);
        const ran = scheduler.isPeriodic(name)
          ? (await scheduler.runNow(name, at, o.force)).ran
            ? [name]
            : []
          : await scheduler.runDue([name]);
        out(
          ran.length
            ? `Ran ${ran.join(", ")}.`
            : `Nothing to run: ${name} already ran for that period (use --force to run it again).`,
        );
        if (config.SLACK_BOT_TOKEN) {
          await dispatcher.drain();
          out("Messages delivered.");
        } else {
          out("No SLACK_BOT_TOKEN: the messages wait in the outbox for the app to deliver them.");
        }
      });
    });

  program
    .command("outbox")
    .description("messages waiting to be delivered, and those that failed")
    .action(async () => {
      const s = await withDatabase((d) => outboxSummary(d.prisma));
      out(`pending ${s.pending} · sending ${s.sending} · sent ${s.sent} · failed ${s.failed}`);
      for (const m of s.recent) {
        out(
          `${m.status.padEnd(8)} ${m.key}  → ${m.channel}  attempts ${m.attempts}${m.lastError ? `  last error: ${m.lastError}` : ""}`,
        );
      }
    });
  return program;
}

export async function runCli(
  argv: string[],
  out?: (line: string) => void,
  err = (l: string) => process.stderr.write(`${l}\n`),
) {
  const program = buildCli(out);
  program.configureOutput({ writeErr: (s) => err(s.trimEnd()), writeOut: (s) => (out ?? console.log)(s.trimEnd()) });
  try {
    await program.parseAsync(argv, { from: "user" });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (e instanceof UsageError) {
      err(`capacita: ${e.message}`);
      return EXIT.usage;
    }
    if (e instanceof ConfigError) {
      err(e.message);
      return EXIT.usage;
    }
    if (e instanceof DatabaseBusyError) {
      err(
        `capacita: the app is running on the embedded database (${e.dataDir}, pid ${e.pid}), which one process can open at a time.\n` +
          "  Stop the app and run this again, or run jobs from the app's console (:jobs), or use PostgreSQL (DATABASE_URL).",
      );
      return EXIT.busy;
    }
    err(`capacita: ${(e as Error).message}`);
    return EXIT.failed;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
