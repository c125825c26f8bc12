// Scheduled training work: reminders before a session, rating requests after it.
import type { Config } from "../config.ts";
import type { Clock } from "../core/clock.ts";
import type { Db } from "../core/db.ts";
import { translator } from "../core/i18n/index.ts";
import { enqueue, type Outgoing } from "../core/outbox.ts";
import type { SweepJob } from "../core/scheduler.ts";
import { slackDate } from "../core/time.ts";
import { localesOf } from "../people/service.ts";
import { ratingMessage } from "./blocks.ts";
import { rsvpYesIds, sessionsToRate, sessionsToRemind, signedInIds } from "./service.ts";

interface JobDeps {
  config: Config;
  db: Db;
  clock: Clock;
}

export function trainingJobs({ config, db, clock }: JobDeps): SweepJob[] {
  const zone = config.APP_TIMEZONE;
  const reminders: SweepJob = {
    name: "reminders",
    async due(now) {
      const sessions = await sessionsToRemind(db, now, config.REMINDER_MINUTES);
      return sessions.map((s) => ({
        period: String(s.id),
        scheduledAt: new Date(s.startsAt.getTime() - config.REMINDER_MINUTES * 60_000),
        run: async (ctx) => {
          const officeT = translator(config.DEFAULT_LOCALE);
          const messages: Outgoing[] = [];
          const when = (locale: "es" | "en") => slackDate(s.startsAt, zone, locale, "{time}");
          const place = (t: typeof officeT) => (s.place ? t("training.reminder.place", { place: s.place }) : "");
          if (s.noticeTs) {
            messages.push({
              key: ctx.messageKey("thread"),
              method: "chat.postMessage",
              channel: s.channelId,
              payload: {
                channel: s.channelId,
                thread_ts: s.noticeTs,
                text: officeT("training.reminder.thread", {
                  title: s.title,
                  when: when(config.DEFAULT_LOCALE),
                  place: place(officeT),
                }),
              },
            });
          }
          const yes = await rsvpYesIds(db, s.id);
          const locales = await localesOf(db, yes, config.DEFAULT_LOCALE);
          for (const userId of yes) {
            const locale = locales.get(userId) ?? config.DEFAULT_LOCALE;
            const t = translator(locale);
            messages.push({
              key: ctx.messageKey(`dm:${userId}`),
              method: "chat.postMessage",
              channel: userId,
              payload: {
                channel: userId,
                text: t("training.reminder.dm", { title: s.title, when: when(locale), place: place(t) }),
              },
            });
          }
          await enqueue(db, clock, messages);
        },
      }));
    },
  };
  const ratings: SweepJob = {
    name: "ratings",
    async due(now, since) {
      const sessions = await sessionsToRate(db, now, since);
      return sessions.map((s) => ({
        period: String(s.id),
        scheduledAt: new Date(s.startsAt.getTime() + s.durationMin * 60_000),
        run: async (ctx) => {
          const people = await signedInIds(db, s.id);
          const locales = await localesOf(db, people, config.DEFAULT_LOCALE);
          await enqueue(
            db,
            clock,
            people.map((userId) => ({
              key: ctx.messageKey(`dm:${userId}`),
              method: "chat.postMessage",
              channel: userId,
              payload: {
                channel: userId,
                ...ratingMessage(s, translator(locales.get(userId) ?? config.DEFAULT_LOCALE)),
              },
            })),
          );
        },
      }));
    },
  };
  return [reminders, ratings];
}
