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
import { dueCheckpoints, ESCALATE_AFTER_DAYS, groupByTrainer, toEscalate } from "./service.ts";

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
        const due = await dueCheckpoints(db, today);
        const byTrainer = groupByTrainer(due);
        const messages: Outgoing[] = [];
        const locales = await localesOf(db, [...byTrainer.keys()], config.DEFAULT_LOCALE);
        for (const [trainerId, items] of byTrainer) {
          const t = translator(locales.get(trainerId) ?? config.DEFAULT_LOCALE);
          messages.push({
            key: ctx.messageKey(`dm:${trainerId}`),
            method: "chat.postMessage",
            channel: trainerId,
            payload: { channel: trainerId, ...dueMessage(items, today, t) },
          });
        }
        const late = toEscalate(due, today);
        if (late.length) {
          const t = translator(config.DEFAULT_LOCALE);
          const targets = new Map<string, typeof late>();
          for (const to of config.ADMIN_CHANNEL ? [config.ADMIN_CHANNEL] : await admins(db)) targets.set(to, late);
          // Each team manager hears about their own team's trainers.
          const trainers = await db.user.findMany({
            where: { id: { in: [...new Set(late.map((c) => c.newHire.trainerId))] } },
            select: { id: true, team: { select: { managerId: true } } },
          });
          for (const trainer of trainers) {
            const manager = trainer.team?.managerId;
            if (!manager || targets.has(manager)) continue;
            targets.set(
              manager,
              late.filter((c) => trainers.find((x) => x.id === c.newHire.trainerId)?.team?.managerId === manager),
            );
          }
          for (const [to, items] of targets) {
            messages.push({
              key: ctx.messageKey(`escalation:${to}`),
              method: "chat.postMessage",
              channel: to,
              payload: { channel: to, ...escalationMessage(items, today, ESCALATE_AFTER_DAYS, t) },
            });
          }
        }
        await enqueue(db, clock, messages);
      },
    },
  ];
}
