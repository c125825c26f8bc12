import { Resvg } from "@resvg/resvg-js";
import { describe, expect, it } from "vitest";
import {
  CELL_HEIGHT,
  CELL_WIDTH,
  digestChartSvg,
  RESVG_OPTIONS,
  renderDigestChart,
  renderTrendChart,
  SINGLE_HEIGHT,
  SINGLE_WIDTH,
  type TrendChart,
  trendChartSvg,
  yRange,
} from "../../src/kpi/chart.ts";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const WEEKS = ["2026-W33", "2026-W34", "2026-W35", "2026-W36", "2026-W37", "2026-W38", "2026-W39", "2026-W40"];

const attendance: TrendChart = {
  title: "Asistencia (%) — últimas 8 semanas",
  unit: "%",
  weeks: WEEKS,
  locale: "es",
  target: 85,
  series: [{ label: "Asistencia", values: [72, 78, 81, null, 86, 84, 89, 91] }],
};
const hours: TrendChart = {
  title: "Horas de formación por persona",
  unit: "h",
  weeks: WEEKS,
  locale: "es",
  series: [
    { label: "Equipo Norte", values: [2.5, 3, 1.5, 4, 3.5, null, 2, 3] },
    { label: "Equipo Sur", values: [1.5, 2, 2.5, 3, 2, 2.5, 3.5, 4] },
  ],
};
const satisfaction: TrendChart = {
  title: "Satisfacción con la formación (1–5)",
  unit: "",
  weeks: WEEKS,
  locale: "es",
  series: [{ label: "Satisfacción", values: [3.8, 4.1, 4.0, 4.3, null, 4.2, 4.5, 4.4] }],
};
const premium: TrendChart = {
  title: "Standard premium achievement (%)",
  unit: "%",
  weeks: WEEKS,
  locale: "en",
  target: 100,
  series: [{ label: "Achievement", values: [88, 94, 97, 102, 99, 105, 96, 108] }],
};

/** Width and height from the IHDR chunk, which must come right after the signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(png.toString("latin1", 12, 16)).toBe("IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Counts dark pixels (text, not grid lines or the white background) in a box of an SVG drawn by resvg. */
function darkPixels(svg: string, box: { x: number; y: number; width: number; height: number }): number {
  const image = new Resvg(svg, RESVG_OPTIONS).render();
  const { pixels, width } = image;
  let dark = 0;
  for (let y = box.y; y < box.y + box.height; y++) {
    for (let x = box.x; x < box.x + box.width; x++) {
      const i = (y * width + x) * 4;
      if (pixels[i]! < 100 && pixels[i + 1]! < 100 && pixels[i + 2]! < 100) dark++;
    }
  }
  return dark;
}

describe("renderTrendChart", () => {
  it("renders a PNG of the single-chart size", async () => {
    const png = await renderTrendChart(attendance);
    expect(pngSize(png)).toEqual({ width: SINGLE_WIDTH, height: SINGLE_HEIGHT });
    expect(SINGLE_WIDTH).toBe(900);
    expect(SINGLE_HEIGHT).toBe(450);
  });

  it("is deterministic, and different data gives a different image", async () => {
    const a = await renderTrendChart(attendance);
    const again = await renderTrendChart(attendance);
    const b = await renderTrendChart({
      ...attendance,
      series: [{ label: "Asistencia", values: [90, 88, 85, 80, 79, 83, 86, 87] }],
    });
    expect(again.equals(a)).toBe(true);
    expect(b.equals(a)).toBe(false);
  });

  it("renders gaps, isolated points and an all-null chart without crashing", async () => {
    const sparse = await renderTrendChart({
      ...satisfaction,
      series: [{ label: "x", values: [null, 4.2, null, null, 3.9, null, null, null] }],
    });
    expect(pngSize(sparse).width).toBe(SINGLE_WIDTH);
    const empty: TrendChart = { ...attendance, series: [{ label: "x", values: WEEKS.map(() => null) }] };
    expect(pngSize(await renderTrendChart(empty)).width).toBe(SINGLE_WIDTH);
    expect(trendChartSvg(empty)).toContain("Sin datos");
    expect(pngSize(await renderTrendChart({ ...empty, target: null })).height).toBe(SINGLE_HEIGHT);
  });

  it("draws the title with the shipped font (text really renders)", () => {
    const titleBand = { x: 16, y: 14, width: 360, height: 24 };
    const withTitle = darkPixels(trendChartSvg(attendance), titleBand);
    const without = darkPixels(trendChartSvg({ ...attendance, title: "" }), titleBand);
    expect(without).toBe(0);
    expect(withTitle).toBeGreaterThan(300);
  });

  it("makes a chart with a title differ from one without", async () => {
    const a = await renderTrendChart(attendance);
    const b = await renderTrendChart({ ...attendance, title: "" });
    expect(a.equals(b)).toBe(false);
  });

  it("labels the axes, the target and the units in the chart's language", () => {
    const es = trendChartSvg(attendance);
    expect(es).toContain("Semana");
    expect(es).toContain("Objetivo");
    expect(es).toContain("85 %");
    expect(es).toContain("Porcentaje (%)");
    expect(es).toContain("2026-W40");
    expect(es).toContain("stroke-dasharray");
    const en = trendChartSvg(premium);
    expect(en).toContain("Week");
    expect(en).toContain("Target");
    expect(en).toContain("100%");
    // Spanish decimals use a comma.
    expect(trendChartSvg(satisfaction)).toContain("4,4");
  });

  it("shows a legend only when there are several series", () => {
    expect(trendChartSvg(hours)).toContain("Equipo Sur");
    expect(trendChartSvg(attendance)).not.toContain(">Asistencia<");
  });

  it("rejects charts it cannot draw honestly", async () => {
    await expect(renderTrendChart({ ...attendance, series: [] })).rejects.toThrow(RangeError);
    await expect(
      renderTrendChart({
        ...attendance,
        series: Array.from({ length: 7 }, (_, i) => ({ label: `s${i}`, values: [1, 2, 3, 4, 5, 6, 7, 8] })),
      }),
    ).rejects.toThrow(RangeError);
    await expect(renderTrendChart({ ...attendance, series: [{ label: "x", values: [1, 2] }] })).rejects.toThrow(
      /2 values for 8 weeks/,
    );
  });
});

describe("renderDigestChart", () => {
  it("lays several charts out in a two-column grid", async () => {
    const png = await renderDigestChart([attendance, hours, satisfaction, premium, attendance]);
    const { width, height } = pngSize(png);
    expect(width).toBeGreaterThanOrEqual(2 * CELL_WIDTH);
    expect(width).toBeLessThan(2 * CELL_WIDTH + 40);
    expect(height).toBeGreaterThanOrEqual(3 * CELL_HEIGHT);
    expect(height).toBeLessThan(3 * CELL_HEIGHT + 40);
  });

  it("uses one column for a single chart and refuses none", async () => {
    const { width } = pngSize(await renderDigestChart([attendance]));
    expect(width).toBeLessThan(CELL_WIDTH + 40);
    await expect(renderDigestChart([])).rejects.toThrow(RangeError);
  });

  it("contains every chart's title", () => {
    const svg = digestChartSvg([attendance, hours, satisfaction, premium]);
    for (const chart of [attendance, hours, satisfaction, premium]) expect(svg).toContain(chart.title);
  });
});

describe("yRange", () => {
  it("fits the data and the target on round ticks without forcing zero", () => {
    expect(yRange([72, 91, 85], "%")).toEqual({ min: 60, max: 100, interval: 10, decimals: 0 });
    const sat = yRange([3.8, 4.5], "");
    expect(sat.min).toBeGreaterThanOrEqual(3);
    expect(sat.max).toBeLessThanOrEqual(5);
    expect(sat.min).toBeLessThan(3.8);
    expect(sat.max).toBeGreaterThan(4.5);
    const premiumRange = yRange([88, 108, 100], "%");
    expect(premiumRange.max).toBeGreaterThan(108);
    expect(yRange([95, 100], "%").max).toBe(100);
    expect(yRange([0, 3, 2], "h").min).toBe(0);
    expect(yRange([5, 5], "").max).toBeGreaterThan(5);
  });
});
