// What a person's App Home shows, by role (SPEC §1): read from the other features'
// services only. Lists are cut to what a Home can show; totals say how much more there is.
import type { Clock } from "../core/clock.ts";
import { addDays, officeDay } from "../core/days.ts";
import type { Db } from "../core/db.ts";
import { type OutboxMessage, outboxSummary } from "../core/outbox.ts";
import type { Role } from "../core/roles.ts";
import { type FaqQuery, unanswered } from "../faq/service.ts";
import { type DueCheckpoint, dueCheckpoints } from "../followups/service.ts";
import { computeDigest, type KpiValue, managers, previousWeek } from "../kpi/service.ts";
import { attendance, type SessionSummary, upcomingSessions } from "../training/service.ts";

/** How many of each list a Home shows; together they stay well under Slack's 100 blocks. */
export const SHOWN = {
  upcoming: 10,
  signIns: 5,
  followups: 10,
  ownSessions: 10,
  unanswered: 10,
  failed: 5,
} as const;
/** How far the lists are read to count what is not shown ("…and 180 more"). */
export const SCAN = { upcoming: 500, unanswered: 200, outbox: 50 } as const;
export const ATTENDANCE_DAYS = 90;
/** The digest's headline figures, in this order, where the week has them. */
export const HEADLINE_KPIS = [
  "sessions_held",
  "attendance_rate",
  "satisfaction",
  "followups_on_time",
  "faq_answered",
  "premium_achievement",
  "new_customers",
] as const;
export const HEADLINE_MAX = 6;

/** A count of what was left out; `capped` when the scan stopped before the end. */
export interface More {
  count: number;
  capped: boolean;
}

export interface UpcomingItem extends SessionSummary {
  /** The person's own RSVP: yes, no, or not answered. */
  mine: "yes" | "no" | null;
}

export interface SignInItem {
  sessionId: number;
  title: string;
  startsAt: Date;
  signedInAt: Date;
  late: boolean;
}

export interface StaffHome {
  upcoming: UpcomingItem[];
  upcomingMore: More;
  signIns: SignInItem[];
  signInCount: number;
  lateCount: number;
}

export interface TrainerHome {
  today: Date;
  /** Admins see every trainer's follow-ups; trainers their own. */
  allTrainers: boolean;
  due: DueCheckpoint[];
  dueMore: More;
  sessions: SessionSummary[];
  sessionsMore: More;
}

export interface ManagerHome {
  weekStart: Date;
  team: string | null;
  kpis: KpiValue[];
}

export interface AdminHome {
  unanswered: FaqQuery[];
  unansweredMore: More;
  failed: number;
  pending: number;
  recentFailed: OutboxMessage[];
  failedMore: More;
}

export interface Home {
  userId: string;
  role: Role;
  staff?: StaffHome;
  trainer?: TrainerHome;
  manager?: ManagerHome;
  admin?: AdminHome;
}

export interface HomeInput {
  userId: string;
  role: Role;
  zone: string;
}

/** A person sees the sections of their role; an admin sees them all. */
export function sectionsFor(role: Role): { staff: boolean; trainer: boolean; manager: boolean; admin: boolean } {
  const all = role === "admin";
  return {
    staff: all || role === "staff",
    trainer: all || role === "trainer",
    manager: all || role === "manager",
    admin: all,
  };
}

const more = (total: number, shown: number, scanned: boolean): More => ({
  count: Math.max(0, total - shown),
  capped: scanned,
});

export async function homeOf(db: Db, clock: Clock, input: HomeInput): Promise<Home> {
  const show = sectionsFor(input.role);
  const needSessions = show.staff || show.trainer;
  const sessions = needSessions ? await upcomingSessions(db, clock, SCAN.upcoming) : [];
  const capped = sessions.length === SCAN.upcoming;
  const [staff, trainer, manager, admin] = await Promise.all([
    show.staff ? staffHome(db, clock, input.userId, sessions, capped) : undefined,
    show.trainer ? trainerHome(db, clock, input, sessions, capped) : undefined,
    show.manager ? managerHome(db, clock, input) : undefined,
    show.admin ? adminHome(db) : undefined,
  ]);
  return { userId: input.userId, role: input.role, staff, trainer, manager, admin };
}

async function staffHome(
  db: Db,
  clock: Clock,
  userId: string,
  sessions: SessionSummary[],
  capped: boolean,
): Promise<StaffHome> {
  const now = clock.now();
  const shown = sessions.slice(0, SHOWN.upcoming);
  const first = shown[0]?.session.startsAt;
  const last = shown.at(-1)?.session.startsAt;
  // The person's RSVPs for the sessions shown (their start times bound the read).
  const mine = new Map<number, "yes" | "no" | "">();
  if (first && last) {
    const rows = await attendance(db, { from: first, to: new Date(last.getTime() + 1) }, userId);
    for (const r of rows) mine.set(r.sessionId, r.rsvp);
  }
  const recent = (await attendance(db, { from: addDays(now, -ATTENDANCE_DAYS), to: now }, userId))
    .filter((r) => r.signedInAt !== null)
    .map((r) => ({
      sessionId: r.sessionId,
      title: r.title,
      startsAt: r.startsAt,
      signedInAt: r.signedInAt as Date,
      late: r.late ?? false,
    }))
    .sort((a, b) => b.signedInAt.getTime() - a.signedInAt.getTime());
  return {
    upcoming: shown.map((s) => ({ ...s, mine: mine.get(s.session.id) || null })),
    upcomingMore: more(sessions.length, shown.length, capped),
    signIns: recent.slice(0, SHOWN.signIns),
    signInCount: recent.length,
    lateCount: recent.filter((r) => r.late).length,
  };
}

async function trainerHome(
  db: Db,
  clock: Clock,
  input: HomeInput,
  sessions: SessionSummary[],
  capped: boolean,
): Promise<TrainerHome> {
  const today = officeDay(clock.now(), input.zone);
  const allTrainers = input.role === "admin";
  const due = await dueCheckpoints(db, today, allTrainers ? null : input.userId);
  const own = sessions.filter((s) => s.session.trainerId === input.userId);
  return {
    today,
    allTrainers,
    due: due.slice(0, SHOWN.followups),
    dueMore: more(due.length, SHOWN.followups, false),
    sessions: own.slice(0, SHOWN.ownSessions),
    sessionsMore: more(own.length, SHOWN.ownSessions, capped),
  };
}

async function managerHome(db: Db, clock: Clock, input: HomeInput): Promise<ManagerHome> {
  const now = clock.now();
  const weekStart = previousWeek(now, input.zone);
  // Managers see their team's figures; admins (and managers without a team) the office's.
  const team = (await managers(db)).find((m) => m.id === input.userId)?.team ?? null;
  const digest = await computeDigest(db, input.zone, now, weekStart, team);
  const byKey = new Map(digest.kpis.map((k) => [k.def.key, k]));
  const kpis = HEADLINE_KPIS.map((key) => byKey.get(key))
    .filter((k): k is KpiValue => k !== undefined)
    .slice(0, HEADLINE_MAX);
  return { weekStart, team, kpis };
}

async function adminHome(db: Db): Promise<AdminHome> {
  const [questions, outbox] = await Promise.all([unanswered(db, SCAN.unanswered), outboxSummary(db, SCAN.outbox)]);
  const failed = outbox.recent.filter((m) => m.status === "failed");
  return {
    unanswered: questions.slice(0, SHOWN.unanswered),
    unansweredMore: more(questions.length, SHOWN.unanswered, questions.length === SCAN.unanswered),
    failed: outbox.failed,
    pending: outbox.pending + outbox.sending,
    recentFailed: failed.slice(0, SHOWN.failed),
    failedMore: more(outbox.failed, Math.min(failed.length, SHOWN.failed), false),
  };
}
