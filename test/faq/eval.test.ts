// The search against the evaluation sets in test/faq/: a row a set, its floors (n: the fewest
// queries it may hold) guarding against regressions, just under the level measured on the date it names.
import { expect, it } from "vitest";
import { evalSet, evaluate, seedIndex } from "../../src/faq/evaluate.ts";

const indexes = { withVariants: seedIndex(), bare: seedIndex({ variants: false }) };

function measure(file: string, variants: boolean) {
  const set = evalSet(file);
  const result = evaluate(variants ? indexes.withVariants : indexes.bare, set);
  const table = result.kinds.map(
    (k) =>
      `${k.kind.padEnd(15)} n=${k.n} top1=${(k.top1 / k.n).toFixed(2)} top3=${(k.top3 / k.n).toFixed(2)} abstained=${(k.abstained / k.n).toFixed(2)}`,
  );
  console.log(
    `${file}${variants ? "" : " (entries without their other ways of asking)"}: top-1 ${result.top1.toFixed(3)} · top-3 ${result.top3.toFixed(3)} · abstention ${result.abstention.toFixed(3)}\n${table.join("\n")}`,
  );
  return { set, result };
}

it.each([
  // The starter store with its other ways of asking (src/faq/seed-variants.csv, written from the entries
  // alone by someone who never saw these sets or the search). Figures of 2026-11-26, session 4.
  // eval-set.json was written without looking at the search, and the search was tuned on it
  // (top-1 0.967, top-3 0.996, abstention 0.929); the held-out sets tell how well it generalises.
  { file: "eval-set.json", variants: true, measured: "2026-11-26", n: 120, top1: 0.95, top3: 0.98, abstention: 0.9 },
  // Written blind after the search was tuned on the set above (session 2); its totals, never its
  // queries, were read while changing the search in sessions 3 and 4 (0.899, 1.000, 0.854).
  {
    file: "holdout-set.json",
    variants: true,
    measured: "2026-11-26",
    n: 120,
    top1: 0.88,
    top3: 0.98,
    abstention: 0.83,
  },
  // Written blind in session 3 by someone who never saw the search or its results; its totals were
  // read in session 4 to decide whether to keep the other ways of asking (0.856, 0.985, 0.820).
  {
    file: "holdout2-set.json",
    variants: true,
    measured: "2026-11-26",
    n: 120,
    top1: 0.84,
    top3: 0.96,
    abstention: 0.8,
  },
  // Written blind in session 4; its totals were read three times while the change took shape
  // (last: 0.885, 0.995, 0.860).
  {
    file: "holdout3-set.json",
    variants: true,
    measured: "2026-11-26",
    n: 240,
    top1: 0.87,
    top3: 0.98,
    abstention: 0.84,
  },
  // Written blind in session 4 after the search was final, first run on it: the honest measure
  // (0.832, 0.995, 0.760; the search before variants: 0.753, 0.947, 0.760). Never tune on it.
  {
    file: "holdout4-set.json",
    variants: true,
    measured: "2026-11-26",
    n: 230,
    top1: 0.81,
    top3: 0.98,
    abstention: 0.74,
  },
  // The store as written, without the other ways of asking (a store whose admins wrote none): the rule
  // for such entries is the one calibrated without them, so these stay what they were before session 4
  // (0.933/0.993/0.905, 0.872/0.989/0.813, 0.738/0.974/0.820; holdout3 0.865/0.995/0.820,
  // holdout4 0.753/0.947/0.760).
  { file: "eval-set.json", variants: false, measured: "2026-11-26", n: 120, top1: 0.91, top3: 0.98, abstention: 0.88 },
  {
    file: "holdout-set.json",
    variants: false,
    measured: "2026-11-26",
    n: 120,
    top1: 0.86,
    top3: 0.98,
    abstention: 0.79,
  },
  {
    file: "holdout2-set.json",
    variants: false,
    measured: "2026-11-26",
    n: 120,
    top1: 0.72,
    top3: 0.96,
    abstention: 0.8,
  },
  {
    file: "holdout3-set.json",
    variants: false,
    measured: "2026-11-26",
    n: 240,
    top1: 0.85,
    top3: 0.98,
    abstention: 0.8,
  },
  {
    file: "holdout4-set.json",
    variants: false,
    measured: "2026-11-26",
    n: 230,
    top1: 0.73,
    top3: 0.93,
    abstention: 0.74,
  },
])("answers $file (variants: $variants) at least as well as measured on $measured", (floor) => {
  const { set, result } = measure(floor.file, floor.variants);
  expect(set.length).toBeGreaterThanOrEqual(floor.n);
  expect(result.top1).toBeGreaterThanOrEqual(floor.top1);
  expect(result.top3).toBeGreaterThanOrEqual(floor.top3);
  expect(result.abstention).toBeGreaterThanOrEqual(floor.abstention);
});
