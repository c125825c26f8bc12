// Entry: config → database → app → start; SIGTERM drains and exits 0.
import { z } from "zod";
import { createCapacita } from "./app.ts";
import { type Config, ConfigError, databaseTarget, mode, parseConfig } from "./config.ts";
import { MovableClock, SystemClock } from "./core/clock.ts";
import { DatabaseBusyError, openDatabase } from "./core/db.ts";
import { createLogger } from "./core/logger.ts";
import type { Scheduler } from "./core/scheduler.ts";

async function main(): Promise<number | undefined> {
  let config: Config;
  try {
    config = parseConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const logger = createLogger(config.LOG_LEVEL);
  const target = databaseTarget(config);

  if (mode(config) === "console") {
    if (!process.stdin.isTTY) {
      process.stderr.write(
        "capacita: no Slack token and no terminal.\n" +
          "  To connect to Slack set SLACK_BOT_TOKEN and either SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode).\n" +
          "  To try it locally, run `npm start` in a terminal: the local console starts.\n",
      );
      return 1;
    }
    const { runConsole } = await import("./console/index.ts");
    await runConsole({ config, target, logger, input: process.stdin, output: process.stdout, terminal: true });
    return 0;
  }

  const database = await openDatabase(target);
  const applied = await database.migrate();
  if (applied.length) logger.info("migrations applied", { applied });
  const clock = config.CAPACITA_TEST_CLOCK ? new MovableClock(config.CAPACITA_TEST_CLOCK) : new SystemClock();
  const capacita = await createCapacita({ config, database, clock, logger });
  const port = await capacita.start();
  if (clock instanceof MovableClock) followTestClock(clock, capacita.scheduler);
  logger.info(`capacita running in ${mode(config)} mode`, port === undefined ? {} : { port });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down", { signal });
    await capacita.stop();
    await database.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  return undefined;
}

const clockMove = z.object({
  type: z.literal("clock"),
  id: z.number(),
  at: z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
});

/**
 * Tests only (CAPACITA_TEST_CLOCK with NODE_ENV=test): the parent process that spawned this one
 * with an IPC channel moves the clock with `{ type: "clock", id, at }`; each move runs the
 * minutely tick, and the answer `{ type: "clock", id, ran }` lists the runs this process did.
 */
function followTestClock(clock: MovableClock, scheduler: Scheduler): void {
  if (!process.send) return;
  process.on("message", (message) => {
    const move = clockMove.safeParse(message);
    if (!move.success) return;
    const { id, at } = move.data;
    clock.set(at);
    scheduler.tick().then(
      (ran) => process.send?.({ type: "clock", id, ran }),
      (e: unknown) => process.send?.({ type: "clock", id, error: (e as Error).message }),
    );
  });
}

main().then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (e: unknown) => {
    const hint =
      e instanceof DatabaseBusyError
        ? " — is capacita already running? Stop it first, or use PostgreSQL (DATABASE_URL)."
        : "";
    process.stderr.write(`capacita: could not start: ${(e as Error).message}${hint}\n`);
    process.exit(1);
  },
);
