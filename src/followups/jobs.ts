// The daily follow-up run: one DM per trainer with what is due or overdue, and the
// escalation of checkpoints overdue by more than a week to admins and team managers.
import type { Config } from "../config.ts";
import type { Clock } from "../core/clock.ts";
import { dayString, officeDay, parseDay } from "../core/days.ts";
import type { Db } from "../core/db.ts";
import { translator } from "../core/i18n/index.ts";
import { enqueue, type Outgoing } from "../core/outbox.ts";
import type { PeriodicJob } from "../core/scheduler.ts";
import { admins, localesOf } from "../people/service.ts";
import { dueMessage, escalationMessage } from "./blocks.ts";
import { type DueCheckpoint, dueByTrainer, ESCALATE_AFTER_DAYS, type TrainerDue, toEscalate } from "./service.ts";

interface JobDeps {
  config: Config;
  db: Db;
  clock: Clock;
}

export function followupJobs({ config, db, clock }: JobDeps): PeriodicJob[] {
  const zone = config.APP_TIMEZONE;
  return [
    {
      name: "followups",
      cron: config.FOLLOWUP_CRON,
      period: (at) => dayString(officeDay(at, zone)),
      async run(ctx) {
        const today = parseDay(ctx.period) as Date;
        // Counts and the few checkpoints each message shows: the run reads ≤ 48 rows per trainer.
        const due = await dueByTrainer(db, today);
        const messages: Outgoing[] = [];
        const locales = await localesOf(
          db,
          due.map((d) => d.trainerId),
          config.DEFAULT_LOCALE,
        );
        for (const { trainerId, items, total } of due) {
          const t = translator(locales.get(trainerId) ?? config.DEFAULT_LOCALE);
          messages.push({
            key: ctx.messageKey(`dm:${trainerId}`),
            method: "chat.postMessage",
            channel: trainerId,
            payload: { channel: trainerId, ...dueMessage(items, today, t, [], total) },
          });
        }
        const late = due.filter((d) => d.late > 0);
        if (late.length) {
          // Each trainer's oldest come first, so the oldest of all are among them.
          const lateOf = (list: TrainerDue[]) => ({
            items: list
              .flatMap((d) => toEscalate(d.items, today))
              .sort((a, b) => a.dueOn.getTime() - b.dueOn.getTime() || a.id - b.id),
            total: list.reduce((n, d) => n + d.late, 0),
          });
          const targets = new Map<string, { items: DueCheckpoint[]; total: number }>();
          const all = lateOf(late);
          for (const to of config.ADMIN_CHANNEL ? [config.ADMIN_CHANNEL] : await admins(db)) targets.set(to, all);
          // Each team manager hears about their own team's trainers (an admin already has the whole list).
          const trainers = await db.user.findMany({
            where: { id: { in: late.map((d) => d.trainerId) } },
            select: { id: true, team: { select: { managerId: true } } },
          });
          const managerOf = new Map(trainers.map((u) => [u.id, u.team?.managerId ?? null]));
          const byManager = new Map<string, TrainerDue[]>();
          for (const d of late) {
            const manager = managerOf.get(d.trainerId);
            if (!manager || targets.has(manager)) continue;
            byManager.set(manager, [...(byManager.get(manager) ?? []), d]);
          }
          for (const [manager, list] of byManager) targets.set(manager, lateOf(list));
          // People read it in their own language; a channel in the office's.
          const people = [...targets.keys()].filter((to) => /^[UW]/.test(to));
          const readers = await localesOf(db, people, config.DEFAULT_LOCALE);
          for (const [to, { items, total }] of targets) {
            const t = translator(readers.get(to) ?? config.DEFAULT_LOCALE);
            messages.push({
              key: ctx.messageKey(`escalation:${to}`),
              method: "chat.postMessage",
              channel: to,
              payload: { channel: to, ...escalationMessage(items, today, ESCALATE_AFTER_DAYS, t, total) },
            });
          }
        }
        await enqueue(db, clock, messages);
      },
    },
  ];
}
