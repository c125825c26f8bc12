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
  // Measured 2026-11-27, session 7 (the nearest-example rule), top-1 / top-3 / abstention:
  // eval-set.json (training): 0.981/0.996/0.905
  { file: "eval-set.json", variants: true, n: 311, top1: 0.96, top3: 0.97, abstention: 0.88 },
  // holdout-set.json (training): 0.947/1.000/0.896
  { file: "holdout-set.json", variants: true, n: 236, top1: 0.92, top3: 0.98, abstention: 0.87 },
  // holdout2-set.json (training): 0.923/0.985/0.860
  { file: "holdout2-set.json", variants: true, n: 245, top1: 0.9, top3: 0.96, abstention: 0.84 },
  // holdout3-set.json (training): 0.950/0.995/0.940
  { file: "holdout3-set.json", variants: true, n: 250, top1: 0.93, top3: 0.97, abstention: 0.92 },
  // holdout4-set.json (training): 0.921/1.000/0.920
  { file: "holdout4-set.json", variants: true, n: 240, top1: 0.9, top3: 0.98, abstention: 0.9 },
  // holdout5-set.json (training): 0.900/0.984/0.860
  { file: "holdout5-set.json", variants: true, n: 240, top1: 0.88, top3: 0.96, abstention: 0.84 },
  // holdout6-set.json (training): 0.905/1.000/0.920
  { file: "holdout6-set.json", variants: true, n: 240, top1: 0.88, top3: 0.98, abstention: 0.9 },
  // holdout7-set.json (training): 0.942/1.000/0.940
  { file: "holdout7-set.json", variants: true, n: 240, top1: 0.92, top3: 0.98, abstention: 0.92 },
  // holdout8-set.json (training): 0.884/0.984/0.940
  { file: "holdout8-set.json", variants: true, n: 240, top1: 0.86, top3: 0.96, abstention: 0.92 },
  // holdout9-set.json (training): 0.895/0.984/0.880
  { file: "holdout9-set.json", variants: true, n: 240, top1: 0.87, top3: 0.96, abstention: 0.86 },
  // holdout10-set.json (training): 0.858/0.979/0.900
  { file: "holdout10-set.json", variants: true, n: 240, top1: 0.83, top3: 0.95, abstention: 0.88 },
  // holdout11-set.json (training): 0.905/0.974/0.900
  { file: "holdout11-set.json", variants: true, n: 240, top1: 0.88, top3: 0.95, abstention: 0.88 },
  // holdout12-set.json (training): 0.889/0.979/0.920
  { file: "holdout12-set.json", variants: true, n: 240, top1: 0.86, top3: 0.95, abstention: 0.9 },
  // holdout13-set.json (training): 0.895/0.989/0.920
  { file: "holdout13-set.json", variants: true, n: 240, top1: 0.87, top3: 0.96, abstention: 0.9 },
  // holdout14-set.json (blind; first run on the first form of the nearest-example rule 0.916/0.995/0.880; session 6's search 0.900/0.995/0.840): 0.916/0.995/0.900
  { file: "holdout14-set.json", variants: true, n: 240, top1: 0.89, top3: 0.97, abstention: 0.88 },
  // holdout15-set.json (blind; first run on the first form of the nearest-example rule 0.900/1.000/0.880; session 6's search 0.874/1.000/0.800): 0.900/1.000/0.880
  { file: "holdout15-set.json", variants: true, n: 240, top1: 0.88, top3: 0.98, abstention: 0.86 },
  // holdout16-set.json (blind; first run; session 6's search 0.853/1.000/0.740): 0.884/1.000/0.880
  { file: "holdout16-set.json", variants: true, n: 240, top1: 0.86, top3: 0.98, abstention: 0.86 },
  // holdout17-set.json (blind; first run; session 6's search 0.868/0.989/0.820): 0.889/0.989/0.940
  { file: "holdout17-set.json", variants: true, n: 240, top1: 0.86, top3: 0.96, abstention: 0.92 },
  // The store as written, without the other ways of asking (a store whose admins wrote none), under the
  // rule chosen for such entries:
  // eval-set.json (training): 0.933/0.993/0.905
  { file: "eval-set.json", variants: false, n: 311, top1: 0.91, top3: 0.97, abstention: 0.88 },
  // holdout-set.json (training): 0.894/0.989/0.896
  { file: "holdout-set.json", variants: false, n: 236, top1: 0.87, top3: 0.96, abstention: 0.87 },
  // holdout2-set.json (training): 0.795/0.974/0.900
  { file: "holdout2-set.json", variants: false, n: 245, top1: 0.77, top3: 0.95, abstention: 0.88 },
  // holdout3-set.json (training): 0.870/0.995/0.960
  { file: "holdout3-set.json", variants: false, n: 250, top1: 0.85, top3: 0.97, abstention: 0.94 },
  // holdout4-set.json (training): 0.779/0.963/0.900
  { file: "holdout4-set.json", variants: false, n: 240, top1: 0.75, top3: 0.94, abstention: 0.88 },
  // holdout5-set.json (training): 0.826/0.958/0.900
  { file: "holdout5-set.json", variants: false, n: 240, top1: 0.8, top3: 0.93, abstention: 0.88 },
  // holdout6-set.json (training): 0.842/0.984/0.960
  { file: "holdout6-set.json", variants: false, n: 240, top1: 0.82, top3: 0.96, abstention: 0.94 },
  // holdout7-set.json (training): 0.847/0.979/0.940
  { file: "holdout7-set.json", variants: false, n: 240, top1: 0.82, top3: 0.95, abstention: 0.92 },
  // holdout8-set.json (training): 0.795/0.953/0.940
  { file: "holdout8-set.json", variants: false, n: 240, top1: 0.77, top3: 0.93, abstention: 0.92 },
  // holdout9-set.json (training): 0.763/0.968/0.860
  { file: "holdout9-set.json", variants: false, n: 240, top1: 0.74, top3: 0.94, abstention: 0.84 },
  // holdout10-set.json (training): 0.774/0.947/0.960
  { file: "holdout10-set.json", variants: false, n: 240, top1: 0.75, top3: 0.92, abstention: 0.94 },
  // holdout11-set.json (training): 0.784/0.958/0.880
  { file: "holdout11-set.json", variants: false, n: 240, top1: 0.76, top3: 0.93, abstention: 0.86 },
  // holdout12-set.json (training): 0.832/0.979/0.860
  { file: "holdout12-set.json", variants: false, n: 240, top1: 0.81, top3: 0.95, abstention: 0.84 },
  // holdout13-set.json (training): 0.816/0.979/0.960
  { file: "holdout13-set.json", variants: false, n: 240, top1: 0.79, top3: 0.95, abstention: 0.94 },
  // holdout14-set.json (blind): 0.858/0.989/0.840
  { file: "holdout14-set.json", variants: false, n: 240, top1: 0.83, top3: 0.96, abstention: 0.82 },
  // holdout15-set.json (blind): 0.868/0.974/0.860
  { file: "holdout15-set.json", variants: false, n: 240, top1: 0.84, top3: 0.95, abstention: 0.84 },
  // holdout16-set.json (blind): 0.826/0.984/0.880
  { file: "holdout16-set.json", variants: false, n: 240, top1: 0.8, top3: 0.96, abstention: 0.86 },
  // holdout17-set.json (blind): 0.847/0.974/0.920
  { file: "holdout17-set.json", variants: false, n: 240, top1: 0.82, top3: 0.95, abstention: 0.9 },
])("answers $file (variants: $variants) at least as well as measured on 2026-11-27", (floor) => {
  const { set, result } = measure(floor.file, floor.variants);
  expect(set.length).toBeGreaterThanOrEqual(floor.n);
  expect(result.top1).toBeGreaterThanOrEqual(floor.top1);
  expect(result.top3).toBeGreaterThanOrEqual(floor.top3);
  expect(result.abstention).toBeGreaterThanOrEqual(floor.abstention);
});
