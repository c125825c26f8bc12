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
  // alone by someone who never saw these sets or the search). Figures of 2026-11-26, session 5.
  // The training sets (TRAINING_SETS): eval-set.json was written without looking at the search and the
  // search was tuned on it (0.974, 0.996, 0.929); the next three were written blind and measured the
  // search until session 5, when their honest runs were spent and they joined the training data
  // (thresholds calibrated on all four, a few words added to the lexicon from their misses):
  // 0.920/1.000/0.854, 0.877/0.985/0.820, 0.920/0.995/0.860.
  { file: "eval-set.json", variants: true, measured: "2026-11-26", n: 120, top1: 0.95, top3: 0.98, abstention: 0.9 },
  { file: "holdout-set.json", variants: true, measured: "2026-11-26", n: 120, top1: 0.9, top3: 0.98, abstention: 0.83 },
  {
    file: "holdout2-set.json",
    variants: true,
    measured: "2026-11-26",
    n: 120,
    top1: 0.86,
    top3: 0.96,
    abstention: 0.8,
  },
  {
    file: "holdout3-set.json",
    variants: true,
    measured: "2026-11-26",
    n: 240,
    top1: 0.9,
    top3: 0.98,
    abstention: 0.84,
  },
  // The blind sets (BLIND_SETS), never tuned on, only their figures (totals, per kind) ever read. holdout4 was written in
  // session 4 once its search was final (first run 0.832, 0.995, 0.760); after session 5's new rule
  // 0.847/0.995/0.760, and its lexicon words 0.847/0.989/0.760. holdout5 was written in session 5
  // before either change and first run after the rule: the honest measure (0.821, 0.984, 0.740);
  // after the lexicon words 0.826/0.984/0.740.
  {
    file: "holdout4-set.json",
    variants: true,
    measured: "2026-11-26",
    n: 240,
    top1: 0.83,
    top3: 0.98,
    abstention: 0.74,
  },
  {
    file: "holdout5-set.json",
    variants: true,
    measured: "2026-11-26",
    n: 240,
    top1: 0.8,
    top3: 0.96,
    abstention: 0.72,
  },
  // holdout6 was written in session 5 once its search was final, and run once then: 0.874, 1.000, 0.800.
  {
    file: "holdout6-set.json",
    variants: true,
    measured: "2026-11-26",
    n: 240,
    top1: 0.85,
    top3: 0.98,
    abstention: 0.78,
  },
  // The store as written, without the other ways of asking (a store whose admins wrote none), under the
  // rule calibrated for such entries: 0.933/0.993/0.905, 0.888/0.989/0.813, 0.754/0.974/0.820,
  // 0.870/0.995/0.820; blind: holdout4 0.753/0.947/0.760, holdout5 0.774/0.958/0.740,
  // holdout6 0.816/0.979/0.800.
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
    top1: 0.73,
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
    n: 240,
    top1: 0.73,
    top3: 0.93,
    abstention: 0.74,
  },
  {
    file: "holdout5-set.json",
    variants: false,
    measured: "2026-11-26",
    n: 240,
    top1: 0.75,
    top3: 0.94,
    abstention: 0.72,
  },
  {
    file: "holdout6-set.json",
    variants: false,
    measured: "2026-11-26",
    n: 240,
    top1: 0.79,
    top3: 0.95,
    abstention: 0.78,
  },
])("answers $file (variants: $variants) at least as well as measured on $measured", (floor) => {
  const { set, result } = measure(floor.file, floor.variants);
  expect(set.length).toBeGreaterThanOrEqual(floor.n);
  expect(result.top1).toBeGreaterThanOrEqual(floor.top1);
  expect(result.top3).toBeGreaterThanOrEqual(floor.top3);
  expect(result.abstention).toBeGreaterThanOrEqual(floor.abstention);
});
