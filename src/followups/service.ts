// New hires and their follow-up checkpoints through the first three months (SPEC §4).
import type { Clock } from "../core/clock.ts";
import { addDays, dayStart, dayString, daysBetween, officeDay } from "../core/days.ts";
import type { Db } from "../core/db.ts";
import { fail, ok, type Result } from "../core/result.ts";
import type { Role } from "../core/roles.ts";
import type { Checkpoint, CheckpointState, NewHire } from "../generated/prisma/client.ts";

export type { Checkpoint, CheckpointState, NewHire };

/** How far from today a start date may be without being a typo. */
export const MAX_PAST_DAYS = 120;
export const MAX_FUTURE_DAYS = 60;
/** Overdue by more than this many days → listed to admins and the team manager. */
export const ESCALATE_AFTER_DAYS = 7;
export const RETENTION_DAY = 90;
export const RETENTION_WINDOW_WEEKS = 13;

export type NewHireWithCheckpoints = NewHire & { checkpoints: Checkpoint[] };

export interface Actor {
  id: string;
  role: Role;
}

/** Who may change a registered new hire or record that they left: their trainer or an admin. */
export const mayManageHire = (hire: Pick<NewHire, "trainerId">, actor: Actor) =>
  actor.role === "admin" || hire.trainerId === actor.id;

export async function registerNewHire(
  db: Db,
  clock: Clock,
  zone: string,
  actor: Actor,
  input: { userId: string; startDate: Date; trainerId: string; days: number[] },
): Promise<Result<{ hire: NewHireWithCheckpoints; updated: boolean }>> {
  const today = officeDay(clock.now(), zone);
  const offset = daysBetween(today, input.startDate);
  if (offset < -MAX_PAST_DAYS) return fail("followups.error.startTooOld", { days: MAX_PAST_DAYS });
  if (offset > MAX_FUTURE_DAYS) return fail("followups.error.startTooFar", { days: MAX_FUTURE_DAYS });
  return db.$transaction(async (tx) => {
    const existing = await tx.newHire.findUnique({ where: { userId: input.userId } });
    // Registering someone again must not quietly take them from the trainer who has them.
    if (existing && !mayManageHire(existing, actor)) {
      return fail("followups.error.notYourHire", { user: existing.userId, trainer: existing.trainerId });
    }
    const hire = existing
      ? await tx.newHire.update({
          where: { id: existing.id },
          data: { startDate: input.startDate, trainerId: input.trainerId },
        })
      : await tx.newHire.create({
          data: { userId: input.userId, startDate: input.startDate, trainerId: input.trainerId },
        });
    for (const day of input.days) {
      const dueOn = addDays(input.startDate, day);
      // Re-registering moves open checkpoints; closed ones keep their history.
      await tx.checkpoint.upsert({
        where: { newHireId_day: { newHireId: hire.id, day } },
        create: { newHireId: hire.id, day, dueOn },
        update: {},
      });
      await tx.checkpoint.updateMany({ where: { newHireId: hire.id, day, state: "open" }, data: { dueOn } });
    }
    const full = await tx.newHire.findUniqueOrThrow({
      where: { id: hire.id },
      include: { checkpoints: { orderBy: { day: "asc" } } },
    });
    return ok({ hire: full, updated: existing !== null });
  });
}

/** Records that a new hire left (their trainer or an admin): their open checkpoints close as "left". */
export async function recordLeft(
  db: Db,
  clock: Clock,
  userId: string,
  leftOn: Date,
  actor: Actor,
): Promise<Result<NewHireWithCheckpoints>> {
  const hire = await db.newHire.findUnique({ where: { userId } });
  if (!hire) return fail("followups.error.notANewHire");
  if (!mayManageHire(hire, actor)) {
    return fail("followups.error.notYourHire", { user: hire.userId, trainer: hire.trainerId });
  }
  if (leftOn < hire.startDate) return fail("followups.error.leftBeforeStart");
  await closeAsLeft(db, clock, hire.id, leftOn, actor.id);
  return ok(
    await db.newHire.findUniqueOrThrow({
      where: { id: hire.id },
      include: { checkpoints: { orderBy: { day: "asc" } } },
    }),
  );
}

async function closeAsLeft(db: Db, clock: Clock, newHireId: number, leftOn: Date, by: string): Promise<void> {
  await db.$transaction([
    db.newHire.update({ where: { id: newHireId }, data: { leftOn } }),
    db.checkpoint.updateMany({
      where: { newHireId, state: "open" },
      data: { state: "left", closedAt: clock.now(), closedBy: by },
    }),
  ]);
}

export async function newHiresOf(db: Db, trainerId: string | null): Promise<NewHireWithCheckpoints[]> {
  return db.newHire.findMany({
    where: trainerId ? { trainerId } : {},
    include: { checkpoints: { orderBy: { day: "asc" } } },
    orderBy: { startDate: "desc" },
  });
}

export type DueCheckpoint = Checkpoint & { newHire: NewHire };

/** Open checkpoints due today or earlier, per trainer (all trainers when null). */
export async function dueCheckpoints(db: Db, today: Date, trainerId: string | null = null): Promise<DueCheckpoint[]> {
  return db.checkpoint.findMany({
    where: { state: "open", dueOn: { lte: today }, newHire: trainerId ? { trainerId } : {} },
    include: { newHire: true },
    orderBy: [{ dueOn: "asc" }, { id: "asc" }],
  });
}

/** A trainer's checkpoints closed since an instant: the daily list shows them done. */
export async function closedSince(db: Db, trainerId: string, since: Date): Promise<DueCheckpoint[]> {
  return db.checkpoint.findMany({
    where: { newHire: { trainerId }, state: { not: "open" }, closedAt: { gte: since } },
    include: { newHire: true },
    orderBy: { id: "asc" },
  });
}

/** How many checkpoints a trainer's daily DM lists with a button (Slack's 50 blocks, less header and intro). */
export const DUE_LIST_MAX = 48;

export interface TrainerDue {
  trainerId: string;
  /** Open checkpoints due today or earlier. */
  total: number;
  /** Of those, overdue by more than ESCALATE_AFTER_DAYS. */
  late: number;
  /** The oldest `limit` of them, oldest first (so the late ones come first). */
  items: DueCheckpoint[];
}

interface DueRow {
  id: number;
  newHireId: number;
  day: number;
  dueOn: Date;
  state: CheckpointState;
  notes: string | null;
  closedAt: Date | null;
  closedBy: string | null;
  userId: string;
  startDate: Date;
  trainerId: string;
  leftOn: Date | null;
  createdAt: Date;
  updatedAt: Date;
  total: number;
  late: number;
}

/**
 * What the daily run needs, per trainer: the counts, and only the checkpoints a message can show.
 * One query that reads at most `limit` rows per trainer, however many thousands are overdue.
 */
export async function dueByTrainer(db: Db, today: Date, limit = DUE_LIST_MAX): Promise<TrainerDue[]> {
  // Overdue by more than N days ⇔ due before today − N.
  const lateBefore = addDays(today, -ESCALATE_AFTER_DAYS);
  const rows = await db.$queryRaw<DueRow[]>`
    SELECT * FROM (
      SELECT c.id, c."newHireId", c.day, c."dueOn", c.state, c.notes, c."closedAt", c."closedBy",
             h."userId", h."startDate", h."trainerId", h."leftOn", h."createdAt", h."updatedAt",
             (count(*) OVER w)::int AS total,
             (count(*) FILTER (WHERE c."dueOn" < ${lateBefore}::date) OVER w)::int AS late,
             row_number() OVER (w ORDER BY c."dueOn", c.id) AS n
      FROM "Checkpoint" c JOIN "NewHire" h ON h.id = c."newHireId"
      WHERE c.state = 'open' AND c."dueOn" <= ${today}::date
      WINDOW w AS (PARTITION BY h."trainerId")
    ) due
    WHERE n <= ${limit}
    ORDER BY "trainerId", n`;
  const byTrainer = new Map<string, TrainerDue>();
  for (const r of rows) {
    let entry = byTrainer.get(r.trainerId);
    if (!entry) {
      entry = { trainerId: r.trainerId, total: r.total, late: r.late, items: [] };
      byTrainer.set(r.trainerId, entry);
    }
    entry.items.push({
      id: r.id,
      newHireId: r.newHireId,
      day: r.day,
      dueOn: r.dueOn,
      state: r.state,
      notes: r.notes,
      closedAt: r.closedAt,
      closedBy: r.closedBy,
      newHire: {
        id: r.newHireId,
        userId: r.userId,
        startDate: r.startDate,
        trainerId: r.trainerId,
        leftOn: r.leftOn,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
      },
    });
  }
  return [...byTrainer.values()];
}

export const overdueDays = (c: Checkpoint, today: Date) => daysBetween(c.dueOn, today);

/** Checkpoints overdue by more than ESCALATE_AFTER_DAYS. */
export function toEscalate(due: DueCheckpoint[], today: Date): DueCheckpoint[] {
  return due.filter((c) => overdueDays(c, today) > ESCALATE_AFTER_DAYS);
}

/** Who may log a checkpoint: its trainer, the manager of the new hire's or the trainer's team, an admin. */
export async function mayLog(db: Db, checkpoint: DueCheckpoint, actor: Actor): Promise<boolean> {
  if (actor.role === "admin" || checkpoint.newHire.trainerId === actor.id) return true;
  if (actor.role !== "manager") return false;
  const teams = await db.user.findMany({
    where: { id: { in: [checkpoint.newHire.userId, checkpoint.newHire.trainerId] } },
    select: { team: { select: { managerId: true } } },
  });
  return teams.some((u) => u.team?.managerId === actor.id);
}

export type Outcome = "reached" | "not_reached" | "left";

export type LogOutcome =
  | { kind: "logged"; checkpoint: DueCheckpoint }
  | { kind: "already"; checkpoint: DueCheckpoint }
  | { kind: "forbidden" }
  | { kind: "unknown" };

/** Closes a checkpoint with its outcome; "left" also records that the new hire left today. */
export async function logFollowup(
  db: Db,
  clock: Clock,
  zone: string,
  checkpointId: number,
  actor: Actor,
  outcome: Outcome,
  notes: string | null,
): Promise<LogOutcome> {
  const checkpoint = await db.checkpoint.findUnique({ where: { id: checkpointId }, include: { newHire: true } });
  if (!checkpoint) return { kind: "unknown" };
  if (!(await mayLog(db, checkpoint, actor))) return { kind: "forbidden" };
  const now = clock.now();
  const { count } = await db.checkpoint.updateMany({
    where: { id: checkpointId, state: "open" },
    data: { state: outcome, notes, closedAt: now, closedBy: actor.id },
  });
  const after = await db.checkpoint.findUniqueOrThrow({ where: { id: checkpointId }, include: { newHire: true } });
  if (count === 0) return { kind: "already", checkpoint: after };
  if (outcome === "left") await closeAsLeft(db, clock, checkpoint.newHireId, officeDay(now, zone), actor.id);
  return { kind: "logged", checkpoint: after };
}

// KPI figures (SPEC §6), read by the weekly digest: each data set is read once for all the weeks
// asked for and split by week in memory, so a digest costs the same few queries whatever its trend.

/** One week's follow-up figures. */
export interface FollowupWeek {
  /** New hires in their first three months on the week's last day. */
  active: number;
  /** Checkpoints that fell due in the week, and those of them closed by their due day. */
  due: number;
  onTime: number;
  /** Checkpoints overdue as the day after the week begins. */
  overdue: number;
  /** 3-month retention as of the week's last day: the cohort, and those of it retained. */
  cohort: number;
  retained: number;
}

type Hire = Pick<NewHire, "startDate" | "leftOn">;

interface CheckpointRow {
  dueOn: Date;
  state: CheckpointState;
  closedAt: Date | null;
  leftOn: Date | null;
}

/** New hires still in their first three months on `today` (days 0–89, not yet left). */
const activeOn = (hires: Hire[], today: Date) =>
  hires.filter(
    (h) => h.startDate <= today && h.startDate > addDays(today, -RETENTION_DAY) && (!h.leftOn || h.leftOn > today),
  ).length;

/**
 * 3-month retention (SPEC §6): of the new hires whose day 90 fell in the 13 weeks
 * up to `today`, those who had not left by their day 90 (leaving on day 90 counts as left).
 */
function retentionOn(hires: Hire[], today: Date): { cohort: number; retained: number } {
  const windowStart = addDays(today, -RETENTION_WINDOW_WEEKS * 7);
  const cohort = hires.filter(
    (h) => h.startDate > addDays(windowStart, -RETENTION_DAY) && h.startDate <= addDays(today, -RETENTION_DAY),
  );
  const retained = cohort.filter((h) => !h.leftOn || h.leftOn > addDays(h.startDate, RETENTION_DAY)).length;
  return { cohort: cohort.length, retained };
}

/**
 * Of the checkpoints due in [from, to) (calendar days), those closed by their due day (office time).
 * A checkpoint falls due only if its new hire had not left before its due day: one missed while they
 * were still here and closed as "left" later stays a missed follow-up.
 */
function onTimeIn(rows: CheckpointRow[], zone: string, from: Date, to: Date): { due: number; onTime: number } {
  const due = rows.filter((c) => c.dueOn >= from && c.dueOn < to && (!c.leftOn || c.leftOn >= c.dueOn));
  const onTime = due.filter((c) => c.closedAt && c.state !== "open" && officeDay(c.closedAt, zone) <= c.dueOn).length;
  return { due: due.length, onTime };
}

/**
 * Checkpoints overdue as `today` begins in the office zone: due before it and not closed by then.
 * Read from closedAt, so a past week's figure stays what it was then, not what it is now.
 */
function overdueOn(rows: CheckpointRow[], today: Date, zone: string): number {
  const begins = dayStart(today, zone);
  return rows.filter((c) => c.dueOn < today && (c.state === "open" || (c.closedAt !== null && c.closedAt >= begins)))
    .length;
}

/**
 * Follow-up figures for the 7-day weeks starting on the calendar days `weeks` (Mondays in the digest,
 * but any day will do), in the order given. Two queries, however many weeks.
 */
export async function followupsWindow(db: Db, zone: string, weeks: Date[]): Promise<FollowupWeek[]> {
  if (weeks.length === 0) return [];
  const first = new Date(Math.min(...weeks.map(Number)));
  const last = new Date(Math.max(...weeks.map(Number)));
  const [checkpoints, hires] = await Promise.all([
    // Due in a week (on time), or due before the last week ends and open or closed after the first ended (overdue).
    db.$queryRaw<CheckpointRow[]>`
      SELECT c."dueOn", c.state::text AS state, c."closedAt", h."leftOn"
      FROM "Checkpoint" c JOIN "NewHire" h ON h.id = c."newHireId"
      WHERE c."dueOn" < ${dayString(addDays(last, 7))}::date
        AND (c."dueOn" >= ${dayString(first)}::date OR c.state = 'open'
             OR c."closedAt" >= ${dayStart(addDays(first, 7), zone)}::timestamp)`,
    // From the retention cohort of the first week's last day to those active on the last week's.
    db.newHire.findMany({
      where: {
        startDate: { gt: addDays(first, 6 - RETENTION_WINDOW_WEEKS * 7 - RETENTION_DAY), lte: addDays(last, 6) },
      },
      select: { startDate: true, leftOn: true },
    }),
  ]);
  return weeks.map((week) => {
    const lastDay = addDays(week, 6);
    const next = addDays(week, 7);
    return {
      active: activeOn(hires, lastDay),
      ...onTimeIn(checkpoints, zone, week, next),
      overdue: overdueOn(checkpoints, next, zone),
      ...retentionOn(hires, lastDay),
    };
  });
}
