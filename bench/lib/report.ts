// What a benchmark returns and the one table `npm run bench` prints from it.
// Pure: no clock, no machine, so test/bench/report.test.ts can pin the rendering.

export type Backend = "embedded" | "postgres";
export type PerBackend<T> = Partial<Record<Backend, T>>;

/** "" for counts and ratios. */
export type Unit = "ms" | "µs" | "s" | "req/s" | "%" | "KB" | "";

/** A goal the figure must meet. `=` goals are correctness checks (counts), the others speed goals. */
export interface Goal {
  op: "≤" | "<" | "≥" | "=";
  value: number;
}
export const atMost = (value: number): Goal => ({ op: "≤", value });
export const below = (value: number): Goal => ({ op: "<", value });
export const atLeast = (value: number): Goal => ({ op: "≥", value });
export const exactly = (value: number): Goal => ({ op: "=", value });

/** One row of the table as a benchmark measures it; a missing column was not measured. */
export interface Figure {
  figure: string;
  unit: Unit;
  embedded?: number;
  postgres?: number;
  digits?: number;
  goal?: Goal;
}

export interface BenchResult {
  figures: Figure[];
  /** Free-form lines printed under the benchmark's heading (context, secondary figures). */
  notes: string[];
}

export interface Row extends Figure {
  bench: string;
}

export interface Machine {
  cores: number;
  cpu: string;
  node: string;
  date: string;
  loadAverage: [number, number, number];
  quick: boolean;
  postgres: boolean;
}

/** A figure measured on each database that ran. */
export function measured<T>(
  results: PerBackend<T>,
  figure: string,
  unit: Unit,
  pick: (r: T) => number,
  more: Pick<Figure, "digits" | "goal"> = {},
): Figure {
  const { embedded, postgres } = results;
  return {
    figure,
    unit,
    ...(embedded === undefined ? {} : { embedded: pick(embedded) }),
    ...(postgres === undefined ? {} : { postgres: pick(postgres) }),
    ...more,
  };
}

/** A figure no database takes part in (bare Bolt, the search index alone, a floor): the same in both columns. */
export function independent(
  figure: string,
  unit: Unit,
  value: number,
  more: Pick<Figure, "digits" | "goal"> = {},
): Figure {
  return { figure: `${figure} (no database)`, unit, embedded: value, postgres: value, ...more };
}

export function meets(goal: Goal, value: number): boolean {
  switch (goal.op) {
    case "≤":
      return value <= goal.value;
    case "<":
      return value < goal.value;
    case "≥":
      return value >= goal.value;
    case "=":
      return value === goal.value;
  }
}

/** ✔ when every measured column meets the goal, ✘ when one misses, empty without a goal or a value. */
export function verdict(row: Figure): "✔" | "✘" | "" {
  const values = [row.embedded, row.postgres].filter((v): v is number => v !== undefined);
  if (!row.goal || values.length === 0) return "";
  const goal = row.goal;
  return values.every((v) => meets(goal, v)) ? "✔" : "✘";
}

/** Rows whose correctness check (an `=` goal) failed: the run exits non-zero for these, not for speed. */
export const brokenChecks = (rows: Row[]) => rows.filter((r) => r.goal?.op === "=" && verdict(r) === "✘");

/** `value` with `digits` decimals (up to `digits` when `trim`: goals read "≤ 10 ms", not "≤ 10.00 ms"). */
export function quantity(value: number | undefined, unit: Unit, digits = 0, trim = false): string {
  if (value === undefined) return "—";
  if (!Number.isFinite(value)) return String(value);
  const n = value.toLocaleString("en-US", {
    minimumFractionDigits: trim ? 0 : digits,
    maximumFractionDigits: digits,
  });
  return unit ? `${n} ${unit}` : n;
}

export function renderMachine(m: Machine): string {
  return [
    `${m.cores} cores (${m.cpu})`,
    `Node ${m.node}`,
    m.date,
    `load average at start ${m.loadAverage.map((l) => l.toFixed(2)).join(" ")}`,
    ...(m.quick ? ["QUICK MODE: reduced sizes, figures not for reporting"] : []),
    ...(m.postgres ? [] : ["PostgreSQL not reachable: its column is empty"]),
  ].join(" · ");
}

export function renderTable(machine: Machine, rows: Row[]): string {
  const cell = (s: string) => s.replaceAll("|", "\\|");
  return [
    renderMachine(machine),
    "",
    "| benchmark | figure | embedded | PostgreSQL | goal | ✔/✘ |",
    "| --- | --- | ---: | ---: | --- | :-: |",
    ...rows.map((r) =>
      [
        "",
        r.bench,
        cell(r.figure),
        quantity(r.embedded, r.unit, r.digits),
        quantity(r.postgres, r.unit, r.digits),
        r.goal ? `${r.goal.op} ${quantity(r.goal.value, r.unit, r.digits, true)}` : "",
        verdict(r),
        "",
      ]
        .join(" | ")
        .trim(),
    ),
  ].join("\n");
}
