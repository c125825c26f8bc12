// The digest as Block Kit: each KPI with its value, target, change and 8-week trend,
// grouped, within Slack's limits (50 blocks, 3,000 characters a section).
import type { KnownBlock } from "@slack/types";
import { DateTime } from "luxon";
import { clip, esc, mrkdwn, plain } from "../core/blocks.ts";
import { addDays } from "../core/days.ts";
import type { Locale, T } from "../core/i18n/index.ts";
import type { Group, KpiDef } from "./catalogue.ts";
import type { Digest, KpiValue } from "./service.ts";

const GROUPS: Group[] = ["training", "newHires", "faq", "business"];
const BARS = "▁▂▃▄▅▆▇█";

export function formatValue(v: number | null, def: KpiDef, locale: Locale): string {
  if (v === null) return "—";
  const digits = def.unit === "count" ? 0 : def.unit === "score" ? 2 : 1;
  const n = new Intl.NumberFormat(locale === "es" ? "es-ES" : "en-GB", {
    maximumFractionDigits: digits,
    minimumFractionDigits: def.unit === "count" ? 0 : Math.min(1, digits),
  }).format(v);
  return def.unit === "%" ? `${n} %` : def.unit === "h" ? `${n} h` : def.unit === "score" ? `${n}/5` : n;
}

/** ▲ / ▼ / = against the previous week, with the difference (points for percentages). */
export function change(k: KpiValue, locale: Locale): string {
  if (k.value === null || k.previous === null) return "";
  const d = k.value - k.previous;
  if (Math.abs(d) < 0.05) return "=";
  const fmt = new Intl.NumberFormat(locale === "es" ? "es-ES" : "en-GB", {
    maximumFractionDigits: k.def.unit === "count" ? 0 : 1,
    signDisplay: "always",
  }).format(d);
  return `${d > 0 ? "▲" : "▼"} ${fmt}${k.def.unit === "%" ? " pts" : ""}`;
}

export function sparkline(values: (number | null)[]): string {
  const xs = values.filter((v): v is number => v !== null);
  if (xs.length === 0) return "";
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  return values
    .map((v) => (v === null ? "·" : BARS[max === min ? 3 : Math.round(((v - min) / (max - min)) * 7)]))
    .join("");
}

export function weekLabel(weekStart: Date, locale: Locale): string {
  const a = DateTime.fromJSDate(weekStart, { zone: "utc" }).setLocale(locale);
  const b = DateTime.fromJSDate(addDays(weekStart, 6), { zone: "utc" }).setLocale(locale);
  return `${a.toFormat("d LLL")} – ${b.toFormat("d LLL yyyy")}`;
}

function line(k: KpiValue, t: T, locale: Locale): string {
  const parts = [`*${k.def.label[locale]}*`, formatValue(k.value, k.def, locale)];
  if (k.target !== null) parts.push(`(${t("kpi.target", { target: formatValue(k.target, k.def, locale) })})`);
  const c = change(k, locale);
  if (c) parts.push(c);
  if (k.n !== undefined && k.def.unit === "score") parts.push(`· ${t("kpi.ratings", { n: k.n })}`);
  if (k.n !== undefined && k.def.key === "retention_3m") parts.push(`· ${t("kpi.cohort", { n: k.n })}`);
  const spark = sparkline(k.trend);
  return `• ${parts.join(" ")}${spark ? `  \`${spark}\`` : ""}`;
}

/** Slack's limits for one message: 50 blocks, 3,000 characters a section; we keep the whole under ~12,000. */
const MAX_BLOCKS = 45;
const MAX_SECTION = 2900;
const MAX_MESSAGE = 12_000;

export interface DigestPart {
  text: string;
  blocks: KnownBlock[];
}

/**
 * The digest as one message or, when it is longer than a message may be (many
 * imported metrics), a first message and continuations posted as thread replies.
 */
export function digestMessages(d: Digest, t: T, locale: Locale, zone: string): DigestPart[] {
  const week = weekLabel(d.weekStart, locale);
  const title = d.team ? t("kpi.titleTeam", { team: d.team, week }) : t("kpi.title", { week });
  // Sections of at most MAX_SECTION characters, each group starting with its name.
  const sections: string[] = [];
  for (const group of GROUPS) {
    const kpis = d.kpis.filter((k) => k.def.group === group);
    if (kpis.length === 0) continue;
    const lines = kpis.map((k) => line(k, t, locale));
    if (group === "faq" && d.topUnanswered.length) {
      lines.push(
        t("kpi.topUnanswered", { list: d.topUnanswered.map(([q, n]) => `_${esc(clip(q, 80))}_ (${n})`).join(", ") }),
      );
    }
    let current = `*${t(`kpi.group.${group}`)}*`;
    for (const l of lines) {
      if (current.length + l.length + 1 > MAX_SECTION) {
        sections.push(current);
        current = "";
      }
      current = current ? `${current}\n${clip(l, MAX_SECTION)}` : clip(l, MAX_SECTION);
    }
    sections.push(current);
  }
  const footer: KnownBlock = { type: "context", elements: [mrkdwn(t("kpi.footer", { zone }))] };
  const parts: DigestPart[] = [];
  let blocks: KnownBlock[] = [{ type: "header", text: plain(clip(title, 150)) }];
  let texts: string[] = [title];
  let size = title.length;
  for (const section of sections) {
    if (blocks.length >= MAX_BLOCKS || size + section.length > MAX_MESSAGE) {
      parts.push({ text: texts.join("\n"), blocks });
      blocks = [];
      texts = [];
      size = 0;
    }
    blocks.push({ type: "section", text: mrkdwn(section) });
    texts.push(section);
    size += section.length;
  }
  blocks.push(footer);
  parts.push({ text: texts.join("\n") || title, blocks });
  return parts;
}

/** The digest when it fits in one message (the first part otherwise). */
export function digestMessage(d: Digest, t: T, locale: Locale, zone: string): DigestPart {
  return digestMessages(d, t, locale, zone)[0] as DigestPart;
}
