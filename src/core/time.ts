// Office time: every date typed or shown without a zone is in APP_TIMEZONE (luxon does the zone math).
import { DateTime } from "luxon";

/** "YYYY-MM-DD HH:mm" in the office zone → instant, or null when it is no real date and time. */
export function parseOfficeDateTime(text: string, zone: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const dt = DateTime.fromObject({ year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +m[4]!, minute: +m[5]! }, { zone });
  // luxon moves times that do not exist (a DST gap) forward; refuse them instead.
  if (!dt.isValid || dt.hour !== +m[4]! || dt.minute !== +m[5]!) return null;
  return dt.toJSDate();
}

/** "YYYY-MM-DD" in the office zone → the instant the day starts, or null. */
export function parseOfficeDate(text: string, zone: string): Date | null {
  const dt = DateTime.fromISO(text.trim(), { zone });
  return /^\d{4}-\d{2}-\d{2}$/.test(text.trim()) && dt.isValid ? dt.startOf("day").toJSDate() : null;
}

export function formatOffice(at: Date, zone: string, locale: string, format = "ccc d LLL yyyy, HH:mm"): string {
  return DateTime.fromJSDate(at, { zone }).setLocale(locale).toFormat(format);
}

/** Slack's <!date> token: each reader sees their own local time; the fallback is office time. */
export function slackDate(at: Date, zone: string, locale: string, token = "{date_short_pretty} {time}"): string {
  return `<!date^${Math.floor(at.getTime() / 1000)}^${token}|${formatOffice(at, zone, locale)}>`;
}

export function monthRange(yyyymm: string, zone: string): { from: Date; to: Date } | null {
  const dt = DateTime.fromFormat(yyyymm, "yyyy-MM", { zone });
  if (!/^\d{4}-\d{2}$/.test(yyyymm) || !dt.isValid) return null;
  return { from: dt.startOf("month").toJSDate(), to: dt.endOf("month").plus({ milliseconds: 1 }).toJSDate() };
}
