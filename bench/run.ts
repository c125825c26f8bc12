// `npm run bench [-- <name> …] [-- --quick]`: runs the named benchmarks (all without a name),
// prints each one's notes as it ends, then one table of every figure, embedded and PostgreSQL
// side by side. Exits 1 when a benchmark fails or a correctness check (an `=` goal) misses.
import os from "node:os";
import { benchAsk } from "./ask.ts";
import { benchDelivery } from "./delivery.ts";
import { benchDigest } from "./digest.ts";
import { benchFollowups } from "./followups.ts";
import { type BenchResult, brokenChecks, type Machine, type Row, renderTable } from "./lib/report.ts";
import { dropLeftovers, postgresAvailable, QUICK } from "./lib/setup.ts";
import { benchSignin } from "./signin.ts";

const benches: Record<string, () => Promise<BenchResult>> = {
  signin: benchSignin,
  ask: benchAsk,
  digest: benchDigest,
  delivery: benchDelivery,
  followups: benchFollowups,
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const unknown = wanted.filter((name) => !benches[name]);
if (unknown.length) {
  process.stderr.write(`unknown benchmark "${unknown.join(", ")}"; known: ${Object.keys(benches).join(", ")}\n`);
  process.exit(2);
}

const cpus = os.cpus();
const machine: Machine = {
  cores: cpus.length,
  cpu: cpus[0]?.model.trim() ?? "unknown CPU",
  node: process.version,
  date: new Date().toISOString().slice(0, 16).replace("T", " "),
  loadAverage: os.loadavg() as Machine["loadAverage"],
  quick: QUICK,
  postgres: await postgresAvailable(),
};

const rows: Row[] = [];
const failures: string[] = [];
const suiteStarted = Date.now();
for (const name of wanted.length ? wanted : Object.keys(benches)) {
  const started = Date.now();
  try {
    const result = await (benches[name] as () => Promise<BenchResult>)();
    rows.push(...result.figures.map((f) => ({ bench: name, ...f })));
    process.stdout.write(
      `\n## ${name} (${((Date.now() - started) / 1000).toFixed(0)} s)\n${result.notes.join("\n")}\n`,
    );
  } catch (e) {
    failures.push(name);
    process.stderr.write(`\n## ${name} FAILED after ${((Date.now() - started) / 1000).toFixed(0)} s\n${String(e)}\n`);
  }
}
await dropLeftovers();

process.stdout.write(
  `\n## Results (${((Date.now() - suiteStarted) / 1000).toFixed(0)} s)\n\n${renderTable(machine, rows)}\n`,
);
const broken = brokenChecks(rows);
for (const r of broken) process.stderr.write(`check failed: ${r.bench} — ${r.figure}\n`);
if (failures.length) process.stderr.write(`benchmarks that failed: ${failures.join(", ")}\n`);
process.exit(failures.length || broken.length ? 1 : 0);
