// The whole app in HTTP mode on a random port, with a fresh database and the
// Slack double behind SLACK_API_URL: what the end-to-end tests drive.
import { type Capacita, createCapacita } from "../../src/app.ts";
import { type Config, parseConfig } from "../../src/config.ts";
import { MovableClock } from "../../src/core/clock.ts";
import type { Database } from "../../src/core/db.ts";
import { createLogger } from "../../src/core/logger.ts";
import { SlackDouble } from "../../src/core/slack-double.ts";
import { type Backend, freshDatabase } from "./db.ts";
import { SlackClientSim } from "./signer.ts";

export const SIGNING_SECRET = "test-signing-secret";

export interface TestApp {
  capacita: Capacita;
  database: Database;
  db: Database["prisma"];
  slack: SlackDouble;
  sim: SlackClientSim;
  clock: MovableClock;
  config: Config;
  baseUrl: string;
  logs: string[];
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Run schedules and the dispatcher in the background (default false: tests call runDue/drain). */
  background?: boolean;
  channelIntervalMs?: number;
  /** An existing database (e.g. to restart the app on it); a fresh one otherwise. */
  database?: Database;
  /** An existing Slack double (left open by close()); a new one otherwise. */
  slack?: SlackDouble;
  /** The clock to share (e.g. with the app before a restart); a new one at the real time otherwise. */
  clock?: MovableClock;
}

export async function startTestApp(
  backend: Backend,
  env: Record<string, string> = {},
  opts: TestAppOptions = {},
): Promise<TestApp> {
  const slack = opts.slack ?? (await SlackDouble.start());
  const config = parseConfig({
    SLACK_BOT_TOKEN: "xoxb-test-token",
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.url,
    PORT: "0",
    ADMIN_USER_IDS: "UADMIN",
    ...env,
  });
  const database = opts.database ?? (await freshDatabase(backend));
  const clock = opts.clock ?? new MovableClock();
  const logs: string[] = [];
  const logger = createLogger("debug", (line) => logs.push(line));
  const capacita = await createCapacita({
    config,
    database,
    clock,
    logger,
    background: opts.background ?? false,
    channelIntervalMs: opts.channelIntervalMs ?? 0,
  });
  const port = await capacita.start();
  const baseUrl = `http://127.0.0.1:${port}`;
  const sim = new SlackClientSim({ baseUrl, signingSecret: SIGNING_SECRET, responseUrlBase: slack.responseUrlBase });
  return {
    capacita,
    database,
    db: database.prisma,
    slack,
    sim,
    clock,
    config,
    baseUrl,
    logs,
    async close() {
      await capacita.stop();
      await database.close();
      if (!opts.slack) await slack.close();
    },
  };
}

/** Resolves when the double has recorded `count` calls to `method`, or fails after `ms`. */
export async function waitForCalls(slack: SlackDouble, method: string, count = 1, ms = 3000) {
  const deadline = Date.now() + ms;
  while (slack.callsTo(method).filter((c) => !c.failed).length < count) {
    if (Date.now() > deadline)
      throw new Error(`expected ${count} ${method} call(s), saw ${slack.callsTo(method).length}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return slack.callsTo(method).filter((c) => !c.failed);
}
