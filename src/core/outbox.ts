// Messages the app sends on its own (SPEC §7): stored first with an idempotency
// key, then delivered by a dispatcher that honours Retry-After, backs off on 5xx
// and time-outs, paces each channel to ~1 message a second, runs channels in
// parallel (16 sends at most on the wire), and records permanent errors
// (reported to the admins once).
import { ErrorCode, WebClient } from "@slack/web-api";
import type { Config } from "../config.ts";
import type { OutboxMessage, Prisma } from "../generated/prisma/client.ts";
import type { Clock } from "./clock.ts";
import type { Db } from "./db.ts";
import { translator } from "./i18n/index.ts";
import type { Logger } from "./logger.ts";

export type { OutboxMessage };

export interface Outgoing {
  /** Stable for the same logical message: storing it twice stores it once. */
  key: string;
  method: "chat.postMessage" | "chat.update" | "files.uploadV2";
  /** Where it goes (a channel id, or a user id for a DM). */
  channel: string;
  payload: Record<string, unknown>;
}

/** Stores messages for delivery; keys already stored are left alone. Returns how many were new. */
export async function enqueue(db: Db, clock: Clock, messages: Outgoing[]): Promise<number> {
  if (messages.length === 0) return 0;
  const now = clock.now();
  const { count } = await db.outboxMessage.createMany({
    data: messages.map((m) => ({
      key: m.key,
      method: m.method,
      channel: m.channel,
      payload: m.payload as Prisma.InputJsonValue,
      nextAttemptAt: now,
    })),
    skipDuplicates: true,
  });
  return count;
}

/** Slack errors that no retry will fix. */
const PERMANENT = new Set([
  "channel_not_found",
  "not_in_channel",
  "is_archived",
  "account_inactive",
  "user_not_found",
  "user_disabled",
  "invalid_blocks",
  "invalid_blocks_format",
  "msg_too_long",
  "no_text",
  "too_many_attachments",
  "restricted_action",
  "cannot_dm_bot",
  "message_not_found",
  "cant_update_message",
  "edit_window_closed",
  "invalid_auth",
  "not_authed",
  "token_revoked",
  "missing_scope",
  "invalid_arguments",
]);

const MAX_ATTEMPTS = 12;
/** How long a claimed row stays ours; renewed before a send when less than SEND_MAX_MS is left. */
const LEASE_MS = 60_000;
const REQUEST_TIMEOUT_MS = 15_000;
/** The longest one send can take: a file upload is three requests. */
const SEND_MAX_MS = 3 * REQUEST_TIMEOUT_MS + 5_000;
/** Messages of one channel claimed at a time: a busy channel does not hold up the others for long. */
const PER_CHANNEL_BATCH = 5;
/**
 * Sends on the wire at once, per dispatcher, each until its outcome is recorded: a process that dies
 * mid-delivery can post again at most these (Slack took them, the database had not heard yet).
 */
export const MAX_IN_FLIGHT = 16;
export const CHANNEL_INTERVAL_MS = 1_000;

type Verdict =
  | { kind: "sent"; channel?: string; ts?: string }
  | { kind: "retry"; afterMs: number; error: string }
  | { kind: "failed"; error: string };

function backoffMs(attempt: number): number {
  return Math.min(1000 * 2 ** (attempt - 1), 5 * 60_000);
}

function judge(e: unknown, attempt: number): Verdict {
  const err = e as {
    code?: string;
    retryAfter?: number;
    statusCode?: number;
    data?: { error?: string };
    message?: string;
  };
  if (err.code === ErrorCode.RateLimitedError)
    return { kind: "retry", afterMs: (err.retryAfter ?? 1) * 1000, error: "ratelimited" };
  if (err.code === ErrorCode.PlatformError) {
    const error = err.data?.error ?? "unknown_error";
    if (PERMANENT.has(error)) return { kind: "failed", error };
    return attempt >= MAX_ATTEMPTS ? { kind: "failed", error } : { kind: "retry", afterMs: backoffMs(attempt), error };
  }
  const error = err.code === ErrorCode.HTTPError ? `http_${err.statusCode}` : (err.message ?? "request_error");
  return attempt >= MAX_ATTEMPTS ? { kind: "failed", error } : { kind: "retry", afterMs: backoffMs(attempt), error };
}

export interface DispatcherOptions {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
  token: string;
  /** Pause between two messages to one channel. */
  channelIntervalMs?: number;
  batchSize?: number;
}

/**
 * Delivers stored messages. Several dispatchers (processes) may run at once:
 * rows are claimed with FOR UPDATE SKIP LOCKED and a lease, so none is sent twice.
 */
export class Dispatcher {
  private readonly client: WebClient;
  private readonly lastSent = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private inFlight = 0;
  private readonly waitingForSlot: (() => void)[] = [];

  constructor(private readonly opts: DispatcherOptions) {
    this.client = new WebClient(opts.token, {
      slackApiUrl: opts.config.SLACK_API_URL,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: REQUEST_TIMEOUT_MS,
    });
  }

  start(pollMs = 1000): void {
    this.stopped = false;
    const loop = () => {
      if (this.stopped) return;
      this.poke();
      this.timer = setTimeout(loop, pollMs);
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => {});
  }

  /** Deliver now (e.g. right after enqueueing) instead of at the next poll. */
  poke(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.run().catch((e: unknown) => this.opts.logger.error("outbox dispatch failed", { error: (e as Error).message }));
  }

  /**
   * Delivers everything that is due, channel by channel in parallel; resolves when none is left.
   * A pass already under way in this dispatcher (a poke) is waited for first, then one more runs.
   */
  async drain(): Promise<void> {
    while (this.running) await this.running.catch(() => {});
    await this.run();
  }

  private run(): Promise<void> {
    const pass = this.pass().finally(() => {
      this.running = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        this.poke();
      }
    });
    this.running = pass;
    return pass;
  }

  private async pass(): Promise<void> {
    for (;;) {
      const interval = this.opts.channelIntervalMs ?? CHANNEL_INTERVAL_MS;
      for (const [channel, at] of this.lastSent) if (at + interval < Date.now()) this.lastSent.delete(channel);
      const batch = await this.claim();
      if (batch.length === 0) return;
      const byChannel = new Map<string, OutboxMessage[]>();
      for (const m of batch) byChannel.set(m.channel, [...(byChannel.get(m.channel) ?? []), m]);
      await Promise.all([...byChannel.entries()].map(([channel, msgs]) => this.deliverChannel(channel, msgs)));
    }
  }

  /**
   * Claims due rows (pending, or sending with a lapsed lease) for this dispatcher: at most
   * PER_CHANNEL_BATCH per channel, every channel's first messages before anyone's later ones,
   * and no channel another dispatcher is sending to right now (one sender per channel keeps
   * the pacing and the order across processes).
   */
  private async claim(): Promise<OutboxMessage[]> {
    const now = this.opts.clock.now();
    const leaseUntil = new Date(now.getTime() + LEASE_MS);
    const limit = this.opts.batchSize ?? 200;
    // One claim at a time across dispatchers: two claims running together could each take part of
    // one channel's rows (FOR UPDATE SKIP LOCKED skips those the other is still locking) and send
    // them out of order. Waiting for the lock, the claim then sees the other's rows as being sent.
    // The status test is repeated next to FOR UPDATE: a row another dispatcher claimed meanwhile
    // is re-checked there (PostgreSQL re-evaluates that WHERE on the newest row version).
    const db = this.opts.db;
    const [, claimed] = await db.$transaction([
      db.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('capacita:outbox-claim'))`,
      db.$queryRaw<OutboxMessage[]>`
      UPDATE "OutboxMessage" SET status = 'sending', "lockedUntil" = ${leaseUntil}, attempts = attempts + 1
      WHERE id IN (
        SELECT id FROM "OutboxMessage"
        WHERE id IN (
          SELECT id FROM (
            SELECT m.id, row_number() OVER (PARTITION BY m.channel ORDER BY m.id) AS rn
            FROM "OutboxMessage" m
            WHERE ((m.status = 'pending' AND m."nextAttemptAt" <= ${now})
                OR (m.status = 'sending' AND m."lockedUntil" < ${now}))
              AND NOT EXISTS (
                SELECT 1 FROM "OutboxMessage" busy
                WHERE busy.channel = m.channel AND busy.status = 'sending' AND busy."lockedUntil" >= ${now})
          ) ranked
          WHERE rn <= ${PER_CHANNEL_BATCH}
          ORDER BY rn, id
          LIMIT ${limit}
        )
        AND ((status = 'pending' AND "nextAttemptAt" <= ${now}) OR (status = 'sending' AND "lockedUntil" < ${now}))
        FOR UPDATE SKIP LOCKED
      )
      RETURNING *`,
    ]);
    return claimed.sort((a, b) => a.id - b.id);
  }

  private async deliverChannel(channel: string, messages: OutboxMessage[]): Promise<void> {
    const interval = this.opts.channelIntervalMs ?? CHANNEL_INTERVAL_MS;
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i] as OutboxMessage;
      const wait = (this.lastSent.get(channel) ?? 0) + interval - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const verdict = await this.inSlot(async () => {
        // Still ours? (a lease that lapsed while earlier messages went out may have been taken over)
        if (!(await this.renew(m))) return null;
        const v = await this.send(m);
        // Paced from the answer: the next request leaves at least `interval` after Slack saw this one.
        this.lastSent.set(channel, Date.now());
        await this.record(m, v);
        return v;
      });
      if (verdict?.kind === "retry") {
        // The channel is throttled or failing: the rest of its batch waits with it.
        await this.release(messages.slice(i + 1), verdict.afterMs);
        return;
      }
    }
  }

  /** Runs one send and its record within MAX_IN_FLIGHT; channels waiting for their pace hold no slot. */
  private async inSlot<T>(work: () => Promise<T>): Promise<T> {
    while (this.inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => this.waitingForSlot.push(r));
    this.inFlight++;
    try {
      return await work();
    } finally {
      this.inFlight--;
      this.waitingForSlot.shift()?.();
    }
  }

  /**
   * Makes sure the row is still ours with enough lease left for one send (renewing it when
   * little is left); false when another dispatcher took it over after our lease lapsed.
   */
  private async renew(m: OutboxMessage): Promise<boolean> {
    const now = this.opts.clock.now().getTime();
    if (m.lockedUntil && m.lockedUntil.getTime() - now > SEND_MAX_MS) return true;
    const leaseUntil = new Date(now + LEASE_MS);
    const { count } = await this.opts.db.outboxMessage.updateMany({
      where: { id: m.id, status: "sending", lockedUntil: m.lockedUntil },
      data: { lockedUntil: leaseUntil },
    });
    m.lockedUntil = leaseUntil;
    return count === 1;
  }

  private async send(m: OutboxMessage): Promise<Verdict> {
    const payload = m.payload as Record<string, unknown>;
    try {
      if (m.method === "files.uploadV2") {
        const { contentBase64, channel_id, ...rest } = payload as {
          contentBase64?: string;
          channel_id?: string;
        } & Record<string, unknown>;
        // Files go to a conversation: a person's id is first turned into their DM channel.
        const channel =
          channel_id && /^[UW]/.test(channel_id)
            ? ((await this.client.conversations.open({ users: channel_id })).channel?.id as string)
            : channel_id;
        await this.client.filesUploadV2({
          ...(rest as object),
          channel_id: channel,
          ...(contentBase64 ? { file: Buffer.from(contentBase64, "base64") } : {}),
        } as Parameters<WebClient["filesUploadV2"]>[0]);
        return { kind: "sent" };
      }
      const { threadOfKey, ...args } = payload as { threadOfKey?: string } & Record<string, unknown>;
      if (threadOfKey) {
        // A reply in the thread of an earlier message: wait until that one is posted.
        const parent = await this.opts.db.outboxMessage.findUnique({ where: { key: threadOfKey } });
        if (parent?.status === "sent" && parent.resultTs) args.thread_ts = parent.resultTs;
        else if (parent && parent.status !== "failed")
          return { kind: "retry", afterMs: 1000, error: "waiting_for_parent" };
      }
      const res = (await this.client.apiCall(m.method, args)) as { channel?: string; ts?: string };
      return { kind: "sent", channel: res.channel, ts: res.ts };
    } catch (e) {
      return judge(e, m.attempts);
    }
  }

  private async record(m: OutboxMessage, v: Verdict): Promise<void> {
    const { db, clock, logger } = this.opts;
    if (v.kind === "sent") {
      await db.outboxMessage.update({
        where: { id: m.id },
        data: {
          status: "sent",
          sentAt: clock.now(),
          lockedUntil: null,
          resultChannel: v.channel ?? null,
          resultTs: v.ts ?? null,
          lastError: null,
        },
      });
      return;
    }
    if (v.kind === "retry") {
      logger.warn("outbox retry", { key: m.key, error: v.error, afterMs: v.afterMs });
      await db.outboxMessage.update({
        where: { id: m.id },
        data: {
          status: "pending",
          lockedUntil: null,
          lastError: v.error,
          nextAttemptAt: new Date(clock.now().getTime() + v.afterMs),
        },
      });
      return;
    }
    logger.error("outbox delivery failed", { key: m.key, error: v.error });
    await db.outboxMessage.update({
      where: { id: m.id },
      data: { status: "failed", lockedUntil: null, lastError: v.error },
    });
    await this.reportFailure(m, v.error);
  }

  private async release(rest: OutboxMessage[], afterMs: number): Promise<void> {
    if (rest.length === 0) return;
    await this.opts.db.outboxMessage.updateMany({
      // Only rows still held under this claim's lease.
      where: { id: { in: rest.map((m) => m.id) }, status: "sending", lockedUntil: rest[0]?.lockedUntil ?? null },
      data: {
        status: "pending",
        lockedUntil: null,
        nextAttemptAt: new Date(this.opts.clock.now().getTime() + afterMs),
        attempts: { decrement: 1 },
      },
    });
  }

  /** Tells the admins, once per failed message; failures of those notices are not reported again. */
  private async reportFailure(m: OutboxMessage, error: string): Promise<void> {
    if (m.key.startsWith("admin-alert:")) return;
    const { db, clock, config } = this.opts;
    const t = translator(config.DEFAULT_LOCALE);
    const text = t("outbox.failed", { channel: m.channel, error, key: m.key });
    const targets = config.ADMIN_CHANNEL
      ? [config.ADMIN_CHANNEL]
      : (await db.user.findMany({ where: { role: "admin" }, select: { id: true } })).map((u) => u.id);
    await enqueue(
      db,
      clock,
      targets.map((to) => ({
        key: `admin-alert:${m.id}:${to}`,
        method: "chat.postMessage",
        channel: to,
        payload: { channel: to, text },
      })),
    );
    this.again = true;
  }
}

export interface OutboxSummary {
  pending: number;
  sending: number;
  sent: number;
  failed: number;
  recent: OutboxMessage[];
}

/** What the CLI and the admins' Home show: counts, and the messages not yet delivered. */
export async function outboxSummary(db: Db, limit = 20): Promise<OutboxSummary> {
  const groups = await db.outboxMessage.groupBy({ by: ["status"], _count: { _all: true } });
  const count = (s: string) => groups.find((g) => g.status === s)?._count._all ?? 0;
  const recent = await db.outboxMessage.findMany({
    where: { status: { in: ["pending", "sending", "failed"] } },
    orderBy: { id: "desc" },
    take: limit,
  });
  return { pending: count("pending"), sending: count("sending"), sent: count("sent"), failed: count("failed"), recent };
}

/** The delivered message behind a key, e.g. to update a DM in place later. */
export async function delivered(db: Db, key: string): Promise<{ channel: string; ts: string } | null> {
  const m = await db.outboxMessage.findUnique({
    where: { key },
    select: { resultChannel: true, resultTs: true, status: true },
  });
  return m?.status === "sent" && m.resultChannel && m.resultTs ? { channel: m.resultChannel, ts: m.resultTs } : null;
}
