// The weekly digest run: the previous week's digest to each subscribed channel and,
// by DM, to each manager (their team's), each followed by the trend chart.
import { DateTime } from "luxon";
import type { Config } from "../config.ts";
import type { Clock } from "../core/clock.ts";
import type { Db } from "../core/db.ts";
import { translator } from "../core/i18n/index.ts";
import { enqueue, type Outgoing } from "../core/outbox.ts";
import type { PeriodicJob } from "../core/scheduler.ts";
import { localesOf } from "../people/service.ts";
import { digestMessages } from "./blocks.ts";
import { digestChart } from "./charts.ts";
import { computeDigest, managers, previousWeek, subscriptions } from "./service.ts";

/** "2026-W47" for the week starting on a Monday. */
export const isoWeek = (weekStart: Date) => DateTime.fromJSDate(weekStart, { zone: "utc" }).toFormat("kkkk-'W'WW");
export const weekFromIso = (label: string) => DateTime.fromISO(`${label}-1`, { zone: "utc" }).toJSDate();

interface JobDeps {
  config: Config;
  db: Db;
  clock: Clock;
}

export function kpiJobs({ config, db, clock }: JobDeps): PeriodicJob[] {
  const zone = config.APP_TIMEZONE;
  return [
    {
      name: "digest",
      cron: config.DIGEST_CRON,
      period: (at) => isoWeek(previousWeek(at, zone)),
      async run(ctx) {
        const weekStart = weekFromIso(ctx.period);
        const now = clock.now();
        const messages: Outgoing[] = [];
        const add = async (to: string, team: string | null, locale: "es" | "en", part: string) => {
          const digest = await computeDigest(db, zone, now, weekStart, team);
          const t = translator(locale);
          const [head, ...rest] = digestMessages(digest, t, locale, zone);
          const headKey = ctx.messageKey(`${part}:${to}`);
          messages.push({ key: headKey, method: "chat.postMessage", channel: to, payload: { channel: to, ...head } });
          // A digest longer than one message continues in its thread.
          for (const [i, more] of rest.entries()) {
            messages.push({
              key: ctx.messageKey(`${part}:${to}:${i + 2}`),
              method: "chat.postMessage",
              channel: to,
              payload: { channel: to, ...more, threadOfKey: headKey },
            });
          }
          const chart = await digestChart(digest, t, locale);
          if (chart) {
            messages.push({
              key: ctx.messageKey(`${part}:${to}:chart`),
              method: "files.uploadV2",
              channel: to,
              payload: {
                channel_id: to,
                filename: `kpi-${ctx.period}.png`,
                title: chart.title,
                contentBase64: chart.png.toString("base64"),
              },
            });
          }
        };
        for (const channel of await subscriptions(db)) await add(channel, null, config.DEFAULT_LOCALE, "channel");
        const people = await managers(db);
        const locales = await localesOf(
          db,
          people.map((m) => m.id),
          config.DEFAULT_LOCALE,
        );
        for (const m of people) await add(m.id, m.team, locales.get(m.id) ?? config.DEFAULT_LOCALE, "dm");
        await enqueue(db, clock, messages);
      },
    },
  ];
}
