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
  // the training sets (TRAINING_SETS; thresholds calibrated on them, lexicon words from their misses)
  // 0.974/0.996/0.881, 0.936/1.000/0.875, 0.913/0.985/0.860, 0.920/0.995/0.960.
  { file: "eval-set.json", variants: true, measured: "2026-11-26", n: 120, top1: 0.95, top3: 0.98, abstention: 0.85 },
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
    top1: 0.89,
    top3: 0.96,
    abstention: 0.84,
  },
  {
    file: "holdout3-set.json",
    variants: true,
    measured: "2026-11-26",
    n: 240,
    top1: 0.9,
    top3: 0.98,
    abstention: 0.94,
  },
  // The blind sets (BLIND_SETS), never tuned on, only their figures ever read: holdout4–6 were each
  // run after changes (session 6: 0.874/0.995/0.720, 0.853/0.984/0.780, 0.884/1.000/0.840); holdout7 was
  // written in session 6 before the out-of-scope examples were judged, first run 0.926/1.000/0.760.
  {
    file: "holdout4-set.json",
    variants: true,
    measured: "2026-11-26",
    n: 240,
    top1: 0.85,
    top3: 0.98,
    abstention: 0.7,
  },
  {
    file: "holdout5-set.json",
    variants: true,
    measured: "2026-11-26",
    n: 240,
    top1: 0.83,
    top3: 0.96,
    abstention: 0.76,
  },
  {
    file: "holdout6-set.json",
    variants: true,
    measured: "2026-11-26",
    n: 240,
    top1: 0.86,
    top3: 0.98,
    abstention: 0.82,
  },
  {
    file: "holdout7-set.json",
    variants: true,
    measured: "2026-11-26",
    n: 240,
    top1: 0.9,
    top3: 0.98,
    abstention: 0.74,
  },
  // The store as written, without the other ways of asking (a store whose admins wrote none), under the
  // rule calibrated for such entries: 0.941/0.993/0.905, 0.883/0.989/0.917, 0.795/0.974/0.900,
  // 0.865/0.995/0.980; blind 0.774/0.947/0.820, 0.821/0.958/0.860, 0.842/0.979/0.900, 0.842/0.979/0.820.
  { file: "eval-set.json", variants: false, measured: "2026-11-26", n: 120, top1: 0.92, top3: 0.98, abstention: 0.88 },
  {
    file: "holdout-set.json",
    variants: false,
    measured: "2026-11-26",
    n: 120,
    top1: 0.86,
    top3: 0.98,
    abstention: 0.89,
  },
  {
    file: "holdout2-set.json",
    variants: false,
    measured: "2026-11-26",
    n: 120,
    top1: 0.77,
    top3: 0.96,
    abstention: 0.88,
  },
  {
    file: "holdout3-set.json",
    variants: false,
    measured: "2026-11-26",
    n: 240,
    top1: 0.84,
    top3: 0.98,
    abstention: 0.96,
  },
  {
    file: "holdout4-set.json",
    variants: false,
    measured: "2026-11-26",
    n: 240,
    top1: 0.75,
    top3: 0.93,
    abstention: 0.8,
  },
  {
    file: "holdout5-set.json",
    variants: false,
    measured: "2026-11-26",
    n: 240,
    top1: 0.8,
    top3: 0.94,
    abstention: 0.84,
  },
  {
    file: "holdout6-set.json",
    variants: false,
    measured: "2026-11-26",
    n: 240,
    top1: 0.82,
    top3: 0.95,
    abstention: 0.88,
  },
  {
    file: "holdout7-set.json",
    variants: false,
    measured: "2026-11-26",
    n: 240,
    top1: 0.82,
    top3: 0.95,
    abstention: 0.8,
  },
])("answers $file (variants: $variants) at least as well as measured on $measured", (floor) => {
  const { set, result } = measure(floor.file, floor.variants);
  expect(set.length).toBeGreaterThanOrEqual(floor.n);
  expect(result.top1).toBeGreaterThanOrEqual(floor.top1);
  expect(result.top3).toBeGreaterThanOrEqual(floor.top3);
  expect(result.abstention).toBeGreaterThanOrEqual(floor.abstention);
});
