// The digest's figures against a hand-computed week (SPEC §6), in both languages.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/core/db.ts";
import { translator } from "../../src/core/i18n/index.ts";
import { digestMessage } from "../../src/kpi/blocks.ts";
import { computeDigest, type Digest, importFigures, previousWeek } from "../../src/kpi/service.ts";
import { BACKENDS, freshDatabase } from "../kit/db.ts";

const ZONE = "Europe/Madrid";
const day = (s: string) => new Date(`${s}T00:00:00Z`);
const at = (s: string) => new Date(s); // instants written with their offset

describe.each(BACKENDS)("weekly KPI figures (%s)", (backend) => {
  let database: Database;
  let digest: Digest;
  const kpi = (key: string) => digest.kpis.find((k) => k.def.key === key);

  beforeAll(async () => {
    database = await freshDatabase(backend);
    const db = database.prisma;
    const people = ["UA", "UB", "UC", "UD", "UE", "UF", "UG"];
    await db.user.createMany({
      data: [...people.map((id) => ({ id, role: "staff" as const })), { id: "UT", role: "trainer" as const }],
    });
    const session = (
      title: string,
      startsAt: string,
      durationMin: number,
      status: "scheduled" | "cancelled" = "scheduled",
    ) =>
      db.trainingSession.create({
        data: {
          title,
          startsAt: at(startsAt),
          durationMin,
          status,
          channelId: "C1",
          trainerId: "UT",
          code: title.slice(0, 6).toUpperCase().padEnd(6, "X"),
          opensAt: at(startsAt),
          closesAt: at(startsAt),
        },
      });
    // The week of Monday 16 Nov 2026 (Madrid).
    const s1 = await session("S1", "2026-11-17T10:00:00+01:00", 60);
    const s2 = await session("S2", "2026-11-19T16:00:00+01:00", 120);
    const s3 = await session("S3", "2026-11-20T09:00:00+01:00", 60, "cancelled");
    // The week before: one session, 2 of 2 signed in.
    const s0 = await session("S0", "2026-11-10T10:00:00+01:00", 60);
    const yes = (sessionId: number, ids: string[]) =>
      db.rsvp.createMany({ data: ids.map((userId) => ({ sessionId, userId, attending: true })) });
    const signed = (sessionId: number, ids: string[]) =>
      db.signIn.createMany({ data: ids.map((userId) => ({ sessionId, userId, signedInAt: new Date(), late: false })) });
    await yes(s1.id, ["UA", "UB", "UC", "UD"]);
    await signed(s1.id, ["UA", "UB", "UC"]);
    await yes(s2.id, ["UA", "UE", "UG"]);
    await signed(s2.id, ["UA", "UE", "UF"]); // UF walked in without an RSVP
    await yes(s3.id, ["UB"]);
    await yes(s0.id, ["UA", "UB"]);
    await signed(s0.id, ["UA", "UB"]);
    await db.rating.createMany({
      data: [
        { sessionId: s1.id, userId: "UA", stars: 5 },
        { sessionId: s1.id, userId: "UB", stars: 4 },
        { sessionId: s2.id, userId: "UE", stars: 3 },
      ],
    });
    // Follow-ups: one closed on its due day (on time), one two days late.
    const hire = await db.newHire.create({ data: { userId: "UG", startDate: day("2026-10-19"), trainerId: "UT" } });
    await db.checkpoint.create({
      data: {
        newHireId: hire.id,
        day: 30,
        dueOn: day("2026-11-18"),
        state: "reached",
        closedAt: at("2026-11-18T17:00:00+01:00"),
      },
    });
    await db.checkpoint.create({
      data: {
        newHireId: hire.id,
        day: 31,
        dueOn: day("2026-11-19"),
        state: "reached",
        closedAt: at("2026-11-21T10:00:00+01:00"),
      },
    });
    // 3-month retention: two new hires whose day 90 falls in the 13 weeks up to Sunday 22 Nov;
    // one left before it (not retained), one stayed (retained) → 50 %.
    await db.user.createMany({ data: [{ id: "UH1" }, { id: "UH2" }] });
    await db.newHire.create({
      data: { userId: "UH1", startDate: day("2026-08-01"), trainerId: "UT", leftOn: day("2026-10-15") },
    });
    await db.newHire.create({ data: { userId: "UH2", startDate: day("2026-08-10"), trainerId: "UT" } });
    // FAQ: 4 questions, 3 answered; 2 of 3 votes helpful.
    await db.faqEntry.create({ data: { id: "f1", question: "q", answer: "a", tags: [], locale: "es" } });
    const q = (text: string, entryId: string | null) =>
      db.faqQuery.create({ data: { text, userId: "UA", entryId, createdAt: at("2026-11-18T12:00:00+01:00") } });
    const q1 = await q("uno", "f1");
    const q2 = await q("dos", "f1");
    await q("tres", "f1");
    await q("parking", null);
    await db.faqFeedback.createMany({
      data: [
        { queryId: q1.id, userId: "UA", helpful: true },
        { queryId: q2.id, userId: "UA", helpful: true },
        { queryId: q2.id, userId: "UB", helpful: false },
      ],
    });
    const imported = await importFigures(
      db,
      "week start,metric,value,target\n2026-11-18,premium_achievement,97.5,100\n2026-11-09,premium_achievement,92,100\n2026-11-16,persistency_13m,88.4,\n",
    );
    expect(imported).toEqual({ ok: true, rows: 3, weeks: 2 });
    const now = at("2026-11-23T08:00:00+01:00");
    expect(previousWeek(now, ZONE)).toEqual(day("2026-11-16"));
    digest = await computeDigest(db, ZONE, now, day("2026-11-16"));
  });
  afterAll(async () => database?.close());

  it("counts sessions held and plan completion (cancelled counted as scheduled)", () => {
    expect(kpi("sessions_held")?.value).toBe(2);
    expect(kpi("plan_completion")?.value).toBeCloseTo((100 * 2) / 3, 5);
  });

  it("computes attendance, hours per person and satisfaction", () => {
    expect(kpi("attendance_rate")?.value).toBeCloseTo((100 * 6) / 7, 5); // 6 sign-ins / 7 RSVP yes
    expect(kpi("attendance_rate")?.previous).toBe(100);
    expect(kpi("training_hours_per_person")?.value).toBeCloseTo((3 * 1 + 3 * 2) / 9, 5); // 9 h / 9 staff (7 + the 2 new hires)
    expect(kpi("satisfaction")).toMatchObject({ value: 4, n: 3 });
  });

  it("computes on-time follow-ups, 3-month retention and FAQ answered / helpful", () => {
    expect(kpi("followups_on_time")?.value).toBe(50);
    expect(kpi("retention_3m")).toMatchObject({ value: 50, n: 2 });
    expect(kpi("faq_asked")?.value).toBe(4);
    expect(kpi("faq_answered")?.value).toBe(75);
    expect(kpi("faq_helpful")?.value).toBeCloseTo((100 * 2) / 3, 5);
    expect(digest.topUnanswered).toEqual([["parking", 1]]);
  });

  it("shows imported figures with targets and an 8-week trend", () => {
    expect(kpi("premium_achievement")).toMatchObject({ value: 97.5, target: 100, previous: 92 });
    expect(kpi("premium_achievement")?.trend).toEqual([null, null, null, null, null, null, 92, 97.5]);
    expect(kpi("persistency_13m")?.value).toBe(88.4);
  });

  it("renders the digest in Spanish and in English", () => {
    const es = digestMessage(digest, translator("es"), "es", ZONE);
    expect(es.text).toContain("Asistencia (firmas / confirmados)* 85,7 %");
    expect(es.text).toContain("▼ -14,3 pts");
    expect(es.text).toContain("Cumplimiento de prima estándar* 97,5 % (obj. 100,0 %) ▲ +5,5 pts");
    const en = digestMessage(digest, translator("en"), "en", ZONE);
    expect(en.text).toContain("Attendance (sign-ins / RSVP yes)* 85.7 %");
    expect(en.text).toContain("Satisfaction with training* 4.0/5 · 3 ratings");
    expect(en.text).toContain("3-month retention* 50.0 %");
    expect(es.text).toContain("Retención a 3 meses* 50,0 %");
    expect(es.text).toContain("Seguimientos a tiempo* 50,0 %");
    expect(es.text).toContain("Preguntas respondidas* 75,0 %");
    expect(es.text).toContain("Horas de formación por persona* 1,0 h");
    expect(en.blocks.length).toBeLessThanOrEqual(50);
  });

  it("rejects a bad figures file whole, naming line and field", async () => {
    const before = await database.prisma.businessFigure.count();
    const result = await importFigures(
      database.prisma,
      "week start,metric,value,target\n2026-11-23,complaints,3,\n2026-13-01,complaints,x,\n",
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.map((e) => [e.line, e.field])).toEqual([
        [3, "week"],
        [3, "value"],
      ]);
    }
    expect(await database.prisma.businessFigure.count()).toBe(before);
  });

  it("replaces a week's value when it is imported again", async () => {
    await importFigures(database.prisma, "week start,metric,value,target\n2026-11-20,premium_achievement,99,100\n");
    const rows = await database.prisma.businessFigure.findMany({
      where: { metric: "premium_achievement", weekStart: day("2026-11-16") },
    });
    expect(rows.map((r) => r.value)).toEqual([99]);
  });
});
