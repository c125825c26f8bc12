import { describe, expect, it } from "vitest";
import {
  atLeast,
  atMost,
  brokenChecks,
  exactly,
  independent,
  type Machine,
  measured,
  type Row,
  renderTable,
} from "../../bench/lib/report.ts";

const machine: Machine = {
  cores: 2,
  cpu: "Test CPU",
  node: "v20.19.0",
  date: "2026-11-26 10:00",
  loadAverage: [0.1, 0.25, 0.5],
  quick: false,
  postgres: true,
};

const rows: Row[] = [
  {
    bench: "signin",
    ...measured({ embedded: 28.04, postgres: 61 }, "ack p99", "ms", (x) => x, { digits: 1, goal: atMost(50) }),
  },
  { bench: "signin", ...measured({ embedded: 1000 }, "sign-ins stored", "", (x) => x, { goal: exactly(1000) }) },
  { bench: "ask", ...independent("top-1", "%", 91.23, { digits: 1, goal: atLeast(90) }) },
  { bench: "digest", ...measured({ embedded: 44, postgres: 44 }, "round trips", "", (x) => x) },
];

describe("renderTable", () => {
  it("prints the machine, then one row a figure with both databases, the goal and its verdict", () => {
    expect(renderTable(machine, rows).split("\n")).toEqual([
      "2 cores (Test CPU) · Node v20.19.0 · 2026-11-26 10:00 · load average at start 0.10 0.25 0.50",
      "",
      "| benchmark | figure | embedded | PostgreSQL | goal | ✔/✘ |",
      "| --- | --- | ---: | ---: | --- | :-: |",
      "| signin | ack p99 | 28.0 ms | 61.0 ms | ≤ 50 ms | ✘ |",
      "| signin | sign-ins stored | 1,000 | — | = 1,000 | ✔ |",
      "| ask | top-1 (no database) | 91.2 % | 91.2 % | ≥ 90 % | ✔ |",
      "| digest | round trips | 44 | 44 |  |  |",
    ]);
  });

  it("says so in the header when the run is quick or PostgreSQL is missing", () => {
    const header = renderTable({ ...machine, quick: true, postgres: false }, []).split("\n")[0];
    expect(header).toContain("QUICK MODE");
    expect(header).toContain("PostgreSQL not reachable");
  });
});

describe("brokenChecks", () => {
  it("lists failed correctness checks (= goals) and leaves missed speed goals out", () => {
    const failed: Row = { ...(rows[1] as Row), embedded: 999 };
    expect(brokenChecks([...rows, failed])).toEqual([failed]);
  });
});
