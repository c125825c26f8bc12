// New hires and their follow-up checkpoints through the first three months (SPEC §4).
import type { Clock } from "../core/clock.ts";
import { addDays, daysBetween, officeDay } from "../core/days.ts";
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

export async function registerNewHire(
  db: Db,
  clock: Clock,
  zone: string,
  input: { userId: string; startDate: Date; trainerId: string; days: number[] },
): Promise<Result<{ hire: NewHireWithCheckpoints; updated: boolean }>> {
  const today = officeDay(clock.now(), zone);
  const offset = daysBetween(today, input.startDate);
  if (offset < -MAX_PAST_DAYS) return fail("followups.error.startTooOld", { days: MAX_PAST_DAYS });
  if (offset > MAX_FUTURE_DAYS) return fail("followups.error.startTooFar", { days: MAX_FUTURE_DAYS });
  return db.$transaction(async (tx) => {
    const existing = await tx.newHire.findUnique({ where: { userId: input.userId } });
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

/** Records that a new hire left: their open checkpoints close as "left". */
export async function recordLeft(
  db: Db,
  clock: Clock,
  userId: string,
  leftOn: Date,
  by: string,
): Promise<Result<NewHireWithCheckpoints>> {
  const hire = await db.newHire.findUnique({ where: { userId } });
  if (!hire) return fail("followups.error.notANewHire");
  if (leftOn < hire.startDate) return fail("followups.error.leftBeforeStart");
  await db.$transaction([
    db.newHire.update({ where: { id: hire.id }, data: { leftOn } }),
    db.checkpoint.updateMany({
      where: { newHireId: hire.id, state: "open" },
      data: { state: "left", closedAt: clock.now(), closedBy: by },
    }),
  ]);
  return ok(
    await db.newHire.findUniqueOrThrow({
      where: { id: hire.id },
      include: { checkpoints: { orderBy: { day: "asc" } } },
    }),
  );
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

export function groupByTrainer(due: DueCheckpoint[]): Map<string, DueCheckpoint[]> {
  const byTrainer = new Map<string, DueCheckpoint[]>();
  for (const c of due) byTrainer.set(c.newHire.trainerId, [...(byTrainer.get(c.newHire.trainerId) ?? []), c]);
  return byTrainer;
}

export const overdueDays = (c: Checkpoint, today: Date) => daysBetween(c.dueOn, today);

/** Checkpoints overdue by more than ESCALATE_AFTER_DAYS. */
export function toEscalate(due: DueCheckpoint[], today: Date): DueCheckpoint[] {
  return due.filter((c) => overdueDays(c, today) > ESCALATE_AFTER_DAYS);
}

/** Who may log a checkpoint: its trainer, the manager of the new hire's or the trainer's team, an admin. */
export async function mayLog(db: Db, checkpoint: DueCheckpoint, actor: { id: string; role: Role }): Promise<boolean> {
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
  actor: { id: string; role: Role },
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
  if (outcome === "left") await recordLeft(db, clock, checkpoint.newHire.userId, officeDay(now, zone), actor.id);
  return { kind: "logged", checkpoint: after };
}

// KPI figures (SPEC §6), read by the weekly digest.

/** Of the checkpoints due in [from, to) (calendar days), the share closed by their due day (office time). */
export async function followupsOnTime(
  db: Db,
  zone: string,
  from: Date,
  to: Date,
): Promise<{ due: number; onTime: number }> {
  const due = await db.checkpoint.findMany({
    where: { dueOn: { gte: from, lt: to }, state: { not: "left" } },
    select: { dueOn: true, closedAt: true, state: true },
  });
  const onTime = due.filter((c) => c.closedAt && c.state !== "open" && officeDay(c.closedAt, zone) <= c.dueOn).length;
  return { due: due.length, onTime };
}

/** Open checkpoints whose due day has passed, as of `today`. */
export async function overdueCount(db: Db, today: Date): Promise<number> {
  return db.checkpoint.count({ where: { state: "open", dueOn: { lt: today } } });
}

/** New hires still in their first three months on `today`. */
export async function activeNewHires(db: Db, today: Date): Promise<number> {
  return db.newHire.count({
    where: {
      startDate: { lte: today, gt: addDays(today, -RETENTION_DAY) },
      OR: [{ leftOn: null }, { leftOn: { gt: today } }],
    },
  });
}

/**
 * 3-month retention (SPEC §6): of the new hires whose day 90 fell in the 13 weeks
 * up to `today`, the share who had not left by their day 90 (leaving on day 90 counts as left).
 */
export async function retention(db: Db, today: Date): Promise<{ cohort: number; retained: number }> {
  const windowStart = addDays(today, -RETENTION_WINDOW_WEEKS * 7);
  const hires = await db.newHire.findMany({
    where: { startDate: { gt: addDays(windowStart, -RETENTION_DAY), lte: addDays(today, -RETENTION_DAY) } },
    select: { startDate: true, leftOn: true },
  });
  const retained = hires.filter((h) => !h.leftOn || h.leftOn > addDays(h.startDate, RETENTION_DAY)).length;
  return { cohort: hires.length, retained };
}
