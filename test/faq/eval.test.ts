// The search against the evaluation sets in test/faq/: a row a set, its floors (n: the fewest
// queries it may hold) guarding against regressions, just under the level measured on the date it names.
import { expect, it } from "vitest";
import { evalSet, evaluate, seedIndex } from "../../src/faq/evaluate.ts";

const index = seedIndex();

function measure(file: string) {
  const set = evalSet(file);
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
  // are met on it (top-1 0.933, top-3 0.993, abstention 0.905); the held-out sets tell how well it generalises.
  { file: "eval-set.json", measured: "2026-11-26", n: 120, top1: 0.91, top3: 0.98, abstention: 0.88 },
  // Written blind after the search was tuned on the set above (session 2); its totals, never its
  // queries, were read while changing the search in session 3 (top-1 0.872, top-3 0.989, abstention 0.813).
  { file: "holdout-set.json", measured: "2026-11-26", n: 120, top1: 0.86, top3: 0.98, abstention: 0.79 },
  // Written blind in session 3 by someone who never saw the search or its results, and first run after
  // the search was changed: the honest measure (top-1 0.738, top-3 0.974, abstention 0.820). Never tune on it.
  { file: "holdout2-set.json", measured: "2026-11-26", n: 120, top1: 0.72, top3: 0.96, abstention: 0.8 },
])("answers $file at least as well as measured on $measured", (floor) => {
  const { set, result } = measure(floor.file);
  expect(set.length).toBeGreaterThanOrEqual(floor.n);
  expect(result.top1).toBeGreaterThanOrEqual(floor.top1);
  expect(result.top3).toBeGreaterThanOrEqual(floor.top3);
  expect(result.abstention).toBeGreaterThanOrEqual(floor.abstention);
});
