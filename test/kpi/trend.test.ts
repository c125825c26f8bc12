// The digest's 8-week trend (SPEC §6) over seeded weeks, office-wide and for a team: every
// week's figures as the week-by-week computation gave them, including the edges of a week
// in office time (a Sunday night, a Monday just after midnight, the October DST change).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/core/db.ts";
import { computeDigest, type Digest, importFigures } from "../../src/kpi/service.ts";
import { BACKENDS, freshDatabase } from "../kit/db.ts";

const ZONE = "Europe/Madrid";
const day = (s: string) => new Date(`${s}T00:00:00Z`);
const at = (s: string) => new Date(s); // instants written with their offset
/** Floats compared to 9 decimals: the same figure summed in another order may differ in the last bit. */
const round = (xs: (number | null)[] | undefined) => xs?.map((x) => (x === null ? null : Math.round(x * 1e9) / 1e9));

describe.each(BACKENDS)("the digest's 8-week trend (%s)", (backend) => {
  let database: Database;
  let office: Digest;
  let norte: Digest;
  const trend = (d: Digest, key: string) => round(d.kpis.find((k) => k.def.key === key)?.trend);
  const kpi = (d: Digest, key: string) => d.kpis.find((k) => k.def.key === key);

  beforeAll(async () => {
    database = await freshDatabase(backend);
    const db = database.prisma;
    // Six staff, three of them in Norte; the six new hires are staff too (12 in all).
    const team = await db.team.create({ data: { name: "Norte" } });
    await db.user.createMany({
      data: [
        ...["UA", "UB", "UC"].map((id) => ({ id, role: "staff" as const, teamId: team.id })),
        ...["UD", "UE", "UF"].map((id) => ({ id, role: "staff" as const })),
        ...["UH1", "UH2", "UH3", "UH4", "UH5", "UH6"].map((id) => ({ id, role: "staff" as const })),
        { id: "UT", role: "trainer" as const },
      ],
    });

    let n = 0;
    const session = async (
      startsAt: string,
      durationMin: number,
      status: "scheduled" | "cancelled",
      who: { yes?: string[]; signed?: string[]; stars?: [string, number][] },
    ) => {
      const s = await db.trainingSession.create({
        data: {
          title: `S${++n}`,
          startsAt: at(startsAt),
          durationMin,
          status,
          channelId: "C1",
          trainerId: "UT",
          code: `CODE${String(n).padStart(2, "0")}`,
          opensAt: at(startsAt),
          closesAt: at(startsAt),
        },
      });
      await db.rsvp.createMany({
        data: (who.yes ?? []).map((userId) => ({ sessionId: s.id, userId, attending: true })),
      });
      await db.signIn.createMany({
        data: (who.signed ?? []).map((userId) => ({ sessionId: s.id, userId, signedInAt: at(startsAt), late: false })),
      });
      await db.rating.createMany({
        data: (who.stars ?? []).map(([userId, stars]) => ({ sessionId: s.id, userId, stars })),
      });
    };
    // The eight weeks: Mondays 5, 12, 19, 26 Oct, 2, 9, 16, 23 Nov 2026 (Madrid; DST ends Sunday 25 Oct).
    await session("2026-10-04T23:50:00+02:00", 60, "scheduled", { yes: ["UA"], signed: ["UA"] }); // before the window
    await session("2026-10-05T00:15:00+02:00", 60, "scheduled", {
      yes: ["UA", "UB", "UC"],
      signed: ["UA", "UB"],
      stars: [["UA", 5]],
    });
    await session("2026-10-14T10:00:00+02:00", 90, "scheduled", {
      yes: ["UA", "UD", "UE"],
      signed: ["UA", "UD", "UE", "UF"],
      stars: [
        ["UD", 2],
        ["UE", 4],
      ],
    });
    await session("2026-10-15T10:00:00+02:00", 60, "cancelled", { yes: ["UB"] });
    // Sunday night after the clocks went back: still the week of 19 Oct.
    await session("2026-10-25T23:30:00+01:00", 30, "scheduled", {
      yes: ["UB", "UC"],
      signed: ["UB"],
      stars: [["UB", 3]],
    });
    // Monday 00:30 in Madrid, still Sunday in UTC: the week of 26 Oct.
    await session("2026-10-26T00:30:00+01:00", 120, "scheduled", {
      yes: ["UA", "UB", "UC", "UD"],
      signed: ["UA", "UB", "UC", "UD"],
      stars: [
        ["UA", 5],
        ["UC", 4],
      ],
    });
    // The week of 2 Nov: nothing. The week of 9 Nov: one session, cancelled.
    await session("2026-11-10T09:00:00+01:00", 60, "cancelled", { yes: ["UA"] });
    await session("2026-11-18T16:00:00+01:00", 60, "scheduled", {
      yes: ["UE", "UF"],
      signed: ["UE"],
      stars: [
        ["UE", 1],
        ["UF", 5],
      ],
    });
    await session("2026-11-24T10:00:00+01:00", 120, "scheduled", {
      yes: ["UA", "UB", "UE"],
      signed: ["UA", "UB", "UE", "UF"],
      stars: [
        ["UA", 4],
        ["UB", 5],
        ["UF", 3],
      ],
    });
    // Not over yet when the digest is computed: scheduled, not held.
    await session("2026-11-29T18:00:00+01:00", 60, "scheduled", { yes: ["UC"] });

    // New hires: [start, left] (day 90 = start + 90; leaving on day 90 counts as left).
    const hire = (userId: string, startDate: string, leftOn?: string) =>
      db.newHire.create({
        data: { userId, startDate: day(startDate), trainerId: "UT", leftOn: leftOn ? day(leftOn) : null },
      });
    const h1 = await hire("UH1", "2026-07-13"); // day 90 = Sunday 11 Oct
    const h2 = await hire("UH2", "2026-08-03", "2026-11-01"); // left on day 90
    const h3 = await hire("UH3", "2026-08-20", "2026-09-30");
    const h4 = await hire("UH4", "2026-10-14");
    const h5 = await hire("UH5", "2026-11-20", "2026-11-27");
    const h6 = await hire("UH6", "2026-05-01"); // day 90 = 30 Jul
    const checkpoint = (
      newHireId: number,
      dayNo: number,
      dueOn: string,
      state: "open" | "reached" | "not_reached",
      closedAt?: string,
    ) =>
      db.checkpoint.create({
        data: { newHireId, day: dayNo, dueOn: day(dueOn), state, closedAt: closedAt ? at(closedAt) : null },
      });
    await checkpoint(h4.id, 7, "2026-10-21", "reached", "2026-10-21T23:30:00+02:00"); // on time, late in the evening
    await checkpoint(h4.id, 12, "2026-10-25", "reached", "2026-10-26T00:30:00+01:00"); // a day late in Madrid, not in UTC
    await checkpoint(h2.id, 90, "2026-11-01", "open"); // left that day: still due
    await checkpoint(h3.id, 60, "2026-10-19", "open"); // left before it: not due, yet open
    await checkpoint(h1.id, 90, "2026-10-11", "not_reached", "2026-10-12T00:00:00+02:00"); // closed as Monday began
    await checkpoint(h5.id, 7, "2026-11-27", "reached", "2026-11-27T10:00:00+01:00");
    await checkpoint(h4.id, 30, "2026-11-13", "reached", "2026-11-12T09:00:00+01:00");
    await checkpoint(h4.id, 60, "2026-12-13", "open"); // not due yet
    await checkpoint(h6.id, 7, "2026-05-08", "reached", "2026-10-13T09:00:00+02:00"); // overdue for months, closed in the window
    await checkpoint(h6.id, 30, "2026-05-31", "open"); // overdue all along

    // FAQ questions.
    await db.faqEntry.create({ data: { id: "f1", question: "q", answer: "a", tags: [], locale: "es" } });
    const ask = async (text: string, entryId: string | null, createdAt: string, votes: [string, boolean][] = []) => {
      const q = await db.faqQuery.create({ data: { text, userId: "UA", entryId, createdAt: at(createdAt) } });
      await db.faqFeedback.createMany({ data: votes.map(([userId, helpful]) => ({ queryId: q.id, userId, helpful })) });
    };
    await ask("antes", null, "2026-10-04T23:59:00+02:00"); // before the window
    await ask("parking", null, "2026-10-05T00:10:00+02:00");
    await ask("uno", "f1", "2026-10-06T10:00:00+02:00", [["UA", false]]);
    await ask("dos", "f1", "2026-10-25T23:30:00+01:00", [["UB", true]]);
    await ask("vacaciones", null, "2026-10-26T00:10:00+01:00");
    await ask("parking", null, "2026-11-24T09:00:00+01:00");
    await ask("Vacaciones ", null, "2026-11-24T10:00:00+01:00");
    await ask("tres", "f1", "2026-11-25T10:00:00+01:00", [
      ["UA", true],
      ["UB", false],
    ]);
    await ask("bonus", null, "2026-11-26T10:00:00+01:00");
    await ask("cuatro", "f1", "2026-11-27T10:00:00+01:00", [["UC", true]]);
    await ask(" PARKING", null, "2026-11-29T23:30:00+01:00");

    const imported = await importFigures(
      db,
      [
        "week start,metric,value,target,team",
        "2026-09-28,premium_achievement,50,100,", // before the window
        "2026-10-05,premium_achievement,90,100,",
        "2026-11-16,premium_achievement,95,100,",
        "2026-11-23,premium_achievement,97,100,",
        "2026-11-23,premium_achievement,104,110,Norte",
        "2026-11-10,nps,35,,Norte",
        "2026-11-23,nps,40,,",
        "",
      ].join("\n"),
    );
    expect(imported.ok).toBe(true);
    const now = at("2026-11-29T12:00:00+01:00");
    office = await computeDigest(db, ZONE, now, day("2026-11-23"));
    norte = await computeDigest(db, ZONE, now, day("2026-11-23"), "Norte");
  });
  afterAll(async () => database?.close());

  // Weeks: 5 Oct, 12 Oct, 19 Oct, 26 Oct, 2 Nov, 9 Nov, 16 Nov, 23 Nov (12 staff office-wide, 3 in Norte).
  it("counts sessions held and plan completion week by week, at the edges of each week in Madrid", () => {
    expect(trend(office, "sessions_held")).toEqual([1, 1, 1, 1, 0, 0, 1, 1]);
    expect(trend(office, "plan_completion")).toEqual([100, 50, 100, 100, null, 0, 100, 50]);
  });

  it("computes attendance, hours per person and satisfaction week by week", () => {
    expect(trend(office, "attendance_rate")).toEqual(
      round([(100 * 2) / 3, (100 * 4) / 3, 50, 100, null, null, 50, (100 * 4) / 3]),
    );
    expect(trend(office, "training_hours_per_person")).toEqual(
      round([2 / 12, 6 / 12, 0.5 / 12, 8 / 12, 0, 0, 1 / 12, 8 / 12]),
    );
    expect(trend(office, "satisfaction")).toEqual([5, 3, 3, 4.5, null, null, 3, 4]);
    expect(kpi(office, "satisfaction")?.n).toBe(3);
  });

  it("computes active new hires, follow-ups on time, overdue follow-ups and retention week by week", () => {
    expect(trend(office, "new_hires_active")).toEqual([1, 2, 2, 1, 1, 1, 2, 1]);
    expect(trend(office, "followups_on_time")).toEqual([0, null, 50, 0, null, 100, null, 100]);
    expect(kpi(office, "followups_on_time")?.n).toBe(1);
    expect(trend(office, "overdue_followups")).toEqual([3, 1, 3, 3, 3, 3, 3, 3]);
    expect(trend(office, "retention_3m")).toEqual(round([100, 100, 100, 50, 50, 50, 100 / 3, 100 / 3]));
    expect(kpi(office, "retention_3m")?.n).toBe(3);
  });

  it("computes FAQ figures week by week and the last week's top unanswered", () => {
    expect(trend(office, "faq_asked")).toEqual([2, 0, 1, 1, 0, 0, 0, 6]);
    expect(trend(office, "faq_answered")).toEqual(round([50, null, 100, 0, null, null, null, 100 / 3]));
    expect(trend(office, "faq_helpful")).toEqual(round([0, null, 100, null, null, null, null, (100 * 2) / 3]));
    expect(kpi(office, "faq_helpful")?.n).toBe(3);
    expect(office.topUnanswered).toEqual([
      ["parking", 2],
      ["vacaciones", 1],
      ["bonus", 1],
    ]);
  });

  it("takes imported figures of the window only, with this week's target", () => {
    expect(kpi(office, "premium_achievement")).toMatchObject({
      trend: [90, null, null, null, null, null, 95, 97],
      value: 97,
      previous: 95,
      target: 100,
    });
    expect(kpi(office, "nps")?.trend).toEqual([null, null, null, null, null, null, null, 40]);
    expect(office.kpis.map((k) => k.def.key).slice(-2)).toEqual(["premium_achievement", "nps"]);
  });

  it("counts a team's people only, and prefers the team's own imported figures", () => {
    expect(trend(norte, "sessions_held")).toEqual([1, 1, 1, 1, 0, 0, 1, 1]);
    expect(trend(norte, "attendance_rate")).toEqual(round([(100 * 2) / 3, 100, 50, 100, null, null, null, 100]));
    expect(trend(norte, "training_hours_per_person")).toEqual(round([2 / 3, 1.5 / 3, 0.5 / 3, 6 / 3, 0, 0, 0, 4 / 3]));
    expect(trend(norte, "satisfaction")).toEqual([5, null, 3, 4.5, null, null, null, 4.5]);
    expect(kpi(norte, "satisfaction")?.n).toBe(2);
    expect(trend(norte, "retention_3m")).toEqual(trend(office, "retention_3m"));
    expect(kpi(norte, "premium_achievement")).toMatchObject({
      trend: [90, null, null, null, null, null, 95, 104],
      target: 110,
    });
    expect(kpi(norte, "nps")?.trend).toEqual([null, null, null, null, null, 35, null, 40]);
  });
});
