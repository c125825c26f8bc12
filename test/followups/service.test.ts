// Follow-up rules and KPI figures against a real database (embedded, and PostgreSQL with
// TEST_DATABASE_URL), with a fixed clock. Expected figures are worked out by hand in the comments.
import { DateTime } from "luxon";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { parseConfig } from "../../src/config.ts";
import { MovableClock } from "../../src/core/clock.ts";
import { addDays, dayString } from "../../src/core/days.ts";
import type { Database, Db } from "../../src/core/db.ts";
import { translator } from "../../src/core/i18n/index.ts";
import { createLogger } from "../../src/core/logger.ts";
import { Scheduler } from "../../src/core/scheduler.ts";
import { dueMessage, escalationMessage } from "../../src/followups/blocks.ts";
import { followupJobs } from "../../src/followups/jobs.ts";
import {
  type Actor,
  type CheckpointState,
  type DueCheckpoint,
  dueByTrainer,
  dueCheckpoints,
  followupsWindow,
  logFollowup,
  mayLog,
  recordLeft,
  registerNewHire,
  toEscalate,
} from "../../src/followups/service.ts";
import { BACKENDS, freshDatabase } from "../kit/db.ts";

const ZONE = "Europe/Madrid";
const DAYS = [7, 30, 60, 90];
const TRAINER: Actor = { id: "UTRAINER", role: "trainer" };
const ADMIN: Actor = { id: "UADMIN", role: "admin" };

/** A calendar day as stored (UTC midnight). */
const day = (text: string) => new Date(`${text}T00:00:00.000Z`);
/** Office time (Madrid) → instant. */
const madrid = (text: string) => DateTime.fromFormat(text, "yyyy-MM-dd HH:mm", { zone: ZONE }).toJSDate();

beforeAll(() => {
  // Date itself stands still, so a MovableClock set to an instant stays on it.
  vi.useFakeTimers({ toFake: ["Date"], now: new Date("2030-06-15T12:00:00.000Z") });
});
afterAll(() => {
  vi.useRealTimers();
});

describe("message limits (no database)", () => {
  const today = day("2026-12-01");
  const t = translator("en");
  const due = (n: number): DueCheckpoint[] =>
    Array.from({ length: n }, (_, i) => ({
      id: i + 1,
      newHireId: i + 1,
      day: 7,
      dueOn: day("2026-11-20"),
      state: "open",
      notes: null,
      closedAt: null,
      closedBy: null,
      newHire: {
        id: i + 1,
        userId: `UHIRE${i}`,
        startDate: day("2026-11-13"),
        trainerId: "UTRAINER",
        leftOn: null,
        createdAt: today,
        updatedAt: today,
      },
    }));

  it("keeps a long daily list within 50 blocks and says how many more there are", () => {
    const m = dueMessage(
      due(120),
      today,
      t,
      due(3).map((c) => ({ ...c, state: "reached" as const })),
    );
    expect(m.blocks).toHaveLength(50);
    // header, intro, 46 checkpoints, "more", the done section
    expect(m.blocks!.filter((b) => b.type === "section" && "accessory" in b && b.accessory)).toHaveLength(46);
    expect(JSON.stringify(m.blocks!.at(-2))).toContain("…and 74 more");
    expect(m.text.split("\n")).toHaveLength(1 + 40 + 1);
    expect(m.text).toContain("…and 80 more.");
    // Exactly what fits needs no "more" line: header, intro, 48 checkpoints.
    const fits = dueMessage(due(48), today, t);
    expect(fits.blocks).toHaveLength(50);
    expect(JSON.stringify(fits.blocks)).not.toContain("more");
  });

  it("keeps an escalation within one section and says how many more there are", () => {
    const m = escalationMessage(due(15_000), today, 7, t);
    const section = m.blocks[1] as { text: { text: string } };
    expect(section.text.text.length).toBeLessThanOrEqual(3000);
    expect(section.text.text.split("\n").at(-1)).toMatch(/^…and \d+ more\.$/);
    expect(m.text.length).toBeLessThan(4000);
  });
});

describe.each(BACKENDS)("follow-ups service on %s", (backend) => {
  let database: Database;
  let db: Db;
  const clock = new MovableClock();

  beforeAll(async () => {
    database = await freshDatabase(backend);
    db = database.prisma;
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await db.newHire.deleteMany();
    await db.user.deleteMany();
    await db.team.deleteMany();
    await db.outboxMessage.deleteMany();
    await db.jobRun.deleteMany();
  });

  /** A new hire written straight to the database, with checkpoints as given. */
  async function hire(
    userId: string,
    start: string,
    opts: {
      leftOn?: string;
      trainerId?: string;
      checkpoints?: { day: number; dueOn?: string; state?: CheckpointState; closedAt?: Date }[];
    } = {},
  ) {
    return db.newHire.create({
      data: {
        userId,
        startDate: day(start),
        trainerId: opts.trainerId ?? TRAINER.id,
        leftOn: opts.leftOn ? day(opts.leftOn) : null,
        checkpoints: {
          create: (opts.checkpoints ?? []).map((c) => ({
            day: c.day,
            dueOn: c.dueOn ? day(c.dueOn) : new Date(day(start).getTime() + c.day * 86_400_000),
            state: c.state ?? "open",
            closedAt: c.closedAt ?? null,
            closedBy: c.state && c.state !== "open" ? TRAINER.id : null,
          })),
        },
      },
      include: { checkpoints: true },
    });
  }

  // ---- registration ------------------------------------------------------------------------------

  describe("registerNewHire", () => {
    it("puts day 7 exactly on 27 Oct when the clocks go back on 25 Oct in between", async () => {
      clock.set(madrid("2026-10-20 10:00"));
      const result = await registerNewHire(db, clock, ZONE, TRAINER, {
        userId: "UANA",
        startDate: day("2026-10-20"),
        trainerId: TRAINER.id,
        days: DAYS,
      });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.value.updated).toBe(false);
      expect(result.value.hire.checkpoints.map((c) => [c.day, dayString(c.dueOn)])).toEqual([
        [7, "2026-10-27"],
        [30, "2026-11-19"],
        [60, "2026-12-19"],
        [90, "2027-01-18"],
      ]);
      const stored = await db.checkpoint.findFirstOrThrow({ where: { day: 7 } });
      expect(stored.dueOn).toEqual(new Date("2026-10-27T00:00:00.000Z"));
    });

    it("accepts 120 days back and 60 ahead, refuses one more either way, writing nothing", async () => {
      // 1 Mar 2026 in Madrid, at 00:30 (still 28 Feb in UTC): "today" is the office's day.
      clock.set(madrid("2026-03-01 00:30"));
      const input = (userId: string, start: string) => ({
        userId,
        startDate: day(start),
        trainerId: TRAINER.id,
        days: DAYS,
      });
      // 1 Mar − 120 days = 1 Nov 2025; 1 Mar + 60 days = 30 Apr 2026.
      expect(await registerNewHire(db, clock, ZONE, TRAINER, input("UA", "2025-10-31"))).toEqual({
        ok: false,
        key: "followups.error.startTooOld",
        vars: { days: 120 },
      });
      expect(await registerNewHire(db, clock, ZONE, TRAINER, input("UB", "2026-05-01"))).toEqual({
        ok: false,
        key: "followups.error.startTooFar",
        vars: { days: 60 },
      });
      expect(await db.newHire.count()).toBe(0);
      expect((await registerNewHire(db, clock, ZONE, TRAINER, input("UA", "2025-11-01"))).ok).toBe(true);
      expect((await registerNewHire(db, clock, ZONE, TRAINER, input("UB", "2026-04-30"))).ok).toBe(true);
      expect(await db.checkpoint.count()).toBe(8);
    });

    it("updates on a second registration: open checkpoints move, closed ones keep their history", async () => {
      clock.set(madrid("2026-11-20 10:00"));
      const input = (start: string) => ({ userId: "UANA", startDate: day(start), trainerId: TRAINER.id, days: DAYS });
      const first = await registerNewHire(db, clock, ZONE, TRAINER, input("2026-11-02"));
      if (!first.ok) throw new Error(first.key);
      const day7 = first.value.hire.checkpoints[0]!;
      await logFollowup(db, clock, ZONE, day7.id, TRAINER, "reached", "ok");
      const again = await registerNewHire(db, clock, ZONE, TRAINER, input("2026-11-04"));
      if (!again.ok) throw new Error(again.key);
      expect(again.value.updated).toBe(true);
      expect(again.value.hire.checkpoints.map((c) => [c.day, dayString(c.dueOn), c.state])).toEqual([
        [7, "2026-11-09", "reached"],
        [30, "2026-12-04", "open"],
        [60, "2027-01-03", "open"],
        [90, "2027-02-02", "open"],
      ]);
      expect(await db.newHire.count()).toBe(1);
      // Another trainer may not take the hire over; an admin may hand it on.
      const other = await registerNewHire(db, clock, ZONE, { id: "UOTHER", role: "trainer" }, input("2026-11-04"));
      expect(other).toMatchObject({ ok: false, key: "followups.error.notYourHire" });
      const handed = await registerNewHire(db, clock, ZONE, ADMIN, { ...input("2026-11-04"), trainerId: "UOTHER" });
      expect(handed.ok && handed.value.hire.trainerId).toBe("UOTHER");
    });
  });

  // ---- the daily run ------------------------------------------------------------------------------

  describe("the daily run across the October DST change", () => {
    function scheduler() {
      const config = parseConfig({ APP_TIMEZONE: ZONE, DEFAULT_LOCALE: "en" });
      const s = new Scheduler({ db, clock, logger: createLogger("error"), zone: ZONE });
      for (const job of followupJobs({ config, db, clock })) s.add(job);
      return s;
    }

    it("lists day 7 as due today at 09:00 Madrid on 27 Oct, and not on the 26th", async () => {
      const h = await hire("UANA", "2026-10-20", { checkpoints: [{ day: 7 }, { day: 30 }] });
      expect(dayString(h.checkpoints.find((c) => c.day === 7)!.dueOn)).toBe("2026-10-27");
      const s = scheduler();

      clock.set(madrid("2026-10-26 09:00"));
      expect(await s.runNow("followups", clock.now())).toEqual({ key: "followups:2026-10-26", ran: true });
      expect(await db.outboxMessage.count()).toBe(0);

      // 27 Oct 09:00 in Madrid is 08:00 UTC (winter time since the 25th).
      clock.set(madrid("2026-10-27 09:00"));
      expect(clock.now().toISOString()).toBe("2026-10-27T08:00:00.000Z");
      expect(await s.runNow("followups", clock.now())).toEqual({ key: "followups:2026-10-27", ran: true });
      const rows = await db.outboxMessage.findMany();
      expect(rows.map((r) => [r.key, r.channel, r.method])).toEqual([
        ["followups:2026-10-27:dm:UTRAINER", "UTRAINER", "chat.postMessage"],
      ]);
      const payload = rows[0]!.payload as { text: string };
      const id = h.checkpoints.find((c) => c.day === 7)!.id;
      expect(payload.text).toBe(
        `You have 1 new-hire follow-up due today or overdue:\n*#${id}* <@UANA> — day 7 (today)`,
      );
    });

    it("takes the office's day for the period, on either side of the change", () => {
      const [job] = followupJobs({ config: parseConfig({ APP_TIMEZONE: ZONE }), db, clock });
      // 00:30 in Madrid is still the previous day in UTC, in summer (UTC+2) and in winter (UTC+1).
      expect(job!.period(madrid("2026-10-25 00:30"))).toBe("2026-10-25");
      expect(madrid("2026-10-25 00:30").toISOString()).toBe("2026-10-24T22:30:00.000Z");
      expect(job!.period(madrid("2026-10-27 00:30"))).toBe("2026-10-27");
      expect(madrid("2026-10-27 00:30").toISOString()).toBe("2026-10-26T23:30:00.000Z");
      expect(job!.period(new Date("2026-10-26T23:29:59.999Z"))).toBe("2026-10-27");
      expect(job!.period(new Date("2026-10-26T22:59:59.999Z"))).toBe("2026-10-26");
    });
  });

  // ---- who may log, escalation -------------------------------------------------------------------------

  describe("mayLog and escalation", () => {
    it("lets the trainer, a manager of the trainer's or the new hire's team and an admin log; nobody else", async () => {
      await db.team.create({ data: { name: "Norte", manager: { create: { id: "UMGR", role: "manager" } } } });
      await db.team.create({ data: { name: "Sur", manager: { create: { id: "UMGR2", role: "manager" } } } });
      await db.team.create({ data: { name: "Este", manager: { create: { id: "UMGR3", role: "manager" } } } });
      const [norte, sur] = await Promise.all([
        db.team.findUniqueOrThrow({ where: { name: "Norte" } }),
        db.team.findUniqueOrThrow({ where: { name: "Sur" } }),
      ]);
      await db.user.create({ data: { id: TRAINER.id, role: "trainer", teamId: norte.id } });
      await db.user.create({ data: { id: "UANA", teamId: sur.id } });
      const h = await hire("UANA", "2026-11-02", { checkpoints: [{ day: 7 }] });
      const cp = { ...h.checkpoints[0]!, newHire: h };
      const cases: [Actor, boolean][] = [
        [TRAINER, true],
        [{ id: "UOTHER", role: "trainer" }, false],
        [{ id: "UMGR", role: "manager" }, true],
        [{ id: "UMGR2", role: "manager" }, true],
        [{ id: "UMGR3", role: "manager" }, false],
        [ADMIN, true],
        [{ id: "USTAFF", role: "staff" }, false],
      ];
      for (const [actor, expected] of cases)
        expect([actor.id, await mayLog(db, cp, actor)]).toEqual([actor.id, expected]);
    });

    it("escalates overdue by more than 7 days only", async () => {
      await hire("UA", "2026-11-01", { checkpoints: [{ day: 7, dueOn: "2026-11-13" }] });
      await hire("UB", "2026-11-01", { checkpoints: [{ day: 7, dueOn: "2026-11-12" }] });
      await hire("UC", "2026-11-01", { checkpoints: [{ day: 7, dueOn: "2026-11-20" }] });
      const today = day("2026-11-20");
      const due = await dueCheckpoints(db, today);
      expect(due.map((c) => c.newHire.userId)).toEqual(["UB", "UA", "UC"]);
      // 20 − 13 = 7 days: not escalated; 20 − 12 = 8 days: escalated.
      expect(toEscalate(due, today).map((c) => c.newHire.userId)).toEqual(["UB"]);
    });

    it("dueByTrainer counts everything due per trainer and returns only the oldest few", async () => {
      const today = day("2026-11-20");
      // UT1: due 1, 5, 12 (8 days late), 13 (7 days), 20 Nov (today); 21 Nov not yet; one closed.
      for (const [i, dueOn] of [
        "2026-11-01",
        "2026-11-05",
        "2026-11-12",
        "2026-11-13",
        "2026-11-20",
        "2026-11-21",
      ].entries())
        await hire(`UA${i}`, "2026-10-01", { trainerId: "UT1", checkpoints: [{ day: 7, dueOn }] });
      await hire("UA9", "2026-10-01", {
        trainerId: "UT1",
        checkpoints: [{ day: 7, dueOn: "2026-11-02", state: "reached", closedAt: madrid("2026-11-02 10:00") }],
      });
      // UT2: one due today. UT3: nothing due yet.
      await hire("UB0", "2026-11-13", { trainerId: "UT2", checkpoints: [{ day: 7 }] });
      await hire("UC0", "2026-11-20", { trainerId: "UT3", checkpoints: [{ day: 7 }] });
      const due = await dueByTrainer(db, today, 2);
      expect(
        due.map((d) => [d.trainerId, d.total, d.late, d.items.map((c) => [c.newHire.userId, dayString(c.dueOn)])]),
      ).toEqual([
        [
          "UT1",
          5,
          3,
          [
            ["UA0", "2026-11-01"],
            ["UA1", "2026-11-05"],
          ],
        ],
        ["UT2", 1, 0, [["UB0", "2026-11-20"]]],
      ]);
      // The rows are whole: the same as dueCheckpoints reads.
      const full = await dueCheckpoints(db, today, "UT1");
      expect((await dueByTrainer(db, today))[0]!.items).toEqual(full);
    });

    it("closes the open checkpoints as left, and an outcome 'left' records the leaving day", async () => {
      clock.set(madrid("2026-12-10 11:00"));
      const a = await hire("UA", "2026-11-02", {
        checkpoints: [{ day: 7, state: "reached", closedAt: madrid("2026-11-09 10:00") }, { day: 30 }, { day: 60 }],
      });
      expect(await recordLeft(db, clock, "UA", day("2026-12-01"), { id: "UOTHER", role: "trainer" })).toMatchObject({
        ok: false,
        key: "followups.error.notYourHire",
      });
      expect(await recordLeft(db, clock, "UA", day("2026-11-01"), TRAINER)).toEqual({
        ok: false,
        key: "followups.error.leftBeforeStart",
      });
      const left = await recordLeft(db, clock, "UA", day("2026-12-01"), TRAINER);
      expect(left.ok && left.value.checkpoints.map((c) => [c.day, c.state])).toEqual([
        [7, "reached"],
        [30, "left"],
        [60, "left"],
      ]);
      expect(left.ok && left.value.leftOn).toEqual(day("2026-12-01"));

      const b = await hire("UB", "2026-11-02", { checkpoints: [{ day: 30 }, { day: 60 }] });
      const logged = await logFollowup(db, clock, ZONE, b.checkpoints[0]!.id, ADMIN, "left", "se fue");
      expect(logged.kind).toBe("logged");
      const after = await db.newHire.findUniqueOrThrow({ where: { id: b.id }, include: { checkpoints: true } });
      expect(after.leftOn).toEqual(day("2026-12-10"));
      expect(after.checkpoints.map((c) => [c.day, c.state, c.closedBy])).toEqual([
        [30, "left", ADMIN.id],
        [60, "left", ADMIN.id],
      ]);
      expect(a.id).not.toBe(b.id);
    });
  });

  // ---- KPI figures (SPEC §6) -----------------------------------------------------------------------------

  /** The figures of the 7-day weeks starting `back` days before each day, from one followupsWindow call. */
  const weeksBefore = (days: string[], back: number) =>
    followupsWindow(
      db,
      ZONE,
      days.map((d) => addDays(day(d), -back)),
    );

  describe("followupsWindow: follow-ups on time", () => {
    it("counts the checkpoints due in [from, to) and those closed by their due day in office time", async () => {
      // The week Mon 2 Nov – Sun 8 Nov 2026 (Madrid is UTC+1).
      await hire("U01", "2026-10-26", {
        // due Mon 2 Nov, closed 23:30 that day in Madrid (22:30 UTC): on time
        checkpoints: [{ day: 7, state: "reached", closedAt: madrid("2026-11-02 23:30") }],
      });
      await hire("U02", "2026-10-26", {
        // due Mon 2 Nov, closed 00:30 on the 3rd in Madrid — still the 2nd in UTC: late
        checkpoints: [{ day: 7, dueOn: "2026-11-02", state: "reached", closedAt: madrid("2026-11-03 00:30") }],
      });
      await hire("U03", "2026-10-27", {
        // due Tue 3 Nov, closed early on 1 Nov: on time
        checkpoints: [{ day: 7, state: "not_reached", closedAt: madrid("2026-11-01 12:00") }],
      });
      await hire("U04", "2026-10-28", {
        // due Wed 4 Nov, closed Thu 5 Nov: late
        checkpoints: [{ day: 7, state: "reached", closedAt: madrid("2026-11-05 09:00") }],
      });
      // due Thu 5 Nov, still open: due, not on time
      await hire("U05", "2026-10-29", { checkpoints: [{ day: 7 }] });
      await hire("U06", "2026-10-02", {
        // day 37 due Sun 8 Nov (the last day of the week), closed that evening: on time
        checkpoints: [{ day: 37, state: "reached", closedAt: madrid("2026-11-08 21:00") }],
      });
      await hire("U07", "2026-10-03", {
        // due Mon 9 Nov: next week, not counted
        checkpoints: [{ day: 37, state: "reached", closedAt: madrid("2026-11-09 09:00") }],
      });
      await hire("U08", "2026-10-02", {
        // due Sun 1 Nov: last week, not counted
        checkpoints: [{ day: 30, state: "reached", closedAt: madrid("2026-11-01 09:00") }],
      });
      await hire("U09", "2026-10-30", {
        leftOn: "2026-11-04",
        // due Fri 6 Nov, but they left on the 4th: not due at all
        checkpoints: [{ day: 7, state: "left", closedAt: madrid("2026-11-04 10:00") }],
      });
      await hire("U10", "2026-10-29", {
        leftOn: "2026-11-07",
        // due Thu 5 Nov while still here, missed, closed as left on the 7th: due, not on time
        checkpoints: [{ day: 7, state: "left", closedAt: madrid("2026-11-07 10:00") }],
      });
      await hire("U11", "2026-10-30", {
        leftOn: "2026-11-06",
        // due Fri 6 Nov, logged that day with the outcome "left": due, on time
        checkpoints: [{ day: 7, state: "left", closedAt: madrid("2026-11-06 16:00") }],
      });
      // Counted: U01 U02 U03 U04 U05 U06 U10 U11 = 8; on time: U01 U03 U06 U11 = 4.
      // Across the month boundary, 29 Oct – 4 Nov: U03 (3 Nov) U01 U02 (2 Nov) U08 (1 Nov) U04 (4 Nov) = 5;
      // on time: U01 U03 U08 = 3. Nothing falls due 1–7 Dec.
      const weeks = await weeksBefore(["2026-11-02", "2026-10-29", "2026-12-01"], 0);
      expect(weeks.map(({ due, onTime }) => ({ due, onTime }))).toEqual([
        { due: 8, onTime: 4 },
        { due: 5, onTime: 3 },
        { due: 0, onTime: 0 },
      ]);
    });
  });

  describe("followupsWindow: overdue follow-ups, as the day after a week begins", () => {
    it("counts open checkpoints whose due day has passed", async () => {
      await hire("UA", "2026-11-02", {
        checkpoints: [
          { day: 7, dueOn: "2026-11-09" }, // open, 21 days late: overdue
          { day: 30, dueOn: "2026-11-29" }, // open, due yesterday: overdue
          { day: 60, dueOn: "2026-11-30" }, // open, due today: not yet overdue
          { day: 90, dueOn: "2026-12-01" }, // tomorrow
        ],
      });
      await hire("UB", "2026-10-01", {
        checkpoints: [
          { day: 7, state: "reached", closedAt: madrid("2026-10-09 10:00") }, // closed late: not open
          { day: 30, state: "not_reached", closedAt: madrid("2026-11-02 10:00") },
        ],
      });
      await hire("UC", "2026-10-01", { leftOn: "2026-10-20", checkpoints: [{ day: 30, state: "left" }] });
      // As 30 Nov, 1 Dec, 9 Nov and 10 Nov begin.
      const weeks = await weeksBefore(["2026-11-30", "2026-12-01", "2026-11-09", "2026-11-10"], 7);
      expect(weeks.map((w) => w.overdue)).toEqual([2, 3, 0, 1]);
    });

    it("counts a past day as it was then: checkpoints closed later were still overdue", async () => {
      await hire("UB", "2026-10-01", {
        checkpoints: [
          { day: 7, state: "reached", closedAt: madrid("2026-10-09 10:00") }, // due 8 Oct, closed on the 9th
          { day: 30, state: "not_reached", closedAt: madrid("2026-11-02 10:00") }, // due 31 Oct, closed 2 Nov
        ],
      });
      const weeks = await weeksBefore(["2026-10-09", "2026-10-10", "2026-11-01", "2026-11-02", "2026-11-03"], 7);
      expect(weeks.map((w) => w.overdue)).toEqual([1, 0, 1, 1, 0]);
    });
  });

  describe("followupsWindow: active new hires, on a week's last day", () => {
    it("counts those in days 0–89 who had not left by today", async () => {
      // today 1 Dec 2026; day 90 of a 2 Sep start is today.
      await hire("UA", "2026-09-02"); // day 90: no longer active
      await hire("UB", "2026-09-03"); // day 89: active
      await hire("UC", "2026-10-31"); // month boundary: active
      await hire("UD", "2026-11-01"); // active
      await hire("UE", "2026-12-01"); // starts today: active
      await hire("UF", "2026-12-02"); // starts tomorrow: not yet
      await hire("UG", "2026-11-01", { leftOn: "2026-11-20" }); // left: not active
      await hire("UH", "2026-11-01", { leftOn: "2026-12-01" }); // leaves today: not active
      await hire("UI", "2026-11-01", { leftOn: "2026-12-05" }); // leaving date ahead: still active today
      // 1 Dec: UB UC UD UE UI. A day later UB reaches day 90, UF starts, UI is still here: UC UD UE UF UI.
      // 5 Dec: UC UD UE UF.
      const weeks = await weeksBefore(["2026-12-01", "2026-12-02", "2026-12-05"], 6);
      expect(weeks.map((w) => w.active)).toEqual([5, 5, 4]);
    });
  });

  describe("followupsWindow: 3-month retention (SPEC §6), on a week's last day", () => {
    it("is the share of those whose day 90 fell in the last 13 weeks who had not left by then", async () => {
      // today Sun 27 Dec 2026. The 13 weeks are 28 Sep – 27 Dec (91 days), so starts 30 Jun – 28 Sep.
      await hire("UA", "2026-09-28"); // day 90 = 27 Dec (today, last day): in, retained
      await hire("UB", "2026-06-30", { leftOn: "2026-09-29" }); // day 90 = 28 Sep (first day): in; left day 91: retained
      await hire("UC", "2026-06-29"); // day 90 = 27 Sep: one day too early, out
      await hire("UD", "2026-09-29", { leftOn: "2026-11-28" }); // day 90 = 28 Dec: not yet, out (left on day 60)
      await hire("UE", "2026-08-01", { leftOn: "2026-10-29" }); // day 90 = 30 Oct; left day 89: in, not retained
      await hire("UF", "2026-08-31", { leftOn: "2026-11-29" }); // day 90 = 29 Nov; left ON day 90: in, not retained
      await hire("UG", "2026-09-01", { leftOn: "2026-12-01" }); // day 90 = 30 Nov; left day 91: in, retained
      await hire("UH", "2026-07-31"); // day 90 = 29 Oct (DST change on the way): in, retained
      await hire("UI", "2026-10-01", { leftOn: "2026-10-05" }); // day 90 = 30 Dec: out
      // cohort UA UB UE UF UG UH = 6; retained UA UB UG UH = 4.
      // A day later the window is 29 Sep – 28 Dec: UB drops out, UD comes in (left on day 60).
      // cohort UA UD UE UF UG UH = 6; retained UA UG UH = 3.
      // Early on, 1 Oct: window 3 Jul – 1 Oct holds day 90s 28 Sep (UB) and 27 Sep (UC). Starts 4 Apr – 3 Jul.
      const weeks = await weeksBefore(["2026-12-27", "2026-12-28", "2026-10-01", "2026-06-01"], 6);
      expect(weeks.map(({ cohort, retained }) => ({ cohort, retained }))).toEqual([
        { cohort: 6, retained: 4 },
        { cohort: 6, retained: 3 },
        { cohort: 2, retained: 2 },
        { cohort: 0, retained: 0 },
      ]);
    });
  });
});
