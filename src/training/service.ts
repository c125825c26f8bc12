// Training sessions: scheduling, sign-in codes, RSVPs, sign-ins, rosters, exports.
// Rules only — no Slack payload reaches this file.
import { randomInt } from "node:crypto";
import type { Clock } from "../core/clock.ts";
import type { Db } from "../core/db.ts";
import { fail, ok, type Result } from "../core/result.ts";
import type { Role } from "../core/roles.ts";
import { Prisma, type SessionKind, type TrainingSession } from "../generated/prisma/client.ts";

export type { TrainingSession };

/** No 0/O, 1/I/L: nothing that reads as something else on a slide. */
export const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
export const CODE_LENGTH = 6;
export const OPENS_BEFORE_START_MIN = 15;
export const CLOSES_AFTER_END_MIN = 30;
export const LATE_AFTER_START_MIN = 10;

/** Kinds as people type them (SPEC §3) and as the schema stores them. */
export const KINDS = ["induction", "bridge", "agent", "pre-director", "product", "sales-skills", "other"] as const;
export type KindName = (typeof KINDS)[number];
export const kindToDb = (k: KindName): SessionKind => k.replace("-", "_") as SessionKind;
export const kindName = (k: SessionKind): KindName => k.replace("_", "-") as KindName;

const MINUTE = 60_000;

export interface NewSession {
  title: string;
  kind: KindName;
  startsAt: Date;
  durationMin: number;
  place?: string | null;
  channelId: string;
  capacity?: number | null;
  description?: string | null;
}

export function signInWindow(startsAt: Date, durationMin: number) {
  return {
    opensAt: new Date(startsAt.getTime() - OPENS_BEFORE_START_MIN * MINUTE),
    closesAt: new Date(startsAt.getTime() + (durationMin + CLOSES_AFTER_END_MIN) * MINUTE),
  };
}

export const endsAt = (s: Pick<TrainingSession, "startsAt" | "durationMin">) =>
  new Date(s.startsAt.getTime() + s.durationMin * MINUTE);

export function isLate(startsAt: Date, at: Date): boolean {
  return at.getTime() > startsAt.getTime() + LATE_AFTER_START_MIN * MINUTE;
}

/** Upper case, no spaces: how codes are compared. */
export function normalizeCode(raw: string): string {
  return raw.replace(/\s+/g, "").toUpperCase();
}

export function randomCode(): string {
  let code = "";
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

/** A code no session with an open (or future) sign-in window uses. */
async function freshCode(db: Db, now: Date): Promise<string> {
  for (;;) {
    const code = randomCode();
    // gte: the window is still open at closesAt itself (signIn accepts now === closesAt).
    const clash = await db.trainingSession.findFirst({ where: { code, closesAt: { gte: now } }, select: { id: true } });
    if (!clash) return code;
  }
}

export async function createSession(
  db: Db,
  clock: Clock,
  trainerId: string,
  input: NewSession,
): Promise<Result<TrainingSession>> {
  const now = clock.now();
  if (input.startsAt.getTime() <= now.getTime()) return fail("training.error.startInPast");
  const code = await freshCode(db, now);
  const session = await db.trainingSession.create({
    data: {
      title: input.title,
      kind: kindToDb(input.kind),
      startsAt: input.startsAt,
      durationMin: input.durationMin,
      place: input.place || null,
      channelId: input.channelId,
      capacity: input.capacity ?? null,
      description: input.description || null,
      trainerId,
      code,
      // The app's clock, not the database's: the reminder rule compares it with the app's "now".
      createdAt: now,
      ...signInWindow(input.startsAt, input.durationMin),
    },
  });
  return ok(session);
}

/** A session whose notice could not be posted is removed again: nothing half-written. */
export async function discardSession(db: Db, id: number): Promise<void> {
  await db.trainingSession.delete({ where: { id } });
}

export async function setNotice(db: Db, id: number, noticeTs: string): Promise<void> {
  await db.trainingSession.update({ where: { id }, data: { noticeTs } });
}

export async function getSession(db: Db, id: number): Promise<TrainingSession | null> {
  return db.trainingSession.findUnique({ where: { id } });
}

/** By id ("12") or by code (the newest session that used it). */
export async function findSession(db: Db, ref: string): Promise<TrainingSession | null> {
  const trimmed = ref.trim().replace(/^#/, "");
  if (/^\d{1,9}$/.test(trimmed)) return getSession(db, Number(trimmed));
  const code = normalizeCode(trimmed);
  if (code.length !== CODE_LENGTH) return null;
  return db.trainingSession.findFirst({ where: { code }, orderBy: { startsAt: "desc" } });
}

export type SignInOutcome =
  | { kind: "signedIn" | "already"; session: TrainingSession; at: Date; late: boolean }
  | { kind: "notOpen"; session: TrainingSession; opensAt: Date }
  | { kind: "closed"; session: TrainingSession }
  | { kind: "cancelled"; session: TrainingSession }
  | { kind: "unknown"; code: string };

interface SignInRow extends TrainingSession {
  idx: number;
  newAt: Date | null;
  newLate: boolean | null;
  oldAt: Date | null;
  oldLate: boolean | null;
}

export interface SignInRequest {
  userId: string;
  code: string;
}

export async function signIn(db: Db, clock: Clock, userId: string, rawCode: string): Promise<SignInOutcome> {
  return (await signInMany(db, clock, [{ userId, code: rawCode }]))[0] as SignInOutcome;
}

/**
 * Sign-ins in one round trip, however many arrive together (a room of 200 in the
 * same minute): for each request pick the session for its code (the one open now,
 * else the next to open, else the latest), insert the sign-in when its window is
 * open — the primary key keeps one row per person and session however often Slack
 * retries — and return the person's first sign-in when there already was one.
 */
export async function signInMany(db: Db, clock: Clock, requests: SignInRequest[]): Promise<SignInOutcome[]> {
  const now = clock.now();
  const codes = requests.map((r) => normalizeCode(r.code));
  const valid = new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`);
  const wanted = requests
    .map((r, idx) => ({ idx, userId: r.userId, code: codes[idx] as string }))
    .filter((r) => valid.test(r.code));
  const outcomes: SignInOutcome[] = codes.map((code) => ({ kind: "unknown", code }));
  if (wanted.length === 0) return outcomes;
  const lateAfterMs = LATE_AFTER_START_MIN * MINUTE;
  const values = Prisma.join(wanted.map((r) => Prisma.sql`(${r.idx}::int, ${r.userId}::text, ${r.code}::text)`));
  const rows = await db.$queryRaw<SignInRow[]>`
    WITH req (idx, user_id, code) AS (VALUES ${values}),
    s AS (
      SELECT DISTINCT ON (req.idx) req.idx, req.user_id, t.*
      FROM req JOIN "TrainingSession" t ON t.code = req.code
      ORDER BY req.idx,
               (t."opensAt" <= ${now}::timestamp AND ${now}::timestamp <= t."closesAt") DESC,
               CASE WHEN t."opensAt" > ${now}::timestamp THEN t."opensAt" END ASC NULLS LAST,
               t."startsAt" DESC
    ), ins AS (
      INSERT INTO "SignIn" ("sessionId", "userId", "signedInAt", late)
      SELECT DISTINCT ON (s.id, s.user_id) s.id, s.user_id, ${now}::timestamp,
             ${now}::timestamp > s."startsAt" + ${lateAfterMs}::int * interval '1 millisecond'
      FROM s
      WHERE s.status = 'scheduled' AND s."opensAt" <= ${now}::timestamp AND ${now}::timestamp <= s."closesAt"
      ON CONFLICT DO NOTHING
      RETURNING "sessionId", "userId", "signedInAt", late
    )
    SELECT s.*, ins."signedInAt" AS "newAt", ins.late AS "newLate", si."signedInAt" AS "oldAt", si.late AS "oldLate"
    FROM s
    LEFT JOIN ins ON ins."sessionId" = s.id AND ins."userId" = s.user_id
    LEFT JOIN "SignIn" si ON si."sessionId" = s.id AND si."userId" = s.user_id`;
  const claimed = new Set<string>();
  const raced: { idx: number; session: TrainingSession; userId: string }[] = [];
  for (const row of rows) {
    const { idx, newAt, newLate, oldAt, oldLate, user_id: userId, ...session } = row as SignInRow & { user_id: string };
    const mine = `${session.id}:${userId}`;
    if (session.status === "cancelled") outcomes[idx] = { kind: "cancelled", session };
    // Someone already in keeps their first time, even after the window closed.
    else if (oldAt) outcomes[idx] = { kind: "already", session, at: oldAt, late: oldLate ?? false };
    // The same person twice in one batch: the first request signs in, the others are "already".
    else if (newAt && claimed.has(mine))
      outcomes[idx] = { kind: "already", session, at: newAt, late: newLate ?? false };
    else if (newAt) {
      claimed.add(mine);
      outcomes[idx] = { kind: "signedIn", session, at: newAt, late: newLate ?? false };
    } else if (now < session.opensAt) outcomes[idx] = { kind: "notOpen", session, opensAt: session.opensAt };
    else if (now > session.closesAt) outcomes[idx] = { kind: "closed", session };
    // Inserted by a concurrent statement between our snapshot and our insert: that one was first.
    else raced.push({ idx, session, userId });
  }
  for (const r of raced) {
    const first = await db.signIn.findUniqueOrThrow({
      where: { sessionId_userId: { sessionId: r.session.id, userId: r.userId } },
    });
    outcomes[r.idx] = { kind: "already", session: r.session, at: first.signedInAt, late: first.late };
  }
  return outcomes;
}

/** Sessions whose sign-in window is open now. */
export async function openSessions(db: Db, clock: Clock): Promise<TrainingSession[]> {
  const now = clock.now();
  return db.trainingSession.findMany({
    where: { status: "scheduled", opensAt: { lte: now }, closesAt: { gte: now } },
    orderBy: { startsAt: "asc" },
  });
}

export interface RsvpCounts {
  yes: number;
  no: number;
}

export async function rsvpCounts(db: Db, sessionId: number): Promise<RsvpCounts> {
  const groups = await db.rsvp.groupBy({ by: ["attending"], where: { sessionId }, _count: { _all: true } });
  return {
    yes: groups.find((g) => g.attending)?._count._all ?? 0,
    no: groups.find((g) => !g.attending)?._count._all ?? 0,
  };
}

export type RsvpOutcome =
  | { kind: "recorded"; session: TrainingSession; attending: boolean; counts: RsvpCounts }
  | { kind: "full" | "cancelled" | "over"; session: TrainingSession }
  | { kind: "unknown" };

export async function rsvp(
  db: Db,
  clock: Clock,
  sessionId: number,
  userId: string,
  attending: boolean,
): Promise<RsvpOutcome> {
  return db.$transaction(async (tx) => {
    // Lock the session row: two last-seat clicks at once must not both get in.
    await tx.$queryRaw`SELECT id FROM "TrainingSession" WHERE id = ${sessionId} FOR UPDATE`;
    const session = await tx.trainingSession.findUnique({ where: { id: sessionId } });
    if (!session) return { kind: "unknown" } as const;
    if (session.status === "cancelled") return { kind: "cancelled", session } as const;
    if (endsAt(session) <= clock.now()) return { kind: "over", session } as const;
    if (attending && session.capacity !== null) {
      const mine = await tx.rsvp.findUnique({ where: { sessionId_userId: { sessionId, userId } } });
      const yes = await tx.rsvp.count({ where: { sessionId, attending: true } });
      if (!mine?.attending && yes >= session.capacity) return { kind: "full", session } as const;
    }
    await tx.rsvp.upsert({
      where: { sessionId_userId: { sessionId, userId } },
      create: { sessionId, userId, attending },
      update: { attending },
    });
    return { kind: "recorded", session, attending, counts: await rsvpCounts(tx as unknown as Db, sessionId) } as const;
  });
}

/** Trainers manage their own sessions; admins manage all. */
export function mayManage(session: TrainingSession, actor: { id: string; role: Role }): boolean {
  return actor.role === "admin" || (actor.role === "trainer" && session.trainerId === actor.id);
}

export type CancelOutcome =
  | { kind: "cancelled"; session: TrainingSession; notify: string[] }
  | { kind: "already"; session: TrainingSession }
  | { kind: "forbidden" | "unknown" };

export async function cancelSession(
  db: Db,
  clock: Clock,
  sessionId: number,
  actor: { id: string; role: Role },
): Promise<CancelOutcome> {
  const session = await getSession(db, sessionId);
  if (!session) return { kind: "unknown" };
  if (!mayManage(session, actor)) return { kind: "forbidden" };
  const { count } = await db.trainingSession.updateMany({
    where: { id: sessionId, status: "scheduled" },
    data: { status: "cancelled", cancelledAt: clock.now() },
  });
  const updated = await db.trainingSession.findUniqueOrThrow({ where: { id: sessionId } });
  if (count === 0) return { kind: "already", session: updated };
  const yes = await db.rsvp.findMany({ where: { sessionId, attending: true }, select: { userId: true } });
  return { kind: "cancelled", session: updated, notify: yes.map((r) => r.userId) };
}

export interface SessionSummary {
  session: TrainingSession;
  yes: number;
  signIns: number;
}

/** Sessions not yet over, soonest first, with their RSVP and sign-in counts. */
export async function upcomingSessions(db: Db, clock: Clock, limit = 20): Promise<SessionSummary[]> {
  const now = clock.now();
  const sessions = await db.trainingSession.findMany({
    where: { status: "scheduled", closesAt: { gte: now } },
    orderBy: { startsAt: "asc" },
    take: limit,
    include: { _count: { select: { signIns: true, rsvps: { where: { attending: true } } } } },
  });
  return sessions.map(({ _count, ...session }) => ({ session, yes: _count.rsvps, signIns: _count.signIns }));
}

export interface Roster {
  session: TrainingSession;
  signedIn: { userId: string; name: string | null; at: Date; late: boolean }[];
  noShows: { userId: string; name: string | null }[];
  yes: number;
}

export async function roster(db: Db, session: TrainingSession): Promise<Roster> {
  const [signIns, yes] = await Promise.all([
    db.signIn.findMany({ where: { sessionId: session.id }, orderBy: { signedInAt: "asc" } }),
    db.rsvp.findMany({ where: { sessionId: session.id, attending: true } }),
  ]);
  const ids = [...new Set([...signIns.map((s) => s.userId), ...yes.map((r) => r.userId)])];
  const names = new Map(
    (await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, realName: true, name: true } })).map(
      (u) => [u.id, u.realName ?? u.name],
    ),
  );
  const signedInIds = new Set(signIns.map((s) => s.userId));
  return {
    session,
    signedIn: signIns.map((s) => ({
      userId: s.userId,
      name: names.get(s.userId) ?? null,
      at: s.signedInAt,
      late: s.late,
    })),
    noShows: yes
      .filter((r) => !signedInIds.has(r.userId))
      .map((r) => ({ userId: r.userId, name: names.get(r.userId) ?? null })),
    yes: yes.length,
  };
}

export interface AttendanceRow {
  sessionId: number;
  title: string;
  kind: KindName;
  startsAt: Date;
  userId: string;
  userName: string;
  rsvp: "yes" | "no" | "";
  signedInAt: Date | null;
  late: boolean | null;
  rating: number | null;
}

/** One row per person and session: everyone who RSVP'd, signed in or rated. */
export async function attendance(
  db: Db,
  where: { sessionId: number } | { from: Date; to: Date },
  /** One person's rows only (their App Home), read as such rather than filtered from everyone's. */
  userId?: string,
): Promise<AttendanceRow[]> {
  const theirs = userId ? { where: { userId } } : true;
  const sessions = await db.trainingSession.findMany({
    where: "sessionId" in where ? { id: where.sessionId } : { startsAt: { gte: where.from, lt: where.to } },
    orderBy: [{ startsAt: "asc" }, { id: "asc" }],
    include: { rsvps: theirs, signIns: theirs, ratings: theirs },
  });
  const ids = new Set<string>();
  for (const s of sessions) for (const x of [...s.rsvps, ...s.signIns, ...s.ratings]) ids.add(x.userId);
  const names = new Map(
    (await db.user.findMany({ where: { id: { in: [...ids] } }, select: { id: true, realName: true, name: true } })).map(
      (u) => [u.id, u.realName ?? u.name ?? ""],
    ),
  );
  const rows: AttendanceRow[] = [];
  for (const s of sessions) {
    const people = [...new Set([...s.signIns, ...s.rsvps, ...s.ratings].map((x) => x.userId))].sort();
    for (const userId of people) {
      const r = s.rsvps.find((x) => x.userId === userId);
      const si = s.signIns.find((x) => x.userId === userId);
      rows.push({
        sessionId: s.id,
        title: s.title,
        kind: kindName(s.kind),
        startsAt: s.startsAt,
        userId,
        userName: names.get(userId) ?? "",
        rsvp: r ? (r.attending ? "yes" : "no") : "",
        signedInAt: si?.signedInAt ?? null,
        late: si ? si.late : null,
        rating: s.ratings.find((x) => x.userId === userId)?.stars ?? null,
      });
    }
  }
  return rows;
}

/** Sessions whose reminder is due: starting within `leadMin`, announced before that, not started yet. */
export async function sessionsToRemind(db: Db, now: Date, leadMin: number): Promise<TrainingSession[]> {
  const horizon = new Date(now.getTime() + leadMin * MINUTE);
  const sessions = await db.trainingSession.findMany({
    where: { status: "scheduled", startsAt: { gt: now, lte: horizon } },
    orderBy: { startsAt: "asc" },
  });
  // A session announced inside the reminder window needs no reminder: the notice is fresh.
  return sessions.filter((s) => s.createdAt.getTime() <= s.startsAt.getTime() - leadMin * MINUTE);
}

/** Sessions that ended since `since` (and within the last day): time to ask for ratings. */
export async function sessionsToRate(db: Db, now: Date, since: Date): Promise<TrainingSession[]> {
  const dayAgo = new Date(now.getTime() - 24 * 60 * MINUTE);
  const from = since > dayAgo ? since : dayAgo;
  // startsAt bounds keep the query on the index; the end is checked exactly below.
  const sessions = await db.trainingSession.findMany({
    where: { status: "scheduled", startsAt: { lte: now, gte: new Date(from.getTime() - 24 * 60 * MINUTE) } },
  });
  return sessions.filter((s) => endsAt(s) <= now && endsAt(s) >= from);
}

export async function rsvpYesIds(db: Db, sessionId: number): Promise<string[]> {
  return (
    await db.rsvp.findMany({
      where: { sessionId, attending: true },
      select: { userId: true },
      orderBy: { userId: "asc" },
    })
  ).map((r) => r.userId);
}

export async function signedInIds(db: Db, sessionId: number): Promise<string[]> {
  return (await db.signIn.findMany({ where: { sessionId }, select: { userId: true }, orderBy: { userId: "asc" } })).map(
    (r) => r.userId,
  );
}

export type RateOutcome =
  | { kind: "rated"; session: TrainingSession; stars: number }
  | { kind: "notSignedIn" | "unknown" };

/** One rating per person and session; rating again changes it. Only people who signed in may rate. */
export async function rate(db: Db, sessionId: number, userId: string, stars: number): Promise<RateOutcome> {
  const session = await getSession(db, sessionId);
  if (!session) return { kind: "unknown" };
  const signedIn = await db.signIn.findUnique({ where: { sessionId_userId: { sessionId, userId } } });
  if (!signedIn) return { kind: "notSignedIn" };
  await db.rating.upsert({
    where: { sessionId_userId: { sessionId, userId } },
    create: { sessionId, userId, stars },
    update: { stars },
  });
  return { kind: "rated", session, stars };
}
