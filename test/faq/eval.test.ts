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
  // The starter store with its other ways of asking (src/faq/seed-variants.csv) and its out-of-scope examples
  // (src/faq/out-of-scope.csv), both written from the entries alone by helpers that never saw these sets.
  // Measured 2026-11-27, session 7 (the calibrated model), top-1 / top-3 / abstention:
  // eval-set.json (training): 0.978/0.996/0.929
  { file: "eval-set.json", variants: true, n: 311, top1: 0.95, top3: 0.97, abstention: 0.9 },
  // holdout-set.json (training): 0.941/1.000/0.854
  { file: "holdout-set.json", variants: true, n: 236, top1: 0.92, top3: 0.98, abstention: 0.83 },
  // holdout2-set.json (training): 0.923/0.985/0.880
  { file: "holdout2-set.json", variants: true, n: 245, top1: 0.9, top3: 0.96, abstention: 0.86 },
  // holdout3-set.json (training): 0.945/0.995/0.940
  { file: "holdout3-set.json", variants: true, n: 250, top1: 0.92, top3: 0.97, abstention: 0.92 },
  // holdout4-set.json (training): 0.916/1.000/0.820
  { file: "holdout4-set.json", variants: true, n: 240, top1: 0.89, top3: 0.98, abstention: 0.8 },
  // holdout5-set.json (training): 0.889/0.984/0.820
  { file: "holdout5-set.json", variants: true, n: 240, top1: 0.86, top3: 0.96, abstention: 0.8 },
  // holdout6-set.json (training): 0.911/1.000/0.860
  { file: "holdout6-set.json", variants: true, n: 240, top1: 0.89, top3: 0.98, abstention: 0.84 },
  // holdout7-set.json (training): 0.926/1.000/0.860
  { file: "holdout7-set.json", variants: true, n: 240, top1: 0.9, top3: 0.98, abstention: 0.84 },
  // holdout8-set.json (training): 0.879/0.984/0.900
  { file: "holdout8-set.json", variants: true, n: 240, top1: 0.85, top3: 0.96, abstention: 0.88 },
  // holdout9-set.json (training): 0.884/0.984/0.820
  { file: "holdout9-set.json", variants: true, n: 240, top1: 0.86, top3: 0.96, abstention: 0.8 },
  // holdout10-set.json (training): 0.853/0.979/0.860
  { file: "holdout10-set.json", variants: true, n: 240, top1: 0.83, top3: 0.95, abstention: 0.84 },
  // holdout11-set.json (training): 0.889/0.974/0.860
  { file: "holdout11-set.json", variants: true, n: 240, top1: 0.86, top3: 0.95, abstention: 0.84 },
  // holdout12-set.json (blind; written before session 7's calibration was judged, first run on session 6's search 0.884/0.979/0.780, first after it): 0.889/0.979/0.820
  { file: "holdout12-set.json", variants: true, n: 240, top1: 0.86, top3: 0.95, abstention: 0.8 },
  // holdout13-set.json (blind; written before session 7's calibration was judged, first run on session 6's search 0.874/0.989/0.760, first after it): 0.889/0.989/0.820
  { file: "holdout13-set.json", variants: true, n: 240, top1: 0.86, top3: 0.96, abstention: 0.8 },
  // The store as written, without the other ways of asking (a store whose admins wrote none), under the
  // model fitted for such entries:
  // eval-set.json (training): 0.933/0.993/0.905
  { file: "eval-set.json", variants: false, n: 311, top1: 0.91, top3: 0.97, abstention: 0.88 },
  // holdout-set.json (training): 0.883/0.989/0.875
  { file: "holdout-set.json", variants: false, n: 236, top1: 0.86, top3: 0.96, abstention: 0.85 },
  // holdout2-set.json (training): 0.779/0.974/0.940
  { file: "holdout2-set.json", variants: false, n: 245, top1: 0.75, top3: 0.95, abstention: 0.92 },
  // holdout3-set.json (training): 0.865/0.995/0.960
  { file: "holdout3-set.json", variants: false, n: 250, top1: 0.84, top3: 0.97, abstention: 0.94 },
  // holdout4-set.json (training): 0.768/0.963/0.860
  { file: "holdout4-set.json", variants: false, n: 240, top1: 0.74, top3: 0.94, abstention: 0.84 },
  // holdout5-set.json (training): 0.821/0.958/0.880
  { file: "holdout5-set.json", variants: false, n: 240, top1: 0.8, top3: 0.93, abstention: 0.86 },
  // holdout6-set.json (training): 0.837/0.984/0.920
  { file: "holdout6-set.json", variants: false, n: 240, top1: 0.81, top3: 0.96, abstention: 0.9 },
  // holdout7-set.json (training): 0.847/0.979/0.900
  { file: "holdout7-set.json", variants: false, n: 240, top1: 0.82, top3: 0.95, abstention: 0.88 },
  // holdout8-set.json (training): 0.779/0.953/0.920
  { file: "holdout8-set.json", variants: false, n: 240, top1: 0.75, top3: 0.93, abstention: 0.9 },
  // holdout9-set.json (training): 0.753/0.968/0.800
  { file: "holdout9-set.json", variants: false, n: 240, top1: 0.73, top3: 0.94, abstention: 0.78 },
  // holdout10-set.json (training): 0.774/0.947/0.960
  { file: "holdout10-set.json", variants: false, n: 240, top1: 0.75, top3: 0.92, abstention: 0.94 },
  // holdout11-set.json (training): 0.779/0.958/0.840
  { file: "holdout11-set.json", variants: false, n: 240, top1: 0.75, top3: 0.93, abstention: 0.82 },
  // holdout12-set.json (blind): 0.832/0.979/0.840
  { file: "holdout12-set.json", variants: false, n: 240, top1: 0.81, top3: 0.95, abstention: 0.82 },
  // holdout13-set.json (blind): 0.800/0.979/0.880
  { file: "holdout13-set.json", variants: false, n: 240, top1: 0.78, top3: 0.95, abstention: 0.86 },
])("answers $file (variants: $variants) at least as well as measured on 2026-11-27", (floor) => {
  const { set, result } = measure(floor.file, floor.variants);
  expect(set.length).toBeGreaterThanOrEqual(floor.n);
  expect(result.top1).toBeGreaterThanOrEqual(floor.top1);
  expect(result.top3).toBeGreaterThanOrEqual(floor.top3);
  expect(result.abstention).toBeGreaterThanOrEqual(floor.abstention);
});
