// Calendar days in the office zone. Dates without a time (a start date, a due day)
// are stored as UTC midnight of that calendar day, so day arithmetic never meets DST.
import { DateTime } from "luxon";

const DAY_MS = 86_400_000;

/** The office's calendar day of an instant, as UTC midnight. */
export function officeDay(at: Date, zone: string): Date {
  const d = DateTime.fromJSDate(at, { zone });
  return new Date(Date.UTC(d.year, d.month - 1, d.day));
}

/** "YYYY-MM-DD" → UTC midnight of that day, or null. */
export function parseDay(text: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  // Years before 1900 are typos here (0050 for 2050); Date.UTC would also read 0050 as 1950.
  if (!m || +m[1]! < 1900) return null;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return d.getUTCMonth() === +m[2]! - 1 && d.getUTCDate() === +m[3]! ? d : null;
}

export const addDays = (day: Date, n: number) => new Date(day.getTime() + n * DAY_MS);
export const daysBetween = (from: Date, to: Date) => Math.round((to.getTime() - from.getTime()) / DAY_MS);
export const dayString = (day: Date) => day.toISOString().slice(0, 10);

/** The instant a calendar day starts in the office zone. */
export function dayStart(day: Date, zone: string): Date {
  return DateTime.fromISO(dayString(day), { zone }).toJSDate();
}
