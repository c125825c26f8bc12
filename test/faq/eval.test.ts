// The search against the evaluation sets in test/faq/: a row a set, its floors (n: the fewest
// queries it may hold) guarding against regressions, just under the level measured on the date it names.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { expect, it } from "vitest";
import { ROOT } from "../../src/core/migrate.ts";
import { type EvalQuery, evaluate } from "../../src/faq/evaluate.ts";
import { FaqIndex } from "../../src/faq/search.ts";

const seed = parse(readFileSync(path.resolve(ROOT, "..", "shared", "data", "faq-seed.csv")), { columns: true }) as {
  id: string;
  question: string;
  answer: string;
  tags: string;
  locale: string;
}[];
const index = new FaqIndex(seed.map((r) => ({ ...r, tags: r.tags.split(";") })));

function measure(file: string) {
  const set = JSON.parse(readFileSync(path.join(ROOT, "test", "faq", file), "utf8")) as EvalQuery[];
  const result = evaluate(index, set);
  const table = result.kinds.map(
    (k) =>
      `${k.kind.padEnd(15)} n=${k.n} top1=${(k.top1 / k.n).toFixed(2)} top3=${(k.top3 / k.n).toFixed(2)} abstained=${(k.abstained / k.n).toFixed(2)}`,
  );
  console.log(
    `${file}: top-1 ${result.top1.toFixed(3)} · top-3 ${result.top3.toFixed(3)} · abstention ${result.abstention.toFixed(3)}\n${table.join("\n")}`,
  );
  return { set, result };
}

it.each([
  // eval-set.json was written without looking at the search, and the search was tuned on it: issue 6's goals
  // are met on it (top-1 0.929, top-3 0.993, abstention 0.905); the held-out set tells how well it generalises.
  { file: "eval-set.json", measured: "2026-11-26", n: 120, top1: 0.91, top3: 0.98, abstention: 0.88 },
  // The held-out set was written blind after the search was tuned on the set above: it is the
  // honest measure (top-1 0.862, top-3 0.984, abstention 0.813). Never tune on it.
  { file: "holdout-set.json", measured: "2026-11-26", n: 120, top1: 0.85, top3: 0.97, abstention: 0.79 },
])("answers $file at least as well as measured on $measured", (floor) => {
  const { set, result } = measure(floor.file);
  expect(set.length).toBeGreaterThanOrEqual(floor.n);
  expect(result.top1).toBeGreaterThanOrEqual(floor.top1);
  expect(result.top3).toBeGreaterThanOrEqual(floor.top3);
  expect(result.abstention).toBeGreaterThanOrEqual(floor.abstention);
});
