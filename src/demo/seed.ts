// The demo data (SPEC §8 `db seed`, §9 the console's first start): people of every role, a year of
// sessions, new hires, FAQ entries and business figures, so every command has something to show.

import { readFile } from "node:fs/promises";
import type { Clock } from "../core/clock.ts";
import { addDays, dayString, officeDay } from "../core/days.ts";
import type { Db } from "../core/db.ts";
import type { Role } from "../core/roles.ts";
import { importCsv } from "../faq/service.ts";
import { weekOf } from "../kpi/service.ts";
import { savePeople, setTeam, setTeamManager } from "../people/service.ts";

export interface DemoPerson {
  id: string;
  name: string;
  realName: string;
  role: Role;
  locale: string;
  team?: string;
}

export const DEMO_PEOPLE: DemoPerson[] = [
  { id: "UANA", name: "ana", realName: "Ana Martín", role: "admin", locale: "es-ES" },
  { id: "ULUIS", name: "luis", realName: "Luis García", role: "trainer", locale: "es-ES", team: "Norte" },
  { id: "UMARTA", name: "marta", realName: "Marta López", role: "manager", locale: "es-ES", team: "Norte" },
  { id: "UPEDRO", name: "pedro", realName: "Pedro Sánchez", role: "staff", locale: "es-ES", team: "Norte" },
  { id: "USOFIA", name: "sofia", realName: "Sofía Ruiz", role: "staff", locale: "es-ES", team: "Norte" },
  { id: "UJOHN", name: "john", realName: "John Smith", role: "staff", locale: "en-US", team: "Sur" },
];

export const DEMO_CHANNELS = [
  { id: "CFORMACION", name: "formacion" },
  { id: "CGENERAL", name: "general" },
  { id: "CDIRECCION", name: "direccion" },
];

/** What a database holds, by kind: what `seedDemo` reports and what makes a database not empty. */
export interface Holdings {
  people: number;
  sessions: number;
  newHires: number;
  faqEntries: number;
  figures: number;
}

export type SeedOutcome =
  | { kind: "seeded"; holdings: Holdings }
  /** The demo data is there already (the console's first start, or an earlier `db seed`). */
  | { kind: "present" }
  /** The database holds other data: demo records must never mix with real ones. */
  | { kind: "occupied"; holdings: Holdings };

/** Written in the same transaction as all the demo people and activity: there, the demo is complete. */
const MARKER = "UDEMO01";
/** The demo FAQ's ids: `faq.csv` keeps them, so importing it again updates rather than adds. */
const DEMO_FAQ_IDS = { startsWith: "demo-" };

const seededAlready = async (db: Db) => (await db.user.count({ where: { id: MARKER } })) > 0;

const holdings = async (db: Db, exceptDemoFaq = false): Promise<Holdings> => ({
  people: await db.user.count(),
  sessions: await db.trainingSession.count(),
  newHires: await db.newHire.count(),
  faqEntries: await db.faqEntry.count(exceptDemoFaq ? { where: { NOT: { id: DEMO_FAQ_IDS } } } : undefined),
  figures: await db.businessFigure.count(),
});

/**
 * Seeds the demo data into an empty database, once: on a database that has it already, or that
 * holds anything else, it changes nothing and says which.
 */
export async function seedDemo(db: Db, clock: Clock, zone: string): Promise<SeedOutcome> {
  // Demo FAQ entries alone are what a seed cut short leaves: seeding again imports them over themselves.
  const before = await holdings(db, true);
  // The marker is read after the counts: data a concurrent seed committed in between is known as the demo.
  if (Object.values(before).some((n) => n > 0))
    return (await seededAlready(db)) ? { kind: "present" } : { kind: "occupied", holdings: before };
  const faq = await importCsv(db, await readFile(new URL("./faq.csv", import.meta.url), "utf8"));
  if (!faq.ok) throw new Error(`src/demo/faq.csv: ${JSON.stringify(faq.errors.slice(0, 3))}`);
  const seeded = await db.$transaction(
    async (tx) => {
      // Two seeds at once (a CLI beside a console on PostgreSQL): the second waits, then finds the marker.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('capacita:demo-seed'))`;
      const db = tx as unknown as Db;
      if (await seededAlready(db)) return false;
      await savePeople(
        db,
        clock,
        DEMO_PEOPLE.map((p) => ({
          id: p.id,
          profile: { name: p.name, realName: p.realName, locale: p.locale, tz: zone },
        })),
      );
      for (const person of DEMO_PEOPLE) {
        // Seeding is nobody's action: set the role directly (setRole's last-admin guard would refuse self-demotion).
        await db.user.update({ where: { id: person.id }, data: { role: person.role } });
        if (person.team) await setTeam(db, person.id, person.team);
        if (person.role === "manager" && person.team) await setTeamManager(db, clock, person.team, person.id);
      }
      await seedActivity(db, clock.now(), zone);
      return true;
    },
    { timeout: 120_000 },
  );
  return seeded ? { kind: "seeded", holdings: await holdings(db) } : { kind: "present" };
}

/**
 * A year of plausible activity so every command has something to show: 40 more
 * staff in two teams, three sessions a week with RSVPs, sign-ins and ratings, a
 * session open for sign-in right now, new hires at every stage, business figures.
 */
async function seedActivity(db: Db, now: Date, zone: string): Promise<void> {
  const today = officeDay(now, zone);
  const monday = weekOf(today);
  await db.$executeRawUnsafe(`
    INSERT INTO "User" (id, name, "realName", role, locale, "updatedAt", "teamId")
    SELECT 'UDEMO' || lpad(g::text, 2, '0'), 'demo' || g, 'Comercial ' || g, 'staff', 'es-ES', now(),
           (SELECT id FROM "Team" WHERE name = CASE WHEN g % 2 = 0 THEN 'Norte' ELSE 'Sur' END)
    FROM generate_series(1, 40) g
    ON CONFLICT DO NOTHING`);
  await db.team.upsert({ where: { name: "Sur" }, create: { name: "Sur" }, update: {} });
  // Three past sessions a week for a year, by the demo trainer.
  await db.$executeRawUnsafe(`
    INSERT INTO "TrainingSession" (title, kind, "startsAt", "durationMin", "channelId", "trainerId", status, code, "opensAt", "closesAt", place, "noticeTs", "updatedAt")
    SELECT (ARRAY['Producto Vida Ahorro', 'Técnicas de venta', 'Formación inicial', 'Salud: novedades', 'Cierre de ventas'])[1 + g % 5],
           (ARRAY['product', 'sales-skills', 'induction', 'product', 'sales-skills'])[1 + g % 5]::"SessionKind",
           t, 90, 'CFORMACION', 'ULUIS', CASE WHEN g % 17 = 0 THEN 'cancelled' ELSE 'scheduled' END::"SessionStatus",
           'D' || lpad(g::text, 5, '0'), t - interval '15 min', t + interval '120 min', 'Sala 2', NULL, now()
    FROM (SELECT g, timestamp '${dayString(addDays(monday, -364))} 09:00' + (g / 3) * interval '7 days' + (g % 3) * interval '2 days' AS t
          FROM generate_series(0, 155) g) x`);
  await db.$executeRawUnsafe(`
    INSERT INTO "Rsvp" ("sessionId", "userId", attending, "updatedAt")
    SELECT s.id, 'UDEMO' || lpad((1 + (s.id * 7 + k) % 40)::text, 2, '0'), true, now()
    FROM "TrainingSession" s, generate_series(0, 14) k WHERE s.code LIKE 'D%'
    ON CONFLICT DO NOTHING`);
  await db.$executeRawUnsafe(`
    INSERT INTO "SignIn" ("sessionId", "userId", "signedInAt", late)
    SELECT s.id, 'UDEMO' || lpad((1 + (s.id * 7 + k) % 40)::text, 2, '0'), s."startsAt" + (k % 15) * interval '1 min', k % 15 > 10
    FROM "TrainingSession" s, generate_series(0, 10 + s.id % 4) k WHERE s.code LIKE 'D%' AND s.status = 'scheduled'
    ON CONFLICT DO NOTHING`);
  await db.$executeRawUnsafe(`
    INSERT INTO "Rating" ("sessionId", "userId", stars, "updatedAt")
    SELECT s.id, 'UDEMO' || lpad((1 + (s.id * 7 + k) % 40)::text, 2, '0'), 3 + (s.id + k) % 3, now()
    FROM "TrainingSession" s, generate_series(0, 6) k WHERE s.code LIKE 'D%' AND s.status = 'scheduled'
    ON CONFLICT DO NOTHING`);
  // Business figures for every week of the year, office-wide and per team.
  await db.$executeRawUnsafe(`
    INSERT INTO "BusinessFigure" ("weekStart", metric, team, value, target, "updatedAt")
    SELECT date '${dayString(addDays(monday, -364))}' + w * 7, m.metric, t.team,
           round((m.base + 6 * sin(w / 4.0) + (w % 5) + CASE WHEN t.team = 'Norte' THEN 3 WHEN t.team = 'Sur' THEN -2 ELSE 0 END)::numeric, 1),
           m.target, now()
    FROM generate_series(0, 51) w,
         (VALUES ('premium_achievement', 95.0, 100.0), ('persistency_13m', 86.0, 90.0), ('new_customers', 40.0, NULL::float)) m(metric, base, target),
         (VALUES (''), ('Norte'), ('Sur')) t(team)
    ON CONFLICT DO NOTHING`);
  // New hires at every stage of their first three months.
  for (const [i, daysAgo] of [2, 8, 25, 40, 70, 95, 110].entries()) {
    const userId = `UDEMO${String(30 + i).padStart(2, "0")}`;
    const startDate = addDays(today, -daysAgo);
    const hire = await db.newHire.upsert({
      where: { userId },
      create: { userId, startDate, trainerId: "ULUIS" },
      update: {},
    });
    for (const day of [7, 30, 60, 90]) {
      const dueOn = addDays(startDate, day);
      // Most follow-ups done on time; the latest two overdue so the daily list has work.
      const done = dueOn < addDays(today, -3) && !(i === 3 && day === 30);
      await db.checkpoint.upsert({
        where: { newHireId_day: { newHireId: hire.id, day } },
        create: {
          newHireId: hire.id,
          day,
          dueOn,
          state: done ? "reached" : "open",
          closedAt: done ? dueOn : null,
          closedBy: done ? "ULUIS" : null,
        },
        update: {},
      });
    }
  }
  // A session open for sign-in now, and two coming up.
  const soon = [
    { title: "Taller de objeciones", minutes: -5, kind: "sales-skills" },
    { title: "Producto Salud Plus", minutes: 60 * 26, kind: "product" },
    { title: "Formación inicial — grupo de diciembre", minutes: 60 * 24 * 6, kind: "induction" },
  ] as const;
  for (const [i, s] of soon.entries()) {
    const startsAt = new Date(now.getTime() + s.minutes * 60_000);
    await db.trainingSession.create({
      data: {
        title: s.title,
        kind: s.kind === "sales-skills" ? "sales_skills" : s.kind,
        startsAt,
        durationMin: 60,
        channelId: "CFORMACION",
        trainerId: "ULUIS",
        place: "Sala 1",
        code: ["K7MQ2X", "P4TR8W", "H3NV6Y"][i] as string,
        opensAt: new Date(startsAt.getTime() - 15 * 60_000),
        closesAt: new Date(startsAt.getTime() + 90 * 60_000),
      },
    });
  }
  await db.digestSubscription.createMany({
    data: [{ channelId: "CDIRECCION", createdBy: "UANA" }],
    skipDuplicates: true,
  });
}
