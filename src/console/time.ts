// `:clock` for the console: moves by +2h / -1d / +1w3d, or to an office date and time.
import { DateTime } from "luxon";
import { parseOfficeDateTime } from "../core/time.ts";

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

export type ClockMove = { kind: "by"; ms: number } | { kind: "to"; at: Date } | { kind: "reset" };

/** `+2h`, `-30m`, `+1w2d`, `2026-12-01 09:00`, `2026-12-01` (09:00), `now` (real time); null when unreadable. */
export function parseClockMove(text: string, zone: string): ClockMove | null {
  const s = text.trim().toLowerCase();
  if (s === "now" || s === "reset") return { kind: "reset" };
  const rel = /^([+-])((?:\d+[mhdw])+)$/.exec(s.replace(/\s+/g, ""));
  if (rel) {
    let ms = 0;
    for (const [, n, unit] of rel[2]!.matchAll(/(\d+)([mhdw])/g))
      ms += Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS];
    return { kind: "by", ms: rel[1] === "-" ? -ms : ms };
  }
  const at = parseOfficeDateTime(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s} 09:00` : s, zone);
  return at ? { kind: "to", at } : null;
}

/** "mar 1 dic 2026, 09:00 (Europe/Madrid)" */
export function officeTime(at: Date, zone: string, locale: string): string {
  return `${DateTime.fromJSDate(at, { zone }).setLocale(locale).toFormat("ccc d LLL yyyy, HH:mm")} (${zone})`;
}
