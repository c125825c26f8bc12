// The digest's chart: the trend of the headline KPIs, one small chart each.
import { DateTime } from "luxon";
import { addDays } from "../core/days.ts";
import type { Locale, T } from "../core/i18n/index.ts";
import { weekLabel } from "./blocks.ts";
import { renderDigestChart } from "./chart.ts";
import type { Digest } from "./service.ts";

/** The KPIs worth a picture, in this order, when they have data. */
const CHARTED = [
  "attendance_rate",
  "training_hours_per_person",
  "satisfaction",
  "followups_on_time",
  "retention_3m",
  "premium_achievement",
  "persistency_13m",
  "faq_answered",
];

export async function digestChart(d: Digest, t: T, locale: Locale): Promise<{ png: Buffer; title: string } | null> {
  const weeks =
    d.kpis[0]?.trend.map((_, i) =>
      DateTime.fromJSDate(addDays(d.weekStart, (i - 7) * 7), { zone: "utc" })
        .setLocale(locale)
        .toFormat("d LLL"),
    ) ?? [];
  const charts = CHARTED.map((key) => d.kpis.find((k) => k.def.key === key))
    .filter((k): k is NonNullable<typeof k> => k?.trend.some((v) => v !== null) ?? false)
    .slice(0, 6)
    .map((k) => ({
      title: k.def.label[locale],
      unit: k.def.unit === "%" ? "%" : k.def.unit === "h" ? "h" : "",
      weeks,
      series: [
        { label: k.def.label[locale], values: k.trend.map((v) => (v === null ? null : Math.round(v * 10) / 10)) },
      ],
      target: k.target,
      locale,
    }));
  if (charts.length === 0) return null;
  const title = t("kpi.chartTitle", { week: weekLabel(d.weekStart, locale) });
  return { png: await renderDigestChart(charts), title };
}
