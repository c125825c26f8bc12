// `npm run bench -- digest`: one weekly digest over a year of data — 52 weeks, 2,000
// staff, ~100 sessions a week, each person at ~2 a week (≈200,000 sign-ins), 500 new
// hires — on the embedded database and on PostgreSQL, with its SQL round trips.

import { addDays } from "../src/core/days.ts";
import type { Db } from "../src/core/db.ts";
import { computeDigest } from "../src/kpi/service.ts";
import { atMost, type BenchResult, measured } from "./lib/report.ts";
import { type Backend, eachBackend, sized, withDatabase } from "./lib/setup.ts";

const ZONE = "Europe/Madrid";
const FIRST_MONDAY = new Date("2025-11-24T00:00:00Z");
/** Quick mode: ten weeks, still more than the 8-week trend reads. */
const WEEKS = sized(52, 10);

async function seed(db: Db) {
  await db.$executeRawUnsafe(`
    INSERT INTO "User" (id, role, "updatedAt")
    SELECT 'US' || lpad(g::text, 5, '0'), 'staff', now() FROM generate_series(1, 2000) g`);
  await db.$executeRawUnsafe(`INSERT INTO "User" (id, role, "updatedAt") VALUES ('UTRAINER', 'trainer', now())`);
  // ~100 sessions a week, 40 people each (≈ 2 a week per person), 60–120 minutes.
  await db.$executeRawUnsafe(`
    INSERT INTO "TrainingSession" (title, kind, "startsAt", "durationMin", "channelId", "trainerId", status, code, "opensAt", "closesAt", "updatedAt")
    SELECT 'S' || g, 'product', t, 60 + (g % 2) * 60, 'C1', 'UTRAINER',
           CASE WHEN g % 25 = 0 THEN 'cancelled'::"SessionStatus" ELSE 'scheduled'::"SessionStatus" END,
           'C' || lpad(g::text, 5, '0'), t - interval '15 min', t + interval '150 min', now()
    FROM (SELECT g, timestamp '${FIRST_MONDAY.toISOString().slice(0, 10)} 08:00' + ((g / 100) * interval '7 days') + ((g % 5) * interval '1 day') + ((g % 8) * interval '1 hour') AS t
          FROM generate_series(0, ${WEEKS * 100 - 1}) g) x`);
  await db.$executeRawUnsafe(`
    INSERT INTO "Rsvp" ("sessionId", "userId", attending, "updatedAt")
    SELECT s.id, 'US' || lpad((((s.id * 37 + k) % 2000) + 1)::text, 5, '0'), true, now()
    FROM "TrainingSession" s, generate_series(0, 43) k`);
  await db.$executeRawUnsafe(`
    INSERT INTO "SignIn" ("sessionId", "userId", "signedInAt", late)
    SELECT s.id, 'US' || lpad((((s.id * 37 + k) % 2000) + 1)::text, 5, '0'), s."startsAt", k % 7 = 0
    FROM "TrainingSession" s, generate_series(0, 39) k WHERE s.status = 'scheduled'`);
  await db.$executeRawUnsafe(`
    INSERT INTO "Rating" ("sessionId", "userId", stars, "updatedAt")
    SELECT s.id, 'US' || lpad((((s.id * 37 + k) % 2000) + 1)::text, 5, '0'), 3 + (k % 3), now()
    FROM "TrainingSession" s, generate_series(0, 9) k WHERE s.status = 'scheduled'`);
  await db.$executeRawUnsafe(`
    INSERT INTO "NewHire" ("userId", "startDate", "trainerId", "leftOn", "updatedAt")
    SELECT 'US' || lpad(g::text, 5, '0'), date '${FIRST_MONDAY.toISOString().slice(0, 10)}' + (g * 364 / 500),
           'UTRAINER', CASE WHEN g % 9 = 0 THEN date '${FIRST_MONDAY.toISOString().slice(0, 10)}' + (g * 364 / 500) + 40 END, now()
    FROM generate_series(1, 500) g`);
  await db.$executeRawUnsafe(`
    INSERT INTO "Checkpoint" ("newHireId", day, "dueOn", state, "closedAt")
    SELECT h.id, d, h."startDate" + d,
           CASE WHEN h."startDate" + d < date '2026-11-20' THEN 'reached'::"CheckpointState" ELSE 'open'::"CheckpointState" END,
           CASE WHEN h."startDate" + d < date '2026-11-20' THEN (h."startDate" + d + (h.id % 3))::timestamp END
    FROM "NewHire" h, unnest(array[7, 30, 60, 90]) d`);
  await db.$executeRawUnsafe(`
    INSERT INTO "BusinessFigure" ("weekStart", metric, team, value, target, "updatedAt")
    SELECT date '${FIRST_MONDAY.toISOString().slice(0, 10)}' + w * 7, m, '', 80 + (w % 20), 100, now()
    FROM generate_series(0, ${WEEKS - 1}) w, unnest(array['premium_achievement', 'persistency_13m', 'new_customers']) m`);
  return db.signIn.count();
}

async function measure(backend: Backend) {
  return withDatabase(backend, async (database) => {
    const t0 = performance.now();
    const signIns = await seed(database.prisma);
    const seeded = performance.now() - t0;
    // Counts Prisma operations: one each for the digest's queries, which read no relations (a
    // nested relation read would add statements this does not see).
    let roundTrips = 0;
    const counted = database.prisma.$extends({
      query: {
        async $allOperations({ args, query }) {
          roundTrips++;
          return query(args);
        },
      },
    }) as unknown as typeof database.prisma;
    const week = addDays(FIRST_MONDAY, (WEEKS - 1) * 7);
    const now = addDays(week, 8);
    await computeDigest(database.prisma, ZONE, now, week); // warm
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      roundTrips = 0;
      const t = performance.now();
      await computeDigest(counted, ZONE, now, week);
      times.push(performance.now() - t);
    }
    return { signIns, seeded, best: Math.min(...times), worst: Math.max(...times), roundTrips };
  });
}

export async function benchDigest(): Promise<BenchResult> {
  const r = await eachBackend(measure);
  return {
    figures: [
      measured(r, `sign-ins in ${WEEKS} weeks of data`, "", (x) => x.signIns),
      measured(r, "seeding the data", "s", (x) => x.seeded / 1000, { digits: 1 }),
      measured(r, "one digest, best of 3", "ms", (x) => x.best, { goal: atMost(1000) }),
      measured(r, "one digest, worst of 3", "ms", (x) => x.worst),
      measured(r, "SQL round trips per digest", "", (x) => x.roundTrips, { goal: atMost(6) }),
    ],
    notes: [
      `one digest (8-week trend) over ${WEEKS} weeks: 2,000 staff, ~100 sessions a week, each person at ~2 a week, 500 new hires`,
    ],
  };
}
