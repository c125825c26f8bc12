// Builds the Bolt app for one of three surfaces (HTTP, Socket Mode, the local
// console) and registers every feature on it.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { type AnyMiddlewareArgs, App, ExpressReceiver, LogLevel, type Middleware, type Receiver } from "@slack/bolt";
import type { WebClientOptions } from "@slack/web-api";
import { type Config, mode as modeOf } from "./config.ts";
import type { Clock } from "./core/clock.ts";
import type { Database } from "./core/db.ts";
import { pickLocale, t } from "./core/i18n/index.ts";
import type { Logger } from "./core/logger.ts";
import { Dispatcher } from "./core/outbox.ts";
import { Router } from "./core/router.ts";
import { Scheduler } from "./core/scheduler.ts";
import { actorMiddleware, type Deps, ephemeral, type Register } from "./core/slack.ts";
import { register as registerFaq } from "./faq/listeners.ts";
import { followupJobs } from "./followups/jobs.ts";
import { register as registerFollowups } from "./followups/listeners.ts";
import { register as registerHome } from "./home/listeners.ts";
import { kpiJobs } from "./kpi/jobs.ts";
import { register as registerKpi } from "./kpi/listeners.ts";
import { register as registerPeople } from "./people/listeners.ts";
import { bootstrapAdmins } from "./people/service.ts";
import { trainingJobs } from "./training/jobs.ts";
import { register as registerTraining } from "./training/listeners.ts";

const features: Register[] = [
  registerPeople,
  registerTraining,
  registerFollowups,
  registerFaq,
  registerKpi,
  registerHome,
];

/** Every feature's scheduled jobs; the app and the CLI run the same ones. */
export function addJobs(scheduler: Scheduler, deps: Pick<Deps, "config" | "db" | "clock">): void {
  for (const job of [...trainingJobs(deps), ...followupJobs(deps), ...kpiJobs(deps)]) scheduler.add(job);
}

export interface CapacitaOptions {
  config: Config;
  database: Database;
  clock: Clock;
  logger: Logger;
  /** The console's receiver; HTTP or Socket Mode otherwise, from the config. */
  receiver?: Receiver;
  /** Bot token used with a custom receiver (the console has none of its own). */
  token?: string;
  /** Run the schedules and the outbox dispatcher in the background (default true; tests drive them by hand). */
  background?: boolean;
  /** Pause between two messages to one channel (default 1 s). */
  channelIntervalMs?: number;
  /** Listeners' Slack calls: time-out per attempt and retries (tests shorten them; SLACK_CLIENT otherwise). */
  slackClient?: Pick<WebClientOptions, "timeout" | "retryConfig">;
}

/**
 * Listeners' Slack calls: an attempt without an answer is abandoned after 10 s and retried like any
 * other failure (the client's default retries: ten in about thirty minutes).
 */
export const SLACK_CLIENT: Pick<WebClientOptions, "timeout" | "retryConfig"> = { timeout: 10_000 };

/** fetch with a time-out when the caller gives none: Bolt's respond() (response URLs) sets no signal of its own. */
const fetchWithin =
  (ms: number): typeof fetch =>
  (input, init) =>
    fetch(input, init?.signal || !ms ? init : { ...init, signal: AbortSignal.timeout(ms) });

export interface Capacita {
  app: App;
  /** Where commands, buttons and modals are registered (one Bolt listener per kind). */
  routes: Router;
  deps: Deps;
  scheduler: Scheduler;
  dispatcher: Dispatcher;
  /** Starts listening; returns the HTTP port in HTTP mode. */
  start(): Promise<number | undefined>;
  /** Stops taking requests, waits for work in flight, closes nothing else. */
  stop(): Promise<void>;
}

const boltLevel = { debug: LogLevel.DEBUG, info: LogLevel.INFO, warn: LogLevel.WARN, error: LogLevel.ERROR } as const;

export async function createCapacita(opts: CapacitaOptions): Promise<Capacita> {
  const { config, database, clock, logger } = opts;
  const token = opts.token ?? config.SLACK_BOT_TOKEN ?? "";
  const dispatcher = new Dispatcher({
    config,
    db: database.prisma,
    clock,
    logger,
    token,
    channelIntervalMs: opts.channelIntervalMs,
  });
  const deps: Deps = { config, db: database.prisma, clock, logger, outbox: dispatcher };
  await bootstrapAdmins(deps.db, config.ADMIN_USER_IDS);

  const surface = opts.receiver ? "custom" : modeOf(config);
  const slackClient = { ...SLACK_CLIENT, ...opts.slackClient };
  // The token is checked once (auth.test) at construction; without that Bolt asks on every request.
  const common = {
    token: opts.token ?? config.SLACK_BOT_TOKEN,
    clientOptions: { slackApiUrl: config.SLACK_API_URL, ...slackClient, fetch: fetchWithin(slackClient.timeout ?? 0) },
    logLevel: config.LOG_LEVEL === "info" ? LogLevel.WARN : boltLevel[config.LOG_LEVEL],
    // Bolt's conversation store (a per-request middleware) is not used: state lives in the database.
    convoStore: false as const,
  };
  let app: App;
  let server: http.Server | undefined;
  if (surface === "custom") {
    app = new App({ ...common, receiver: opts.receiver });
  } else if (surface === "socket") {
    app = new App({ ...common, appToken: config.SLACK_APP_TOKEN, socketMode: true });
  } else {
    const receiver = new ExpressReceiver({
      signingSecret: config.SLACK_SIGNING_SECRET ?? "",
      endpoints: "/slack/events",
      processBeforeResponse: false,
      logLevel: common.logLevel,
    });
    receiver.router.get("/healthz", async (_req, res) => {
      const up = await database.ping();
      res.status(up ? 200 : 503).json({ status: up ? "ok" : "unavailable" });
    });
    app = new App({ ...common, receiver });
    server = http.createServer(receiver.app);
  }

  // Work in flight, so a SIGTERM can wait for it.
  let inFlight = 0;
  let drained: (() => void) | undefined;
  app.use(async (args) => {
    inFlight++;
    try {
      await args.next();
    } catch (error) {
      logger.error("listener failed", { error: (error as Error).stack ?? String(error) });
      await apologise(args as unknown as Apologisable, config.DEFAULT_LOCALE);
    } finally {
      inFlight--;
      if (inFlight === 0) drained?.();
    }
  });
  app.use(actorMiddleware(deps));
  app.use(respondWithoutResponseUrl);
  const routes = new Router(app);
  for (const register of features) register(routes, deps);

  const scheduler = new Scheduler({
    db: deps.db,
    clock,
    logger,
    zone: config.APP_TIMEZONE,
    afterRun: () => dispatcher.poke(),
  });
  addJobs(scheduler, deps);
  const background = opts.background ?? true;
  app.error(async (error) => {
    logger.error("bolt error", { error: error.message });
  });

  return {
    app,
    routes,
    deps,
    scheduler,
    dispatcher,
    async start() {
      if (background) {
        dispatcher.start();
        await scheduler.start();
      } else {
        await scheduler.firstStartedAt();
      }
      if (server) {
        const s = server;
        await new Promise<void>((resolve, reject) => {
          s.once("error", reject);
          s.listen(config.PORT, () => resolve());
        });
        return (s.address() as AddressInfo).port;
      }
      await app.start();
      return undefined;
    },
    async stop() {
      if (server) {
        const s = server;
        await new Promise<void>((resolve) => s.close(() => resolve()));
      } else {
        await app.stop();
      }
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
      await scheduler.stop();
      await dispatcher.stop();
    },
  };
}

interface Apologisable {
  ack?: (r?: unknown) => Promise<void>;
  respond?: (r: unknown) => Promise<unknown>;
  client?: App["client"];
  body?: {
    type?: string;
    user?: { id?: string } | string;
    user_id?: string;
    view?: { blocks?: { type?: string; block_id?: string }[] };
  };
  context: { actor?: { id?: string; locale?: string } };
}

/** A listener that failed still gets the person a short, friendly answer — never a stack trace. */
async function apologise(args: Apologisable, fallback: "es" | "en"): Promise<void> {
  const text = t(pickLocale(args.context.actor?.locale, fallback), "error.generic");
  const body = args.body;
  // A modal takes only response_action answers: the apology goes under its first field.
  const field =
    body?.type === "view_submission"
      ? body.view?.blocks?.find((b) => b.type === "input" && b.block_id)?.block_id
      : null;
  try {
    if (body?.type === "view_submission") {
      await args.ack?.(field ? { response_action: "errors", errors: { [field]: text } } : undefined);
      if (field) return;
    } else {
      await args.ack?.(ephemeral(text));
      return;
    }
  } catch {
    // already acknowledged: answer through the response URL, or privately in a DM
  }
  if (args.respond) {
    await args.respond(ephemeral(text)).catch(() => {});
    return;
  }
  const user = args.context.actor?.id ?? body?.user_id ?? (typeof body?.user === "string" ? body.user : body?.user?.id);
  if (user) await args.client?.chat.postMessage({ channel: user, text }).catch(() => {});
}

/**
 * Buttons in the App Home (or a modal) come without a response URL, so Bolt gives
 * listeners no respond(): private answers then go as an ephemeral message where
 * there is a channel, else as a DM.
 */
const respondWithoutResponseUrl: Middleware<AnyMiddlewareArgs> = async (args) => {
  const a = args as unknown as {
    respond?: unknown;
    body: { user?: { id?: string }; channel?: { id?: string } };
    client: App["client"];
  };
  if (!a.respond && a.body.user?.id) {
    const user = a.body.user.id;
    const channel = a.body.channel?.id;
    a.respond = async (message: string | { text?: string; blocks?: unknown[] }) => {
      const m =
        typeof message === "string" ? { text: message } : { text: message.text ?? "", blocks: message.blocks as never };
      if (channel) await a.client.chat.postEphemeral({ channel, user, ...m });
      else await a.client.chat.postMessage({ channel: user, ...m });
    };
  }
  await args.next();
};
