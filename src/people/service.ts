// People: Slack users as capacita knows them, their roles and teams.

import type { Clock } from "../core/clock.ts";
import type { Db } from "../core/db.ts";
import { type Locale, pickLocale } from "../core/i18n/index.ts";
import { fail, ok, type Result } from "../core/result.ts";
import type { Role } from "../core/roles.ts";
import { Prisma, type User } from "../generated/prisma/client.ts";

export type Person = User;

/** What users.info tells us about a person. */
export interface Profile {
  name?: string | null;
  realName?: string | null;
  tz?: string | null;
  locale?: string | null;
}

const PROFILE_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export async function bootstrapAdmins(db: Db, ids: string[]): Promise<void> {
  for (const id of ids) {
    await db.user.upsert({ where: { id }, create: { id, role: "admin" }, update: { role: "admin" } });
  }
}

export async function findPerson(db: Db, id: string): Promise<Person | null> {
  return db.user.findUnique({ where: { id } });
}

/** People by id, in the order asked (null where unknown). */
export async function findPeople(db: Db, ids: string[]): Promise<(Person | null)[]> {
  const people = await db.user.findMany({ where: { id: { in: ids } } });
  const byId = new Map(people.map((p) => [p.id, p]));
  return ids.map((id) => byId.get(id) ?? null);
}

export function profileIsStale(person: Person | null, clock: Clock): boolean {
  return !person?.syncedAt || clock.now().getTime() - person.syncedAt.getTime() > PROFILE_MAX_AGE_MS;
}

/**
 * People learnt at once (a room of new faces signing in), in one statement, in the order given.
 * A profile read from users.info updates what we knew (a missing field keeps the old value);
 * a person without one is only created. The same id twice: the last entry counts.
 */
export async function savePeople(
  db: Db,
  clock: Clock,
  entries: { id: string; profile: Profile | null }[],
): Promise<Person[]> {
  const now = clock.now();
  const last = new Map(entries.map((e) => [e.id, e.profile]));
  const rows = Prisma.join(
    [...last].map(
      ([id, p]) =>
        Prisma.sql`(${id}::text, ${p?.name ?? null}::text, ${p?.realName ?? null}::text, ${p?.tz ?? null}::text,
                    ${p?.locale ?? null}::text, ${p ? now : null}::timestamp)`,
    ),
  );
  const saved = await db.$queryRaw<Person[]>`
    INSERT INTO "User" (id, name, "realName", tz, locale, "syncedAt", "updatedAt")
    SELECT v.id, v.name, v.real_name, v.tz, v.locale, v.synced_at, ${now}::timestamp
    FROM (VALUES ${rows}) AS v (id, name, real_name, tz, locale, synced_at)
    ON CONFLICT (id) DO UPDATE SET
      name = COALESCE(EXCLUDED.name, "User".name),
      "realName" = COALESCE(EXCLUDED."realName", "User"."realName"),
      tz = COALESCE(EXCLUDED.tz, "User".tz),
      locale = COALESCE(EXCLUDED.locale, "User".locale),
      "syncedAt" = COALESCE(EXCLUDED."syncedAt", "User"."syncedAt"),
      "updatedAt" = CASE WHEN EXCLUDED."syncedAt" IS NULL THEN "User"."updatedAt" ELSE EXCLUDED."updatedAt" END
    RETURNING *`;
  const byId = new Map(saved.map((p) => [p.id, p]));
  return entries.map((e) => byId.get(e.id) as Person);
}

export async function setRole(db: Db, actorId: string, targetId: string, role: Role): Promise<Result<Person>> {
  return db.$transaction(async (tx) => {
    if (actorId === targetId && role !== "admin") {
      const admins = await tx.user.count({ where: { role: "admin" } });
      if (admins <= 1) return fail("roles.lastAdmin");
    }
    const person = await tx.user.upsert({ where: { id: targetId }, create: { id: targetId, role }, update: { role } });
    return ok(person);
  });
}

export async function setTeam(db: Db, userId: string, teamName: string): Promise<Person> {
  const team = await db.team.upsert({ where: { name: teamName }, create: { name: teamName }, update: {} });
  return db.user.upsert({
    where: { id: userId },
    create: { id: userId, teamId: team.id },
    update: { teamId: team.id },
  });
}

export async function setTeamManager(db: Db, clock: Clock, teamName: string, userId: string): Promise<void> {
  // Without a profile: created when unknown, left as it is when known.
  await savePeople(db, clock, [{ id: userId, profile: null }]);
  await db.team.upsert({
    where: { name: teamName },
    create: { name: teamName, managerId: userId },
    update: { managerId: userId },
  });
}

/** The manager of a person's team, where one is named (escalations, per-team digests). */
export async function managerOf(db: Db, userId: string): Promise<string | null> {
  const person = await db.user.findUnique({ where: { id: userId }, include: { team: true } });
  return person?.team?.managerId ?? null;
}

export async function admins(db: Db): Promise<string[]> {
  return (await db.user.findMany({ where: { role: "admin" }, select: { id: true }, orderBy: { id: "asc" } })).map(
    (u) => u.id,
  );
}

/** Each person's language (SPEC §10): their Slack locale when Spanish or English, else the office default. */
export async function localesOf(db: Db, ids: string[], fallback: Locale): Promise<Map<string, Locale>> {
  const people = await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, locale: true } });
  return new Map(ids.map((id) => [id, pickLocale(people.find((p) => p.id === id)?.locale, fallback)]));
}
