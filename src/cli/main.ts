// The operator command-line tool (SPEC §8): `npm run cli -- <command>`.

import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { addJobs } from "../app.ts";
import { ConfigError, databaseTarget, parseConfig } from "../config.ts";
import { SystemClock } from "../core/clock.ts";
import { addDays, dayStart, parseDay } from "../core/days.ts";
import { type Database, DatabaseBusyError, openDatabase } from "../core/db.ts";
import { es } from "../core/i18n/es.ts";
import { type MessageKey, translator } from "../core/i18n/index.ts";
import { createLogger } from "../core/logger.ts";
import { createMigration } from "../core/migrate.ts";
import { Dispatcher, outboxSummary } from "../core/outbox.ts";
import { ROLES, type Role } from "../core/roles.ts";
import { Scheduler } from "../core/scheduler.ts";
import { type Holdings, seedDemo } from "../demo/seed.ts";
import { exportCsv, importCsv } from "../faq/service.ts";
import { importFigures, weekOf } from "../kpi/service.ts";
import { setRole } from "../people/service.ts";
import { type ProgressStream, withProgress } from "./progress.ts";

/** Exit codes scripts can trust. */
export const EXIT = { ok: 0, failed: 1, usage: 2, busy: 3 } as const;

class UsageError extends Error {}

/** How long `jobs run` waits for its messages' retries (a 429's Retry-After, a 5xx back-off). */
const RETRY_WAIT_MS = 30_000;
/** The command could not do its work, for a reason its message gives (a file's bad rows, a database not empty): exit code 1. */
class CommandFailed extends Error {}

const KINDS: [keyof Holdings, string, string][] = [
  ["people", "person", "people"],
  ["sessions", "training session", "training sessions"],
  ["newHires", "new hire", "new hires"],
  ["faqEntries", "FAQ entry", "FAQ entries"],
  ["figures", "business figure", "business figures"],
];
/** "46 people, 159 training sessions, …": the kinds there are any of. */
const inWords = (h: Holdings) =>
  KINDS.filter(([k]) => h[k] > 0)
    .map(([k, one, many]) => `${h[k]} ${h[k] === 1 ? one : many}`)
    .join(", ");

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

const stderrLine = (line: string) => void process.stderr.write(`${line}\n`);

export function buildCli(
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  err: (line: string) => void = stderrLine,
  progress: ProgressStream = process.stderr,
): Command {
  // Set before the subcommands are added: they copy it (their --help and usage errors go here too).
  const program = new Command("capacita")
    .description("capacita operator tool")
    .exitOverride()
    .configureOutput({ writeErr: (s) => err(s.trimEnd()), writeOut: (s) => out(s.trimEnd()) });
  const db = program.command("db").description("the database: migrations, demo data");
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
  db.command("seed")
    .summary("fill an empty database with the demo data, once")
    .description(
      "fill an empty database with the demo data the console starts with: people of every role, a year of " +
        "sessions, new hires, FAQ entries, KPI figures. Run again, it adds nothing; on a database holding " +
        "other data it refuses (exit code 1) and changes nothing",
    )
    .action(async () => {
      const { APP_TIMEZONE } = parseConfig(process.env);
      const seeded = await withDatabase((d) => seedDemo(d.prisma, new SystemClock(), APP_TIMEZONE));
      if (seeded.kind === "occupied")
        throw new CommandFailed(
          `the database already holds data (${inWords(seeded.holdings)}), and demo data must not mix with it: nothing was added.\n` +
            "  Seed an empty database instead: another DATA_DIR, or a new PostgreSQL database in DATABASE_URL.",
        );
      if (seeded.kind === "present") return out("The demo data is already there: nothing was added.");
      out(`Seeded the demo data: ${inWords(seeded.holdings)}.`);
      out("Try it in the console: `npm start` without SLACK_BOT_TOKEN (you are @ana, the admin; :who lists everyone).");
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
    .argument("<job>", "digest (weekly), followups (daily), reminders, ratings")
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
        const parsed = day ? parseDay(day) : null;
        if (day && !parsed) throw new UsageError(`"${day}" is not a date YYYY-MM-DD`);
        // --week names the week to report; the digest for it runs on the Monday after.
        const at = parsed ? dayStart(o.week ? addDays(weekOf(parsed), 7) : parsed, config.APP_TIMEZONE) : clock.now();
        const periodic = scheduler.isPeriodic(name);
        // A sweep (reminders, ratings) runs what is due now: a date would be silently ignored.
        if (!periodic && (day || o.force))
          throw new UsageError(
            `${name} runs what is due now: --date, --week and --force are for daily and weekly jobs`,
          );
        let ran: string[];
        if (periodic) {
          const result = await scheduler.runNow(name, at, o.force);
          ran = result.ran ? [result.key] : [];
        } else {
          ran = await scheduler.runDue([name]);
        }
        out(
          ran.length
            ? `Ran ${ran.join(", ")}.`
            : periodic
              ? `Nothing to run: ${name} already ran for that period (use --force to run it again).`
              : `Nothing to run: no ${name} due now, or they already ran.`,
        );
        if (config.SLACK_BOT_TOKEN) {
          await dispatcher.drain();
          if (ran.length) {
            const runs = await d.prisma.jobRun.findMany({ where: { key: { in: ran } } });
            const ofThisRun = {
              OR: runs.map((r) => ({ key: { startsWith: r.generation ? `${r.key}#${r.generation}:` : `${r.key}:` } })),
            };
            // A 429 or a 5xx makes a message wait: wait with it when that is short, then say what happened.
            const until = Date.now() + RETRY_WAIT_MS;
            for (;;) {
              const next = await d.prisma.outboxMessage.findFirst({
                where: { ...ofThisRun, status: "pending" },
                orderBy: { nextAttemptAt: "asc" },
              });
              if (!next || next.nextAttemptAt.getTime() > until) break;
              await new Promise((r) => setTimeout(r, Math.max(0, next.nextAttemptAt.getTime() - Date.now()) + 50));
              await dispatcher.drain();
            }
            const mine = await d.prisma.outboxMessage.groupBy({
              by: ["status"],
              where: ofThisRun,
              _count: { _all: true },
            });
            const count = (status: string) => mine.find((g) => g.status === status)?._count._all ?? 0;
            const waiting = count("pending") + count("sending");
            const failed = count("failed");
            out(
              `Delivered ${count("sent")} message(s)` +
                (waiting ? `; ${waiting} waiting for a retry (the app delivers them)` : "") +
                (failed ? `; ${failed} failed (see \`npm run cli -- outbox\`)` : "") +
                ".",
            );
          }
        } else {
          out("No SLACK_BOT_TOKEN: the messages wait in the outbox for the app to deliver them.");
        }
      });
    });

  const faq = program.command("faq").description("the FAQ store");
  faq
    .command("import")
    .argument(
      "<file>",
      "CSV with columns id, question, answer, tags, locale, variants (id optional; same id = update; a column the file lacks is kept)",
    )
    .description("import FAQ entries: all or nothing, bad rows named with their line and field")
    .action(async (file: string) => {
      const text = await readFile(file, "utf8").catch(() => {
        throw new UsageError(`cannot read ${file}`);
      });
      const result = await withDatabase((d) =>
        withProgress(progress, `Importing ${file}`, (onProgress) => importCsv(d.prisma, text, onProgress)),
      );
      if (!result.ok) {
        const t = translator("en");
        for (const e of result.errors.slice(0, 50)) {
          const message = e.message in es ? t(e.message as MessageKey) : e.message;
          out(`${file}:${e.line}: ${e.field}: ${message}`);
        }
        throw new CommandFailed(`${result.errors.length} bad row(s) in ${file}: nothing was imported`);
      }
      out(`Imported ${file}: ${result.created} new, ${result.updated} updated.`);
    });
  faq
    .command("export")
    .argument("<file>", "where to write the CSV")
    .description("export every FAQ entry as CSV (re-importable)")
    .action(async (file: string) => {
      const csv = await withDatabase((d) => exportCsv(d.prisma));
      await writeFile(file, csv);
      out(`Exported to ${file}.`);
    });

  const kpi = program.command("kpi").description("business figures for the weekly digest");
  kpi
    .command("import")
    .argument("<file>", "CSV: week start (YYYY-MM-DD), metric, value, target, team (optional)")
    .description("import business figures: all or nothing; re-importing a week replaces its values")
    .action(async (file: string) => {
      const text = await readFile(file, "utf8").catch(() => {
        throw new UsageError(`cannot read ${file}`);
      });
      const result = await withDatabase((d) =>
        withProgress(progress, `Importing ${file}`, (onProgress) => importFigures(d.prisma, text, onProgress)),
      );
      if (!result.ok) {
        for (const e of result.errors.slice(0, 50)) out(`${file}:${e.line}: ${e.field}: ${e.message}`);
        throw new CommandFailed(`${result.errors.length} bad row(s) in ${file}: nothing was imported`);
      }
      out(`Imported ${file}: ${result.rows} figures over ${result.weeks} week(s).`);
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
  err = stderrLine,
  progress?: ProgressStream,
) {
  const program = buildCli(out, err, progress);
  try {
    await program.parseAsync(argv, { from: "user" });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (e instanceof CommandFailed) {
      err(`capacita: ${e.message}`);
      return EXIT.failed;
    }
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
