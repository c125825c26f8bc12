/**
 * Trend charts for the weekly KPI digest (SPEC §6, issue 7), rendered on the server to PNG.
 *
 * Why these libraries:
 * - `echarts` (Apache ECharts, Apache-2.0): a well-kept, widely used charting library whose
 *   server-side rendering mode (`ssr: true` + SVG renderer) needs no DOM, canvas or browser and
 *   gives us dashed mark lines, legends and axis layout for free. Imported through the
 *   tree-shakeable `echarts/core` entry points so only the line chart is loaded.
 * - `@resvg/resvg-js` (MPL-2.0): turns that SVG into a PNG with the Rust resvg renderer. Its
 *   native binary ships inside a per-platform npm package (no download at install or run time,
 *   no node-gyp, no system cairo/pango), and it can be told to use only the fonts we give it.
 * - `dejavu-fonts-ttf`: DejaVu Sans as plain TTF files inside an npm package (resvg needs TTF/OTF,
 *   not WOFF). We load only these fonts (`loadSystemFonts: false`), so the PNG is the same on every
 *   machine, and also on one with no fonts at all. DejaVu covers Spanish accents, "—", "▲▼".
 *
 * ECharts lays text out with its own width estimate when it has no canvas; that table is for a
 * Helvetica-like font and counts every non-ASCII letter as a full em. We replace it (globally, via
 * `setPlatformAPI`) with the real advance widths read from the DejaVu files, so labels, legends
 * and the overlap checks are measured with the font that resvg actually draws.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { type ResvgRenderOptions, renderAsync } from "@resvg/resvg-js";
import type { EChartsOption, LineSeriesOption } from "echarts";
import { LineChart } from "echarts/charts";
import {
  GraphicComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
} from "echarts/components";
import { init, setPlatformAPI, use } from "echarts/core";
import { SVGRenderer } from "echarts/renderers";

export interface TrendChart {
  /** e.g. "Asistencia (%) — últimas 8 semanas" */
  title: string;
  /** "%", "h", "" … shown on the y-axis ticks and the target label */
  unit: string;
  /** x labels, e.g. ["2026-W40", …] or "6 oct" */
  weeks: string[];
  /** 1..6 series, each the same length as `weeks`; null = no data that week */
  series: { label: string; values: (number | null)[] }[];
  /** horizontal dashed target line, labelled */
  target?: number | null;
  /** axis labels ("Semana"/"Week", "Objetivo"/"Target") and number format */
  locale: "es" | "en";
  /** optional y-axis title; by default derived from the unit ("Porcentaje (%)", "Horas (h)", …) */
  yLabel?: string;
}

/** Size of the PNG from renderTrendChart. */
export const SINGLE_WIDTH = 900;
export const SINGLE_HEIGHT = 450;
/** Size of one cell of the digest grid, and the grid's layout. */
export const CELL_WIDTH = 600;
export const CELL_HEIGHT = 330;
export const GRID_COLUMNS = 2;
const GRID_GAP = 8;
const LEGEND_ICON_WIDTH = 22;

const FONT_FAMILY = "DejaVu Sans";
const MAX_SERIES = 6;
// Colour-blind-safe, distinct on white (Okabe–Ito based, darkened for thin lines).
const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#7A5C00", "#56B4E9"];
const TARGET_COLOR = "#B00020";
const TEXT_COLOR = "#1F2937";
const MUTED_TEXT = "#4B5563";
const GRID_LINE = "#E5E7EB";

const WORDS = {
  es: {
    week: "Semana",
    target: "Objetivo",
    noData: "Sin datos",
    percent: "Porcentaje",
    hours: "Horas",
    value: "Valor",
  },
  en: { week: "Week", target: "Target", noData: "No data", percent: "Percent", hours: "Hours", value: "Value" },
} as const;

// ---------------------------------------------------------------------------------------------
// Fonts: file paths for resvg, and advance widths for ECharts' text layout.

const require = createRequire(import.meta.url);
const FONT_REGULAR = require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf");
const FONT_BOLD = require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf");

interface FontMetrics {
  /** advance width of a code point in em */
  advance(codePoint: number): number;
}

/** Reads unitsPerEm (head), advance widths (hhea/hmtx) and the BMP character map (cmap format 4). */
function readFontMetrics(file: string): FontMetrics {
  const buf = readFileSync(file);
  const tables = new Map<string, number>();
  const numTables = buf.readUInt16BE(4);
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + i * 16;
    tables.set(buf.toString("latin1", rec, rec + 4), buf.readUInt32BE(rec + 8));
  }
  const table = (tag: string): number => {
    const offset = tables.get(tag);
    if (offset === undefined) throw new Error(`font ${file} has no ${tag} table`);
    return offset;
  };
  const unitsPerEm = buf.readUInt16BE(table("head") + 18);
  const numberOfHMetrics = buf.readUInt16BE(table("hhea") + 34);
  const hmtx = table("hmtx");
  const cmap = table("cmap");
  let sub = -1;
  for (let i = 0; i < buf.readUInt16BE(cmap + 2); i++) {
    const rec = cmap + 4 + i * 8;
    const platform = buf.readUInt16BE(rec);
    const encoding = buf.readUInt16BE(rec + 2);
    const offset = cmap + buf.readUInt32BE(rec + 4);
    if (buf.readUInt16BE(offset) === 4 && (platform === 0 || (platform === 3 && encoding === 1))) {
      sub = offset;
      break;
    }
  }
  if (sub < 0) throw new Error(`font ${file} has no Unicode BMP cmap`);
  const segX2 = buf.readUInt16BE(sub + 6);
  const ends = sub + 14;
  const starts = ends + segX2 + 2;
  const deltas = starts + segX2;
  const rangeOffsets = deltas + segX2;
  const glyphOf = (cp: number): number => {
    if (cp > 0xffff) return 0;
    for (let s = 0; s < segX2; s += 2) {
      if (cp > buf.readUInt16BE(ends + s)) continue;
      const start = buf.readUInt16BE(starts + s);
      if (cp < start) return 0;
      const delta = buf.readUInt16BE(deltas + s);
      const ro = buf.readUInt16BE(rangeOffsets + s);
      if (ro === 0) return (cp + delta) & 0xffff;
      const glyph = buf.readUInt16BE(rangeOffsets + s + ro + 2 * (cp - start));
      return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
    }
    return 0;
  };
  const cache = new Map<number, number>();
  return {
    advance(cp) {
      let em = cache.get(cp);
      if (em === undefined) {
        const glyph = Math.min(glyphOf(cp), numberOfHMetrics - 1);
        em = buf.readUInt16BE(hmtx + 4 * glyph) / unitsPerEm;
        cache.set(cp, em);
      }
      return em;
    },
  };
}

let metrics: { regular: FontMetrics; bold: FontMetrics } | undefined;

function setUpEcharts(): void {
  if (metrics) return;
  metrics = { regular: readFontMetrics(FONT_REGULAR), bold: readFontMetrics(FONT_BOLD) };
  use([LineChart, GridComponent, TitleComponent, LegendComponent, MarkLineComponent, GraphicComponent, SVGRenderer]);
  const fonts = metrics;
  setPlatformAPI({
    measureText(text: string, font?: string) {
      const css = font ?? `12px ${FONT_FAMILY}`;
      const size = Number(/(\d+(?:\.\d+)?)px/.exec(css)?.[1] ?? 12);
      const face = /\b(bold|bolder|[6-9]00)\b/.test(css) ? fonts.bold : fonts.regular;
      let em = 0;
      for (const ch of text ?? "") em += face.advance(ch.codePointAt(0) ?? 0);
      return { width: em * size };
    },
  });
}

function textWidth(text: string, size: number, bold = false): number {
  setUpEcharts();
  const face = bold ? metrics!.bold : metrics!.regular;
  let em = 0;
  for (const ch of text) em += face.advance(ch.codePointAt(0) ?? 0);
  return em * size;
}

// ---------------------------------------------------------------------------------------------
// Numbers and the y-axis range.

function numberFormat(locale: "es" | "en", decimals: number): Intl.NumberFormat {
  return new Intl.NumberFormat(locale === "es" ? "es-ES" : "en-GB", {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
}

function withUnit(text: string, unit: string, locale: "es" | "en"): string {
  if (!unit) return text;
  if (unit === "%" && locale === "en") return `${text}%`;
  return `${text} ${unit}`;
}

/** Decimals needed to show `value` to at most one decimal place, without a trailing ",0". */
function decimalsOf(value: number): number {
  return Math.abs(value - Math.round(value)) < 0.05 ? 0 : 1;
}

function formatValue(value: number, unit: string, locale: "es" | "en"): string {
  return withUnit(numberFormat(locale, decimalsOf(value)).format(value), unit, locale);
}

function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

interface YRange {
  min: number;
  max: number;
  interval: number;
  decimals: number;
}

/** A y-range that fits the data and the target with some air, on round ticks, not forced to zero. */
export function yRange(values: number[], unit: string, ticks = 5): YRange {
  if (values.length === 0)
    return { min: 0, max: unit === "%" ? 100 : 1, interval: unit === "%" ? 20 : 0.2, decimals: unit === "%" ? 0 : 1 };
  const lowest = Math.min(...values);
  const highest = Math.max(...values);
  const span = highest - lowest || Math.abs(highest) * 0.1 || 1;
  let lo = lowest - span * 0.2;
  let hi = highest + span * 0.2;
  // Counts, hours and percentages never go below zero; start at zero when the data is near it anyway.
  if (lowest >= 0 && (lo < 0 || lo < (hi - lo) * 0.3)) lo = 0;
  if (unit === "%" && highest <= 100 && hi > 100) hi = 100;
  const interval = niceStep((hi - lo) / ticks);
  lo = Math.floor(lo / interval + 1e-9) * interval;
  hi = Math.ceil(hi / interval - 1e-9) * interval;
  if (hi <= lo) hi = lo + interval;
  let decimals = 0;
  while (decimals < 3 && Math.abs(interval * 10 ** decimals - Math.round(interval * 10 ** decimals)) > 1e-6) decimals++;
  const exact = (n: number) => Number(n.toFixed(6));
  return { min: exact(lo), max: exact(hi), interval: exact(interval), decimals };
}

// ---------------------------------------------------------------------------------------------
// Chart → SVG.

interface Layout {
  width: number;
  height: number;
  titleSize: number;
  labelSize: number;
  compact: boolean;
}

function defaultYLabel(chart: TrendChart): string {
  if (chart.yLabel !== undefined) return chart.yLabel;
  const words = WORDS[chart.locale];
  if (chart.unit === "%") return `${words.percent} (%)`;
  if (chart.unit === "h") return `${words.hours} (h)`;
  if (chart.unit) return `${words.value} (${chart.unit})`;
  return "";
}

function isolated(values: (number | null)[], i: number): boolean {
  const has = (k: number) => k >= 0 && k < values.length && values[k] !== null && Number.isFinite(values[k]);
  return has(i) && !has(i - 1) && !has(i + 1);
}

function validate(chart: TrendChart): void {
  if (chart.series.length < 1 || chart.series.length > MAX_SERIES) {
    throw new RangeError(`a trend chart has 1..${MAX_SERIES} series, got ${chart.series.length}`);
  }
  for (const s of chart.series) {
    if (s.values.length !== chart.weeks.length) {
      throw new RangeError(`series "${s.label}" has ${s.values.length} values for ${chart.weeks.length} weeks`);
    }
  }
}

function chartToSvg(chart: TrendChart, layout: Layout): string {
  setUpEcharts();
  validate(chart);
  const { width, height, titleSize, labelSize, compact } = layout;
  const words = WORDS[chart.locale];
  const target = typeof chart.target === "number" && Number.isFinite(chart.target) ? chart.target : null;
  const finite = chart.series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const range = yRange(target === null ? finite : [...finite, target], chart.unit, compact ? 4 : 5);
  const tickFormat = numberFormat(chart.locale, range.decimals);
  const multi = chart.series.length > 1;
  const yLabel = defaultYLabel(chart);

  // Vertical layout: title, legend rows (several series), y-axis title, plot, week labels, "Semana".
  const pad = compact ? 12 : 16;
  const legendTop = pad + titleSize + (compact ? 8 : 10);
  const legendGap = compact ? 12 : 18;
  let legendRows = 0;
  if (multi) {
    // ECharts wraps a plain legend at the chart's width; count the rows it will take.
    let x = 0;
    legendRows = 1;
    for (const s of chart.series) {
      const item = LEGEND_ICON_WIDTH + 5 + textWidth(s.label, labelSize);
      if (x > 0 && x + item > width - 2 * pad) {
        legendRows++;
        x = 0;
      }
      x += item + legendGap;
    }
  }
  const yNameHeight = yLabel ? labelSize + 12 : 0;
  const plotTop =
    legendTop +
    legendRows * (labelSize + 4) +
    Math.max(0, legendRows - 1) * legendGap +
    (legendRows ? 8 : 0) +
    yNameHeight +
    labelSize / 2 +
    2;

  // Horizontal: y tick labels on the left, the target label ("Objetivo\n85 %") on the right.
  const tickTexts: string[] = [];
  for (let v = range.min; v <= range.max + range.interval / 2; v += range.interval) {
    tickTexts.push(withUnit(tickFormat.format(v), chart.unit, chart.locale));
  }
  const tickWidth = Math.max(...tickTexts.map((t) => textWidth(t, labelSize)));
  const targetLines = target === null ? [] : [words.target, formatValue(target, chart.unit, chart.locale)];
  const targetWidth = Math.max(0, ...targetLines.map((t) => textWidth(t, labelSize, true)));
  const lastLabelHalf = textWidth(chart.weeks.at(-1) ?? "", labelSize) / 2;
  const gridLeft = pad + tickWidth + 10;
  const gridRight = Math.max(pad + lastLabelHalf, target === null ? 0 : targetWidth + 12, compact ? 16 : 24);
  const plotWidth = width - gridLeft - gridRight;

  // Week labels: all of them, turned when they would touch, thinned only when even that is too tight.
  const slot = plotWidth / Math.max(1, chart.weeks.length - 1);
  const weekWidth = Math.max(0, ...chart.weeks.map((w) => textWidth(w, labelSize)));
  const rotate = weekWidth + 6 > slot ? (weekWidth * 0.5 + 6 > slot ? 90 : 30) : 0;
  const thin = rotate !== 0 && labelSize * 1.4 > slot;
  const labelDepth = rotate === 0 ? labelSize : Math.sin((rotate * Math.PI) / 180) * weekWidth + labelSize;
  const gridBottom = 8 + labelDepth + 10 + labelSize + pad;

  const series: LineSeriesOption[] = chart.series.map((s, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const lastIndex = s.values.findLastIndex((v) => v !== null);
    return {
      type: "line",
      name: s.label,
      data: s.values.map((v, idx) => ({
        value: v === null || !Number.isFinite(v) ? "-" : v,
        // A week with no data on either side has no line to show it: draw its point larger.
        symbolSize: isolated(s.values, idx) ? (compact ? 9 : 11) : compact ? 5 : 7,
        // The latest value, written beside its point when the chart has one series.
        label:
          !multi && idx === lastIndex && v !== null
            ? {
                show: true,
                position: "top",
                distance: 8,
                formatter: formatValue(v, chart.unit, chart.locale),
                fontSize: labelSize + 1,
                fontWeight: "bold",
                color,
                backgroundColor: "rgba(255,255,255,0.85)",
                padding: [1, 3],
              }
            : undefined,
      })),
      connectNulls: false,
      showSymbol: true,
      showAllSymbol: true,
      symbol: "circle",
      lineStyle: { width: compact ? 2 : 2.5, color },
      itemStyle: { color },
      z: 3,
      markLine:
        i === 0 && target !== null
          ? {
              silent: true,
              symbol: "none",
              animation: false,
              lineStyle: { color: TARGET_COLOR, type: [8, 5], width: compact ? 1.5 : 2 },
              label: {
                show: true,
                position: "end",
                distance: 6,
                formatter: targetLines.join("\n"),
                color: TARGET_COLOR,
                fontSize: labelSize,
                fontWeight: "bold",
                lineHeight: labelSize + 3,
              },
              data: [{ yAxis: target }],
              z: 2,
            }
          : undefined,
    };
  });

  const option: EChartsOption = {
    animation: false,
    backgroundColor: "#FFFFFF",
    color: PALETTE,
    textStyle: { fontFamily: FONT_FAMILY, color: TEXT_COLOR },
    title: {
      text: chart.title,
      left: pad,
      top: pad,
      textStyle: {
        fontSize: titleSize,
        fontWeight: "bold",
        color: TEXT_COLOR,
        width: width - 2 * pad,
        overflow: "truncate",
      },
    },
    legend: multi
      ? {
          show: true,
          left: pad,
          top: legendTop,
          itemWidth: LEGEND_ICON_WIDTH,
          itemHeight: 10,
          itemGap: legendGap,
          textStyle: { fontSize: labelSize, color: TEXT_COLOR },
          icon: "roundRect",
        }
      : { show: false },
    grid: { left: gridLeft, right: gridRight, top: plotTop, bottom: gridBottom },
    xAxis: {
      type: "category",
      data: chart.weeks,
      boundaryGap: false,
      name: words.week,
      nameLocation: "middle",
      nameGap: labelDepth + 12 + labelSize / 2,
      nameTextStyle: { fontSize: labelSize, color: MUTED_TEXT, fontWeight: "bold" },
      axisLine: { lineStyle: { color: "#9CA3AF" } },
      axisTick: { alignWithLabel: true },
      axisLabel: {
        fontSize: labelSize,
        color: MUTED_TEXT,
        interval: thin ? "auto" : 0,
        rotate,
        hideOverlap: false,
      },
    },
    yAxis: {
      type: "value",
      min: range.min,
      max: range.max,
      interval: range.interval,
      name: yLabel,
      nameLocation: "end",
      nameGap: labelSize / 2 + 12,
      nameTextStyle: { fontSize: labelSize, color: MUTED_TEXT, fontWeight: "bold", align: "left" },
      axisLine: { show: false },
      axisTick: { show: false },
      splitLine: { lineStyle: { color: GRID_LINE } },
      axisLabel: {
        fontSize: labelSize,
        color: MUTED_TEXT,
        formatter: (v: number) => withUnit(tickFormat.format(v), chart.unit, chart.locale),
      },
    },
    series,
    graphic:
      finite.length === 0
        ? [
            {
              type: "text",
              left: "center",
              top: "middle",
              z: 10,
              style: {
                text: words.noData,
                fontSize: titleSize,
                fill: MUTED_TEXT,
                fontFamily: FONT_FAMILY,
                backgroundColor: "#FFFFFF",
                padding: [4, 10],
                borderColor: GRID_LINE,
                borderWidth: 1,
              },
            },
          ]
        : [],
  };
  // The y-axis title sits above the axis, starting at the plot's left edge minus the tick labels.
  (option.yAxis as { nameTextStyle: { padding?: number[] } }).nameTextStyle.padding = [0, 0, 0, -(tickWidth + 8)];

  const instance = init(null, null, { renderer: "svg", ssr: true, width, height });
  try {
    instance.setOption(option);
    return instance.renderToSVGString();
  } finally {
    instance.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// SVG → PNG.

/** How resvg draws our SVG: only the shipped DejaVu fonts, on white. */
export const RESVG_OPTIONS = {
  font: {
    fontFiles: [FONT_REGULAR, FONT_BOLD],
    loadSystemFonts: false,
    defaultFontFamily: FONT_FAMILY,
    sansSerifFamily: FONT_FAMILY,
  },
  background: "#FFFFFF",
  shapeRendering: 2,
  textRendering: 1,
  logLevel: "off",
} satisfies ResvgRenderOptions;

async function svgToPng(svg: string): Promise<Buffer> {
  // renderAsync rasterises on libuv's thread pool, so the Slack app's event loop stays free.
  const image = await renderAsync(svg, RESVG_OPTIONS);
  return image.asPng();
}

/** One trend chart as a PNG of SINGLE_WIDTH × SINGLE_HEIGHT. */
export async function renderTrendChart(chart: TrendChart): Promise<Buffer> {
  return svgToPng(trendChartSvg(chart));
}

/** The SVG behind renderTrendChart, for tests and debugging. */
export function trendChartSvg(chart: TrendChart): string {
  return chartToSvg(chart, {
    width: SINGLE_WIDTH,
    height: SINGLE_HEIGHT,
    titleSize: 18,
    labelSize: 13,
    compact: false,
  });
}

/** Several trend charts as small multiples in one PNG: GRID_COLUMNS columns of CELL_WIDTH × CELL_HEIGHT. */
export async function renderDigestChart(charts: TrendChart[]): Promise<Buffer> {
  return svgToPng(digestChartSvg(charts));
}

export function digestChartSvg(charts: TrendChart[]): string {
  if (charts.length === 0) throw new RangeError("the digest chart needs at least one trend chart");
  const columns = Math.min(GRID_COLUMNS, charts.length);
  const rows = Math.ceil(charts.length / columns);
  const width = columns * CELL_WIDTH + (columns + 1) * GRID_GAP;
  const height = rows * CELL_HEIGHT + (rows + 1) * GRID_GAP;
  const cells = charts.map((chart, i) => {
    const x = GRID_GAP + (i % columns) * (CELL_WIDTH + GRID_GAP);
    const y = GRID_GAP + Math.floor(i / columns) * (CELL_HEIGHT + GRID_GAP);
    const svg = chartToSvg(chart, {
      width: CELL_WIDTH,
      height: CELL_HEIGHT,
      titleSize: 15,
      labelSize: 11,
      compact: true,
    });
    // Nest each chart's own <svg> at its cell; ECharts gives every instance distinct element ids.
    const nested = svg.replace(/^\s*<svg\b/, `<svg x="${x}" y="${y}"`);
    const frame = `<rect x="${x - 0.5}" y="${y - 0.5}" width="${CELL_WIDTH + 1}" height="${CELL_HEIGHT + 1}" fill="none" stroke="#D1D5DB"/>`;
    return nested + frame;
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ` +
    `width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<rect width="${width}" height="${height}" fill="#F3F4F6"/>${cells.join("")}</svg>`
  );
}
