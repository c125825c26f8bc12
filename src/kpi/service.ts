// The weekly KPI digest's figures (SPEC §6): computed from capacita's own data and
// from imported business figures, for a week (Monday–Sunday, office time), with the
// previous week and an 8-week trend. Queries are per digest, never per week or per row.
import { parse } from "csv-parse/sync";
import { z } from "zod";
import { addDays, dayStart, dayString, officeDay, parseDay } from "../core/days.ts";
import type { Db } from "../core/db.ts";
import { withoutNul } from "../core/parse.ts";
import { type FaqWeek, faqWindow } from "../faq/service.ts";
import { type FollowupWeek, followupsWindow } from "../followups/service.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { CATALOGUE, defFor, type KpiDef } from "./catalogue.ts";

export const TREND_WEEKS = 8;

/** Monday of the week a day falls in. */
export function weekOf(day: Date): Date {
  const dow = (day.getUTCDay() + 6) % 7; // Monday = 0
  return addDays(day, -dow);
}

/** The week a digest run on `now` reports: the previous full week. */
export function previousWeek(now: Date, zone: string): Date {
  return addDays(weekOf(officeDay(now, zone)), -7);
}

export interface KpiValue {
  def: KpiDef;
  value: number | null;
  target: number | null;
  previous: number | null;
  /** oldest → this week */
  trend: (number | null)[];
  /** how many things the value is made of, where that matters (ratings, cohort) */
  n?: number;
}

export interface Digest {
  weekStart: Date;
  team: string | null;
  kpis: KpiValue[];
  topUnanswered: [string, number][];
}

const pct = (a: number, b: number) => (b > 0 ? (100 * a) / b : null);

// The digest reads each data set once for its 8 weeks and splits it by week in memory: a
// handful of queries per digest, whatever the window. Follow-ups and the FAQ do the same in
// their own services (followupsWindow, faqWindow); the training figures are split here.

/** Only the people of `team` (by name), where a team is asked for. */
const ofTeam = (col: Prisma.Sql, team: string | null) =>
  team
    ? Prisma.sql`AND ${col} IN (SELECT u.id FROM "User" u JOIN "Team" t ON t.id = u."teamId" WHERE t.name = ${team})`
    : Prisma.empty;

interface SessionRow {
  startsAt: Date;
  durationMin: number;
  status: string;
  signIns: number;
  yes: number;
  ratings: number;
  stars: number;
}

/** Per-session counts for the range, in one query. */
function sessionRows(db: Db, from: Date, to: Date, team: string | null): Promise<SessionRow[]> {
  const who = (col: Prisma.Sql) => ofTeam(col, team);
  return db.$queryRaw<SessionRow[]>`
    SELECT s."startsAt", s."durationMin", s.status::text AS status,
      (SELECT count(*)::int FROM "SignIn" si WHERE si."sessionId" = s.id ${who(Prisma.sql`si."userId"`)}) AS "signIns",
      (SELECT count(*)::int FROM "Rsvp" r WHERE r."sessionId" = s.id AND r.attending ${who(Prisma.sql`r."userId"`)}) AS yes,
      (SELECT count(*)::int FROM "Rating" ra WHERE ra."sessionId" = s.id ${who(Prisma.sql`ra."userId"`)}) AS ratings,
      (SELECT coalesce(sum(ra.stars), 0)::int FROM "Rating" ra WHERE ra."sessionId" = s.id ${who(Prisma.sql`ra."userId"`)}) AS stars
    FROM "TrainingSession" s
    WHERE s."startsAt" >= ${from}::timestamp AND s."startsAt" < ${to}::timestamp`;
}

export async function computeDigest(
  db: Db,
  zone: string,
  now: Date,
  weekStart: Date,
  team: string | null = null,
): Promise<Digest> {
  const weeks = Array.from({ length: TREND_WEEKS }, (_, i) => addDays(weekStart, (i - TREND_WEEKS + 1) * 7));
  const bounds = weeks.map((w) => ({ w, from: dayStart(w, zone), to: dayStart(addDays(w, 7), zone) }));
  const first = bounds[0] as (typeof bounds)[number];
  const last = bounds.at(-1) as (typeof bounds)[number];

  const [sessions, staff, figures, followups, faq] = await Promise.all([
    sessionRows(db, first.from, last.to, team),
    db.user.count({ where: { role: "staff", ...(team ? { team: { name: team } } : {}) } }),
    db.businessFigure.findMany({
      where: { weekStart: { gte: first.w, lte: last.w }, team: { in: team ? [team, ""] : [""] } },
    }),
    followupsWindow(db, zone, weeks),
    faqWindow(db, zone, weeks),
  ]);

  type Series = { values: (number | null)[]; targets: (number | null)[]; n?: number };
  const series = new Map<string, Series>();
  const put = (key: string, i: number, value: number | null, target: number | null = null, n?: number) => {
    const s: Series = series.get(key) ?? {
      values: Array(TREND_WEEKS).fill(null),
      targets: Array(TREND_WEEKS).fill(null),
    };
    s.values[i] = value;
    s.targets[i] = target;
    if (i === TREND_WEEKS - 1 && n !== undefined) s.n = n;
    series.set(key, s);
  };

  for (const [i, b] of bounds.entries()) {
    const inWeek = sessions.filter((s) => s.startsAt >= b.from && s.startsAt < b.to);
    const held = inWeek.filter(
      (s) => s.status === "scheduled" && s.startsAt.getTime() + s.durationMin * 60_000 <= now.getTime(),
    );
    const signIns = held.reduce((a, s) => a + s.signIns, 0);
    const yes = held.reduce((a, s) => a + s.yes, 0);
    const hours = held.reduce((a, s) => a + (s.signIns * s.durationMin) / 60, 0);
    const ratings = held.reduce((a, s) => a + s.ratings, 0);
    const stars = held.reduce((a, s) => a + s.stars, 0);
    put("sessions_held", i, held.length);
    put("plan_completion", i, pct(held.length, inWeek.length));
    put("attendance_rate", i, pct(signIns, yes));
    put("training_hours_per_person", i, staff > 0 ? hours / staff : null);
    put("satisfaction", i, ratings > 0 ? stars / ratings : null, null, ratings);

    // New hires and follow-ups, as of the week's last day.
    const f = followups[i] as FollowupWeek;
    put("new_hires_active", i, f.active);
    put("followups_on_time", i, pct(f.onTime, f.due), null, f.due);
    put("overdue_followups", i, f.overdue);
    put("retention_3m", i, pct(f.retained, f.cohort), null, f.cohort);
    const q = faq[i] as FaqWeek;
    put("faq_asked", i, q.asked);
    put("faq_answered", i, pct(q.answered, q.asked));
    put("faq_helpful", i, pct(q.helpful, q.rated), null, q.rated);
  }

  // Imported figures: the team's own where it has them, else the office's.
  for (const [i, b] of bounds.entries()) {
    const week = figures.filter((f) => f.weekStart.getTime() === b.w.getTime());
    const metrics = new Set(week.map((f) => f.metric));
    for (const metric of metrics) {
      const f =
        week.find((x) => x.metric === metric && x.team === (team ?? "")) ??
        week.find((x) => x.metric === metric && x.team === "");
      if (f) put(metric, i, f.value, f.target);
    }
  }

  const order = [
    ...CATALOGUE.map((k) => k.key),
    ...[...series.keys()].filter((k) => !CATALOGUE.some((c) => c.key === k)).sort(),
  ];
  const kpis: KpiValue[] = [];
  for (const key of order) {
    const s = series.get(key);
    if (!s) continue;
    kpis.push({
      def: defFor(key),
      value: s.values.at(-1) ?? null,
      previous: s.values.at(-2) ?? null,
      target: s.targets.at(-1) ?? null,
      trend: s.values,
      n: s.n,
    });
  }
  return { weekStart, team, kpis, topUnanswered: faq.at(-1)?.topUnanswered ?? [] };
}

// Business figures import (SPEC §6): week start, metric, value, target, optional team.

const number = (key: string) =>
  z
    .string()
    .trim()
    .transform((s) => s.replace(",", "."))
    .pipe(z.string().regex(/^-?\d+(\.\d+)?$/, key))
    .transform(Number)
    .pipe(z.number().finite(key));

const figureRow = withoutNul(
  z.object({
    week: z.string().transform((s, ctx) => {
      const d = parseDay(s);
      if (d) return weekOf(d);
      ctx.addIssue({ code: "custom", message: "a date YYYY-MM-DD" });
      return z.NEVER;
    }),
    metric: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9_]{1,60}$/, "a metric name of letters, digits and _ (e.g. persistency_13m)"),
    value: number("a number such as 97.5"),
    target: z
      .string()
      .optional()
      .transform((s) => s?.trim() || undefined)
      .pipe(number("a number such as 100 (or empty)").optional()),
    team: z
      .string()
      .optional()
      .transform((s) => s?.trim() ?? "")
      .pipe(z.string().max(60, "a team name up to 60 characters")),
  }),
  "no NUL control characters",
);

export interface FigureError {
  line: number;
  field: string;
  message: string;
}

const COLUMNS = new Map<string, string>(
  Object.entries({
    "week start": "week",
    week_start: "week",
    week: "week",
    semana: "week",
    metric: "metric",
    métrica: "metric",
    value: "value",
    valor: "value",
    target: "target",
    objetivo: "target",
    team: "team",
    equipo: "team",
  }),
);

/** All or nothing; a week re-imported replaces that week's values (per metric and team). */
export async function importFigures(
  db: Db,
  text: string,
  onProgress?: (done: number, total: number) => void,
): Promise<{ ok: true; rows: number; weeks: number } | { ok: false; errors: FigureError[] }> {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, {
      columns: (h: string[]) => h.map((c) => COLUMNS.get(c.trim().toLowerCase()) ?? c.trim().toLowerCase()),
      bom: true,
      skip_empty_lines: true,
      info: true,
    });
  } catch (e) {
    const err = e as { lines?: number; message: string };
    return { ok: false, errors: [{ line: err.lines ?? 0, field: "file", message: err.message }] };
  }
  const errors: FigureError[] = [];
  const rows: z.infer<typeof figureRow>[] = [];
  const seen = new Set<string>();
  for (const { record, info } of records) {
    const parsed = figureRow.safeParse(record);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0] ?? "row");
        errors.push({
          line: info.lines,
          field,
          message: `expected ${issue.message}${record[field] !== undefined ? `, got "${record[field]}"` : ""}`,
        });
      }
      continue;
    }
    const key = `${dayString(parsed.data.week)}|${parsed.data.metric}|${parsed.data.team}`;
    if (seen.has(key))
      errors.push({
        line: info.lines,
        field: "metric",
        message: "the same week, metric and team appear twice in the file",
      });
    seen.add(key);
    rows.push(parsed.data);
  }
  if (errors.length) return { ok: false, errors };
  await db.$transaction(
    async (tx) => {
      for (let i = 0; i < rows.length; i += 500) {
        const chunk = rows.slice(i, i + 500);
        for (const r of chunk) {
          await tx.businessFigure.upsert({
            where: { weekStart_metric_team: { weekStart: r.week, metric: r.metric, team: r.team } },
            create: { weekStart: r.week, metric: r.metric, team: r.team, value: r.value, target: r.target ?? null },
            update: { value: r.value, target: r.target ?? null },
          });
        }
        onProgress?.(Math.min(i + 500, rows.length), rows.length);
      }
    },
    { timeout: 120_000 },
  );
  return { ok: true, rows: rows.length, weeks: new Set(rows.map((r) => dayString(r.week))).size };
}

export async function subscribe(db: Db, channelId: string, by: string): Promise<boolean> {
  const { count } = await db.digestSubscription.createMany({
    data: [{ channelId, createdBy: by }],
    skipDuplicates: true,
  });
  return count === 1;
}

export async function unsubscribe(db: Db, channelId: string): Promise<boolean> {
  const { count } = await db.digestSubscription.deleteMany({ where: { channelId } });
  return count === 1;
}

export async function subscriptions(db: Db): Promise<string[]> {
  return (await db.digestSubscription.findMany({ orderBy: { channelId: "asc" } })).map((s) => s.channelId);
}

/** Managers and the team each manages (office-wide digest for managers without a team). */
export async function managers(db: Db): Promise<{ id: string; team: string | null }[]> {
  const people = await db.user.findMany({
    where: { role: "manager" },
    select: { id: true, manages: { select: { name: true } } },
  });
  return people.map((p) => ({ id: p.id, team: p.manages[0]?.name ?? null }));
}
