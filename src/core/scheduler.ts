// Scheduled work (SPEC §7): node-cron triggers in APP_TIMEZONE, and a database-backed
// run coordinator that makes each run (job + period) happen exactly once — across
// restarts and across app processes sharing one PostgreSQL. Runs missed while the
// app was down are made up at start, once, never reaching before the first start.
import { randomUUID } from "node:crypto";
import { CronExpressionParser } from "cron-parser";
import cron, { type ScheduledTask } from "node-cron";
import type { Clock } from "./clock.ts";
import type { Db } from "./db.ts";
import type { Logger } from "./logger.ts";

export interface RunContext {
  /** e.g. "followups:2026-11-26" */
  key: string;
  /** the period part of the key, e.g. "2026-11-26" */
  period: string;
  /** when the run was due */
  scheduledAt: Date;
  /** Idempotency key for a message of this run; a forced re-run gets new ones. */
  messageKey(part: string): string;
}

/** A job on a cron schedule: one run per period. */
export interface PeriodicJob {
  name: string;
  cron: string;
  /** The period a run due at `at` covers (office zone), e.g. the previous week for a Monday digest. */
  period(at: Date): string;
  run(ctx: RunContext): Promise<void>;
}

/** A job checked every minute for things that came due (a session's reminder, its rating request). */
export interface SweepJob {
  name: string;
  /** Keys (with their work) due now; only things due after `since` (the first start). */
  due(now: Date, since: Date): Promise<{ period: string; scheduledAt: Date; run(ctx: RunContext): Promise<void> }[]>;
}

export interface SchedulerOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  zone: string;
  /** After a run stored messages: deliver them. */
  afterRun?: () => void;
}

const LEASE_MS = 10 * 60_000;
const MAX_ATTEMPTS = 5;

/** The latest time at or before `now` that a cron expression fires, in `zone`. */
export function previousFire(expression: string, now: Date, zone: string): Date {
  // prev() is strictly before currentDate: 1 ms later makes a fire at exactly `now` count,
  // and nothing later does (node-cron only fires once the time has come).
  const it = CronExpressionParser.parse(expression, { currentDate: new Date(now.getTime() + 1), tz: zone });
  return it.prev().toDate();
}

export class Scheduler {
  readonly owner = randomUUID();
  private readonly periodic = new Map<string, PeriodicJob>();
  private readonly sweeps = new Map<string, SweepJob>();
  private tasks: ScheduledTask[] = [];
  private inFlight = new Set<Promise<unknown>>();
  private firstStart: Date | undefined;

  constructor(private readonly opts: SchedulerOptions) {}

  add(job: PeriodicJob | SweepJob): void {
    if ("cron" in job) this.periodic.set(job.name, job);
    else this.sweeps.set(job.name, job);
  }

  isPeriodic(name: string): boolean {
    return this.periodic.has(name);
  }

  jobNames(): string[] {
    return [...this.periodic.keys(), ...this.sweeps.keys()];
  }

  /** When this installation first started: make-up runs never reach before it. */
  async firstStartedAt(): Promise<Date> {
    if (this.firstStart) return this.firstStart;
    const now = this.opts.clock.now().toISOString();
    await this.opts.db.appState.createMany({ data: [{ key: "firstStartedAt", value: now }], skipDuplicates: true });
    const row = await this.opts.db.appState.findUniqueOrThrow({ where: { key: "firstStartedAt" } });
    this.firstStart = new Date(row.value);
    return this.firstStart;
  }

  /** Starts the cron triggers and makes up what was missed. */
  async start(): Promise<void> {
    await this.firstStartedAt();
    for (const job of this.periodic.values()) {
      this.tasks.push(
        cron.schedule(job.cron, () => this.track(this.runDue([job.name])), {
          timezone: this.opts.zone,
          name: job.name,
          noOverlap: true,
        }),
      );
    }
    // Every minute: sweeps, and periodic runs that failed or were missed (a no-op claim otherwise).
    this.tasks.push(
      cron.schedule("* * * * *", () => this.tick(), { timezone: this.opts.zone, name: "minutely", noOverlap: true }),
    );
    await this.tick();
  }

  /** What each minute does: runs whatever is due (a moved test clock calls it after each move). */
  tick(): Promise<string[]> {
    return this.track(this.runDue());
  }

  async stop(): Promise<void> {
    for (const task of this.tasks) await task.destroy();
    this.tasks = [];
    await Promise.allSettled([...this.inFlight]);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p)).catch(() => {});
    return p;
  }

  /** Runs every job (or the named ones) whose latest period is due and not yet run. Returns the keys run. */
  async runDue(names?: string[]): Promise<string[]> {
    const now = this.opts.clock.now();
    const since = await this.firstStartedAt();
    const ran: string[] = [];
    for (const job of this.periodic.values()) {
      if (names && !names.includes(job.name)) continue;
      const at = previousFire(job.cron, now, this.opts.zone);
      if (at < since) continue;
      if (await this.runOnce(job.name, job.period(at), at, (ctx) => job.run(ctx)))
        ran.push(`${job.name}:${job.period(at)}`);
    }
    for (const sweep of this.sweeps.values()) {
      if (names && !names.includes(sweep.name)) continue;
      try {
        for (const item of await sweep.due(now, since)) {
          if (await this.runOnce(sweep.name, item.period, item.scheduledAt, item.run))
            ran.push(`${sweep.name}:${item.period}`);
        }
      } catch (e) {
        this.opts.logger.error("sweep failed", { job: sweep.name, error: (e as Error).message });
      }
    }
    return ran;
  }

  /** Runs a periodic job for a given instant's period now (CLI, console); `force` runs it again. */
  async runNow(name: string, at: Date, force = false): Promise<{ key: string; ran: boolean }> {
    const job = this.periodic.get(name);
    if (!job) throw new Error(`unknown job ${name}`);
    const period = job.period(at);
    const ran = await this.runOnce(name, period, at, (ctx) => job.run(ctx), force);
    return { key: `${name}:${period}`, ran };
  }

  /** Claims the run's key (or a crashed/failed run of it) and runs it; false when it is someone else's or done. */
  async runOnce(
    job: string,
    period: string,
    scheduledAt: Date,
    work: (ctx: RunContext) => Promise<void>,
    force = false,
  ): Promise<boolean> {
    const { db, clock, logger } = this.opts;
    const key = `${job}:${period}`;
    const now = clock.now();
    const lease = new Date(now.getTime() + LEASE_MS);
    const claimed = await db.$queryRaw<{ generation: number }[]>`
      INSERT INTO "JobRun" (key, job, status, generation, attempts, owner, "startedAt", "leaseUntil")
      VALUES (${key}, ${job}, 'running', 0, 1, ${this.owner}, ${now}, ${lease})
      ON CONFLICT (key) DO UPDATE SET
        status = 'running', owner = EXCLUDED.owner, "startedAt" = EXCLUDED."startedAt",
        "leaseUntil" = EXCLUDED."leaseUntil", error = NULL, "finishedAt" = NULL,
        attempts = CASE WHEN ${force} THEN 1 ELSE "JobRun".attempts + 1 END,
        generation = "JobRun".generation + CASE WHEN ${force} THEN 1 ELSE 0 END
      WHERE ${force}
         OR ("JobRun".status = 'running' AND "JobRun"."leaseUntil" < ${now})
         OR ("JobRun".status = 'failed' AND "JobRun".attempts < ${MAX_ATTEMPTS})
      RETURNING generation`;
    const generation = claimed[0]?.generation;
    if (generation === undefined) return false;
    const ctx: RunContext = {
      key,
      period,
      scheduledAt,
      messageKey: (part) => `${key}${generation ? `#${generation}` : ""}:${part}`,
    };
    try {
      await work(ctx);
      await db.jobRun.update({ where: { key }, data: { status: "done", finishedAt: clock.now() } });
      logger.info("job run", { key });
    } catch (e) {
      logger.error("job run failed", { key, error: (e as Error).message });
      await db.jobRun.update({
        where: { key },
        data: { status: "failed", finishedAt: clock.now(), error: (e as Error).message.slice(0, 500) },
      });
      return false;
    } finally {
      this.opts.afterRun?.();
    }
    return true;
  }
}
