// The scheduler's run coordinator with a moved clock (SPEC §7): runs at the cron time
// and not before, once per period across restarts and schedulers, make-up of a missed
// period (but never before the first start), retries of failed and crashed runs, forced
// re-runs with new message keys — on small jobs of our own and on the real follow-ups job.
import { DateTime } from "luxon";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Config, parseConfig } from "../../src/config.ts";
import { MovableClock } from "../../src/core/clock.ts";
import { type Database, openDatabase } from "../../src/core/db.ts";
import { createLogger } from "../../src/core/logger.ts";
import { Dispatcher, enqueue } from "../../src/core/outbox.ts";
import { type PeriodicJob, previousFire, type RunContext, Scheduler, type SweepJob } from "../../src/core/scheduler.ts";
import { SlackDouble } from "../../src/core/slack-double.ts";
import { followupJobs } from "../../src/followups/jobs.ts";
import { BACKENDS, freshDatabase } from "../kit/db.ts";

const ZONE = "Europe/Madrid";
/** Office time → instant. */
const madrid = (text: string) => DateTime.fromFormat(text, "yyyy-MM-dd HH:mm:ss.SSS", { zone: ZONE }).toJSDate();
const at = (text: string) => madrid(text.length === 16 ? `${text}:00.000` : text);
const logger = createLogger("error", () => {});

/** A weekly digest of our own: Mondays 08:00, one DM per run to UREADER (more when `extra`). */
function digestJob(log: RunContext[], opts: { fail?: (n: number) => boolean; extra?: boolean } = {}) {
  return (db: Database["prisma"], clock: MovableClock): PeriodicJob => ({
    name: "digest",
    cron: "0 8 * * 1",
    period: (when) => DateTime.fromJSDate(when, { zone: ZONE }).toFormat("kkkk-'W'WW"),
    async run(ctx) {
      log.push(ctx);
      await enqueue(db, clock, [
        {
          key: ctx.messageKey("dm:UREADER"),
          method: "chat.postMessage",
          channel: "UREADER",
          payload: { channel: "UREADER", text: "a" },
        },
      ]);
      if (opts.fail?.(log.length)) throw new Error(`digest broke (attempt ${log.length})`);
      if (opts.extra)
        await enqueue(db, clock, [
          {
            key: ctx.messageKey("dm:UOTHER"),
            method: "chat.postMessage",
            channel: "UOTHER",
            payload: { channel: "UOTHER", text: "b" },
          },
        ]);
    },
  });
}

describe("previousFire", () => {
  it("is the latest fire at or before now, in the office zone", () => {
    expect(previousFire("0 8 * * 1", at("2026-11-30 08:00"), ZONE)).toEqual(at("2026-11-30 08:00"));
    expect(previousFire("0 8 * * 1", at("2026-11-30 07:59:59.600"), ZONE)).toEqual(at("2026-11-23 08:00"));
    expect(previousFire("0 8 * * 1", at("2026-11-30 08:00:00.001"), ZONE)).toEqual(at("2026-11-30 08:00"));
    // 09:00 Madrid is 08:00 UTC in winter and 07:00 UTC in summer.
    expect(previousFire("0 9 * * *", new Date("2026-07-01T07:30:00Z"), ZONE)).toEqual(new Date("2026-07-01T07:00:00Z"));
    expect(previousFire("0 9 * * *", new Date("2026-12-01T07:30:00Z"), ZONE)).toEqual(new Date("2026-11-30T08:00:00Z"));
  });
});

describe.each(BACKENDS)("scheduler with a moved clock (%s)", (backend) => {
  let slack: SlackDouble;
  let config: Config;
  let database: Database;
  const extra: Database[] = [];
  let db: Database["prisma"];

  beforeAll(async () => {
    slack = await SlackDouble.start();
    config = parseConfig({
      SLACK_BOT_TOKEN: "xoxb-test",
      SLACK_SIGNING_SECRET: "s",
      SLACK_API_URL: slack.url,
      APP_TIMEZONE: ZONE,
    });
  });
  afterAll(async () => {
    await database?.close();
    await slack.close();
  });
  beforeEach(async () => {
    await database?.close();
    for (const d of extra.splice(0)) await d.close();
    database = await freshDatabase(backend);
    db = database.prisma;
    slack.reset();
  });

  const scheduler = (clock: MovableClock, on: Database["prisma"] = db) =>
    new Scheduler({ db: on, clock, logger, zone: ZONE });
  /** Another process's view of the same database (its own connections on PostgreSQL). */
  const otherConnection = async () => {
    if (backend === "embedded") return database;
    const d = await openDatabase(database.target);
    extra.push(d);
    return d;
  };
  const deliver = async (clock: MovableClock) =>
    new Dispatcher({ config, db, clock, logger, token: "xoxb-test", channelIntervalMs: 0 }).drain();
  const posted = (channel: string) =>
    slack.callsTo("chat.postMessage").filter((c) => !c.failed && c.args.channel === channel);
  const jobRun = (key: string) => db.jobRun.findUnique({ where: { key } });

  it("runs at the cron time, not a moment before, and once per period", async () => {
    const log: RunContext[] = [];
    const clock = new MovableClock(at("2026-11-29 12:00")); // first start: a Sunday
    const s = scheduler(clock);
    s.add(digestJob(log)(db, clock));
    expect(await s.runDue()).toEqual([]);

    clock.set(at("2026-11-30 07:59"));
    expect(await s.runDue()).toEqual([]);
    clock.set(at("2026-11-30 07:59:59.600"));
    expect(await s.runDue()).toEqual([]);
    expect(log).toHaveLength(0);

    clock.set(at("2026-11-30 08:00"));
    expect(await s.runDue()).toEqual(["digest:2026-W49"]);
    clock.set(at("2026-11-30 08:00:40.000"));
    expect(await s.runDue()).toEqual([]);
    clock.set(at("2026-12-06 23:59"));
    expect(await s.runDue()).toEqual([]);
    expect(log.map((c) => [c.key, c.period, c.scheduledAt])).toEqual([
      ["digest:2026-W49", "2026-W49", at("2026-11-30 08:00")],
    ]);

    clock.set(at("2026-12-07 08:01"));
    expect(await s.runDue()).toEqual(["digest:2026-W50"]);
    expect(
      await db.jobRun.findMany({ select: { key: true, status: true, attempts: true }, orderBy: { key: "asc" } }),
    ).toEqual([
      { key: "digest:2026-W49", status: "done", attempts: 1 },
      { key: "digest:2026-W50", status: "done", attempts: 1 },
    ]);
    await deliver(clock);
    expect(posted("UREADER")).toHaveLength(2);
  });

  it("on a fresh install does not make up a period before its first start", async () => {
    const log: RunContext[] = [];
    const clock = new MovableClock(at("2026-11-30 08:30")); // installed after Monday's 08:00
    const s = scheduler(clock);
    s.add(digestJob(log)(db, clock));
    expect(await s.runDue()).toEqual([]);
    // (the moved clock keeps running: a few milliseconds pass)
    const firstStart = new Date((await db.appState.findUniqueOrThrow({ where: { key: "firstStartedAt" } })).value);
    expect(firstStart.getTime() - at("2026-11-30 08:30").getTime()).toBeGreaterThanOrEqual(0);
    expect(firstStart.getTime() - at("2026-11-30 08:30").getTime()).toBeLessThan(5000);
    // Restarting later that week changes nothing: the first start stays.
    clock.set(at("2026-12-02 10:00"));
    const again = scheduler(clock);
    again.add(digestJob(log)(db, clock));
    expect(await again.runDue()).toEqual([]);
    expect(log).toHaveLength(0);
    expect(await db.jobRun.count()).toBe(0);
  });

  it("makes up a period missed while down once, however many times and places it restarts", async () => {
    const log: RunContext[] = [];
    const clock = new MovableClock(at("2026-11-29 12:00"));
    const first = scheduler(clock);
    first.add(digestJob(log)(db, clock));
    expect(await first.runDue()).toEqual([]);

    // Down over Monday 08:00; three processes come up on the same database at 11:15.
    clock.set(at("2026-11-30 11:15"));
    const others = [database, await otherConnection(), await otherConnection()];
    const restarted = others.map((d) => {
      const s = scheduler(clock, d.prisma);
      s.add(digestJob(log)(d.prisma, clock));
      return s;
    });
    const ran = await Promise.all(restarted.map((s) => s.runDue()));
    expect(ran.flat()).toEqual(["digest:2026-W49"]);
    expect(log).toHaveLength(1);
    expect(log[0]?.scheduledAt).toEqual(at("2026-11-30 08:00"));

    // And again, later.
    clock.set(at("2026-11-30 15:00"));
    const later = scheduler(clock);
    later.add(digestJob(log)(db, clock));
    expect(await later.runDue()).toEqual([]);
    await deliver(clock);
    expect(posted("UREADER")).toHaveLength(1);
    expect(await jobRun("digest:2026-W49")).toMatchObject({ status: "done", attempts: 1, generation: 0 });
  });

  it("retries a failed run on the next pass, without storing again what the failed attempt stored", async () => {
    const log: RunContext[] = [];
    const clock = new MovableClock(at("2026-11-29 12:00"));
    const s = scheduler(clock);
    s.add(digestJob(log, { fail: (n) => n === 1, extra: true })(db, clock));
    await s.firstStartedAt();

    clock.set(at("2026-11-30 08:00"));
    expect(await s.runDue()).toEqual([]);
    expect(await jobRun("digest:2026-W49")).toMatchObject({
      status: "failed",
      attempts: 1,
      error: "digest broke (attempt 1)",
    });
    // What the failed attempt stored may already have gone out.
    await deliver(clock);
    expect(posted("UREADER")).toHaveLength(1);

    clock.set(at("2026-11-30 08:01"));
    expect(await s.runDue()).toEqual(["digest:2026-W49"]);
    expect(await jobRun("digest:2026-W49")).toMatchObject({ status: "done", attempts: 2, error: null });
    clock.set(at("2026-11-30 08:02"));
    expect(await s.runDue()).toEqual([]);
    expect(log).toHaveLength(2);
    expect(log[1]?.messageKey("x")).toBe(log[0]?.messageKey("x"));

    await deliver(clock);
    expect(posted("UREADER")).toHaveLength(1);
    expect(posted("UOTHER")).toHaveLength(1);
  });

  it("gives up on a run that keeps failing after five attempts", async () => {
    const log: RunContext[] = [];
    const clock = new MovableClock(at("2026-11-29 12:00"));
    const s = scheduler(clock);
    s.add(digestJob(log, { fail: () => true })(db, clock));
    await s.firstStartedAt();
    for (let minute = 0; minute < 8; minute++) {
      clock.set(at(`2026-11-30 08:0${minute}`));
      expect(await s.runDue()).toEqual([]);
    }
    expect(log).toHaveLength(5);
    expect(await jobRun("digest:2026-W49")).toMatchObject({ status: "failed", attempts: 5 });
  });

  it("takes over a run left running by a crashed process once its lease has lapsed", async () => {
    const log: RunContext[] = [];
    const clock = new MovableClock(at("2026-11-29 12:00"));
    const s = scheduler(clock);
    s.add(digestJob(log)(db, clock));
    await s.firstStartedAt();
    clock.set(at("2026-11-30 08:00"));
    await db.jobRun.create({
      data: {
        key: "digest:2026-W49",
        job: "digest",
        status: "running",
        owner: "a-process-that-died",
        startedAt: clock.now(),
        leaseUntil: new Date(clock.now().getTime() + 10 * 60_000),
      },
    });
    clock.set(at("2026-11-30 08:09"));
    expect(await s.runDue()).toEqual([]);
    clock.set(at("2026-11-30 08:11"));
    expect(await s.runDue()).toEqual(["digest:2026-W49"]);
    expect(log).toHaveLength(1);
    expect(await jobRun("digest:2026-W49")).toMatchObject({ status: "done", owner: s.owner, attempts: 2 });
  });

  it("runNow does nothing for a period that ran, and with force runs it again with new message keys", async () => {
    const log: RunContext[] = [];
    const clock = new MovableClock(at("2026-11-29 12:00"));
    const s = scheduler(clock);
    s.add(digestJob(log)(db, clock));
    await s.firstStartedAt();
    clock.set(at("2026-11-30 09:00"));
    expect(await s.runDue()).toEqual(["digest:2026-W49"]);
    await deliver(clock);
    expect(posted("UREADER")).toHaveLength(1);

    const monday = at("2026-11-30 12:00");
    expect(await s.runNow("digest", monday)).toEqual({ key: "digest:2026-W49", ran: false });
    await deliver(clock);
    expect(posted("UREADER")).toHaveLength(1);

    expect(await s.runNow("digest", monday, true)).toEqual({ key: "digest:2026-W49", ran: true });
    expect(log.map((c) => c.messageKey("dm:UREADER"))).toEqual([
      "digest:2026-W49:dm:UREADER",
      "digest:2026-W49#1:dm:UREADER",
    ]);
    await deliver(clock);
    expect(posted("UREADER")).toHaveLength(2);
    expect(await s.runNow("digest", monday, true)).toEqual({ key: "digest:2026-W49", ran: true });
    expect(await s.runNow("digest", monday)).toEqual({ key: "digest:2026-W49", ran: false });
    await deliver(clock);
    expect(posted("UREADER")).toHaveLength(3);
    expect(await jobRun("digest:2026-W49")).toMatchObject({ status: "done", generation: 2 });
    // A forced run does not disturb the schedule: the next pass finds the period done.
    expect(await s.runDue()).toEqual([]);

    // Another week, asked for by date: runs once.
    expect(await s.runNow("digest", at("2026-11-24 10:00"))).toEqual({ key: "digest:2026-W48", ran: true });
    expect(await s.runNow("digest", at("2026-11-26 10:00"))).toEqual({ key: "digest:2026-W48", ran: false });
    await expect(s.runNow("nope", monday)).rejects.toThrow(/unknown job/);
  });

  it("runs a sweep's items once each, and one broken sweep does not stop the others", async () => {
    const clock = new MovableClock(at("2026-11-29 12:00"));
    const s = scheduler(clock);
    const firstStart = await s.firstStartedAt();
    clock.set(at("2026-12-01 10:00"));
    const ran: string[] = [];
    let items = ["1", "2"];
    const sweep: SweepJob = {
      name: "pings",
      async due(now, since) {
        expect(since).toEqual(firstStart);
        expect(now.getTime()).toBeGreaterThanOrEqual(at("2026-12-01 10:00").getTime());
        return items.map((id) => ({
          period: id,
          scheduledAt: now,
          run: async (ctx: RunContext) => void ran.push(ctx.key),
        }));
      },
    };
    const broken: SweepJob = {
      name: "broken",
      async due() {
        throw new Error("cannot list");
      },
    };
    s.add(broken);
    s.add(sweep);
    expect(await s.runDue()).toEqual(["pings:1", "pings:2"]);
    items = ["1", "2", "3"];
    expect(await s.runDue()).toEqual(["pings:3"]);
    expect(await s.runDue(["pings"])).toEqual([]);
    expect(ran).toEqual(["pings:1", "pings:2", "pings:3"]);
  });

  it("runs the real follow-ups job daily at 09:00 once, makes up a missed day, and re-sends only when forced", async () => {
    await db.newHire.create({
      data: {
        userId: "UHIRE",
        trainerId: "UTRAIN",
        startDate: new Date("2026-11-23T00:00:00Z"),
        checkpoints: { create: [{ day: 7, dueOn: new Date("2026-11-30T00:00:00Z") }] },
      },
    });
    const clock = new MovableClock(at("2026-11-29 12:00"));
    const s = scheduler(clock);
    for (const job of followupJobs({ config, db, clock })) s.add(job);
    expect(await s.runDue()).toEqual([]);

    clock.set(at("2026-11-30 08:59"));
    expect(await s.runDue()).toEqual([]);
    clock.set(at("2026-11-30 09:00"));
    expect(await s.runDue()).toEqual(["followups:2026-11-30"]);
    clock.set(at("2026-11-30 09:01"));
    expect(await s.runDue()).toEqual([]);
    await deliver(clock);
    expect(posted("UTRAIN")).toHaveLength(1);
    expect(JSON.stringify(posted("UTRAIN")[0]?.args.blocks)).toContain("UHIRE");

    // Down from Monday evening to Tuesday 10:30: Tuesday's run is made up once.
    clock.set(at("2026-12-01 10:30"));
    const restarted = scheduler(clock);
    for (const job of followupJobs({ config, db, clock })) restarted.add(job);
    expect(await restarted.runDue()).toEqual(["followups:2026-12-01"]);
    expect(await restarted.runDue()).toEqual([]);
    await deliver(clock);
    expect(posted("UTRAIN")).toHaveLength(2);

    expect((await restarted.runNow("followups", at("2026-12-01 12:00"))).ran).toBe(false);
    expect((await restarted.runNow("followups", at("2026-12-01 12:00"), true)).ran).toBe(true);
    await deliver(clock);
    expect(posted("UTRAIN")).toHaveLength(3);
    expect(
      (await db.outboxMessage.findMany({ where: { channel: "UTRAIN" }, orderBy: { id: "asc" } })).map((m) => m.key),
    ).toEqual(["followups:2026-11-30:dm:UTRAIN", "followups:2026-12-01:dm:UTRAIN", "followups:2026-12-01#1:dm:UTRAIN"]);
  });
});
