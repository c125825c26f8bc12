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
  // alone by someone who never saw these sets or the search) and its out-of-scope examples
  // (src/faq/out-of-scope.csv, likewise). Figures of 2026-11-26, session 6 (top-1 / top-3 / abstention):
  // the training sets (TRAINING_SETS; thresholds calibrated on them, lexicon words from the first
  // four's misses) 0.974/0.996/0.905, 0.931/1.000/0.875, 0.908/0.985/0.880, 0.925/0.995/0.940,
  // 0.868/0.995/0.740, 0.853/0.984/0.820, 0.879/1.000/0.880.
  { file: "eval-set.json", variants: true, measured: "2026-11-26", n: 120, top1: 0.95, top3: 0.98, abstention: 0.88 },
  {
    file: "holdout-set.json",
    variants: true,
    measured: "2026-11-26",
    n: 120,
    top1: 0.91,
    top3: 0.98,
    abstention: 0.85,
  },
  {
    file: "holdout2-set.json",
    variants: true,
    measured: "2026-11-26",
    n: 120,
    top1: 0.88,
    top3: 0.96,
    abstention: 0.86,
  },
  {
    file: "holdout3-set.json",
    variants: true,
    measured: "2026-11-26",
    n: 240,
    top1: 0.9,
    top3: 0.98,
    abstention: 0.92,
  },
  {
    file: "holdout4-set.json",
    variants: true,
    measured: "2026-11-26",
    n: 240,
    top1: 0.84,
    top3: 0.98,
    abstention: 0.72,
  },
  {
    file: "holdout5-set.json",
    variants: true,
    measured: "2026-11-26",
    n: 240,
    top1: 0.83,
    top3: 0.96,
    abstention: 0.8,
  },
  {
    file: "holdout6-set.json",
    variants: true,
    measured: "2026-11-26",
    n: 240,
    top1: 0.85,
    top3: 0.98,
    abstention: 0.86,
  },
  // The blind sets (BLIND_SETS), never tuned on, only their figures ever read: holdout7 was written
  // before the out-of-scope examples were judged (first run, 508 examples: 0.926/1.000/0.760; with
  // 1,009: 0.921/1.000/0.800); holdout8 before the second batch of examples was, first run 0.847/0.979/0.900.
  {
    file: "holdout7-set.json",
    variants: true,
    measured: "2026-11-26",
    n: 240,
    top1: 0.9,
    top3: 0.98,
    abstention: 0.78,
  },
  {
    file: "holdout8-set.json",
    variants: true,
    measured: "2026-11-26",
    n: 240,
    top1: 0.82,
    top3: 0.96,
    abstention: 0.88,
  },
  // The store as written, without the other ways of asking (a store whose admins wrote none), under the
  // rule calibrated for such entries: 0.929/0.993/0.905, 0.867/0.989/0.896, 0.779/0.974/0.940,
  // 0.860/0.995/0.960, 0.758/0.947/0.860, 0.811/0.958/0.880, 0.832/0.979/0.920; blind 0.837/0.979/0.900,
  // 0.774/0.953/0.900.
  { file: "eval-set.json", variants: false, measured: "2026-11-26", n: 120, top1: 0.9, top3: 0.98, abstention: 0.88 },
  {
    file: "holdout-set.json",
    variants: false,
    measured: "2026-11-26",
    n: 120,
    top1: 0.84,
    top3: 0.98,
    abstention: 0.87,
  },
  {
    file: "holdout2-set.json",
    variants: false,
    measured: "2026-11-26",
    n: 120,
    top1: 0.75,
    top3: 0.96,
    abstention: 0.92,
  },
  {
    file: "holdout3-set.json",
    variants: false,
    measured: "2026-11-26",
    n: 240,
    top1: 0.84,
    top3: 0.98,
    abstention: 0.94,
  },
  {
    file: "holdout4-set.json",
    variants: false,
    measured: "2026-11-26",
    n: 240,
    top1: 0.73,
    top3: 0.93,
    abstention: 0.84,
  },
  {
    file: "holdout5-set.json",
    variants: false,
    measured: "2026-11-26",
    n: 240,
    top1: 0.79,
    top3: 0.94,
    abstention: 0.86,
  },
  {
    file: "holdout6-set.json",
    variants: false,
    measured: "2026-11-26",
    n: 240,
    top1: 0.81,
    top3: 0.96,
    abstention: 0.9,
  },
  {
    file: "holdout7-set.json",
    variants: false,
    measured: "2026-11-26",
    n: 240,
    top1: 0.81,
    top3: 0.96,
    abstention: 0.88,
  },
  {
    file: "holdout8-set.json",
    variants: false,
    measured: "2026-11-26",
    n: 240,
    top1: 0.75,
    top3: 0.94,
    abstention: 0.88,
  },
])("answers $file (variants: $variants) at least as well as measured on $measured", (floor) => {
  const { set, result } = measure(floor.file, floor.variants);
  expect(set.length).toBeGreaterThanOrEqual(floor.n);
  expect(result.top1).toBeGreaterThanOrEqual(floor.top1);
  expect(result.top3).toBeGreaterThanOrEqual(floor.top3);
  expect(result.abstention).toBeGreaterThanOrEqual(floor.abstention);
});
