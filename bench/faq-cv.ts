// `npx tsx bench/faq-cv.ts [--bare] [--misses] [--holdout]`: how well the /ask search should do on
// queries it was not tuned on, with the starter store's other ways of asking (THRESHOLDS.variants)
// or, with --bare, without them (THRESHOLDS.plain). The thresholds are chosen by 5-fold cross-validation on
// test/faq/eval-set.json that holds out whole entries (a query's fold is its entry's, so no
// entry is both tuned and tested on), repeated over 20 random splits. `--misses` lists the
// tuning set's failures; `--holdout` prints the held-out set's aggregate figures only — never
// its queries, so it is never tuned on.
import { type EvalQuery, evalSet, evaluate, seedIndex } from "../src/faq/evaluate.ts";
import { decide, type Ranked, THRESHOLDS, type Thresholds } from "../src/faq/search.ts";

const bare = process.argv.includes("--bare");
const index = seedIndex({ variants: !bare });
const load = evalSet;
const set = load("eval-set.json");
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

function report(name: string, queries: EvalQuery[], misses: boolean) {
  const e = evaluate(index, queries);
  console.log(`${name}: top-1 ${pct(e.top1)} · top-3 ${pct(e.top3)} · abstention ${pct(e.abstention)}`);
  for (const k of e.kinds)
    console.log(
      `  ${k.kind.padEnd(15)} n=${String(k.n).padStart(3)} top-1 ${pct(k.top1 / k.n)} top-3 ${pct(k.top3 / k.n)} abstained ${pct(k.abstained / k.n)}`,
    );
  if (misses)
    for (const m of e.misses) console.log(`  ✗ ${m.expected ?? "—"} got ${m.got ?? "—"} [${m.top}] ${m.query}`);
}

// Every grid point's outcome for every query, computed once: 1 right, 0 abstained, -1 wrong.
const grid: Thresholds[] = [];
for (let wordsNeeded = 1; wordsNeeded <= 5; wordsNeeded++)
  for (let c = 50; c <= 100; c += 5)
    for (let l = 10; l <= 25; l++)
      for (const minTie of [1, 1.02, 1.05, 1.1, 1.2])
        grid.push({ wordsNeeded, fullCoverage: c / 100, minLead: l / 10, minTie });
const ranked = set.map((q) => index.rank(q.query));
const outcome = grid.map((t) =>
  set.map((q, i) => {
    const got = decide(ranked[i] as Ranked, { plain: t, variants: t }).best?.id ?? null;
    return got === q.expected ? 1 : got === null ? 0 : -1;
  }),
);

/** Equal weight to answering in-scope queries right and abstaining on out-of-scope ones. */
function figures(g: number, queries: number[]) {
  let inScope = 0;
  let right = 0;
  let wrong = 0;
  let oos = 0;
  let abstained = 0;
  for (const i of queries) {
    const o = outcome[g]?.[i] as number;
    if (set[i]?.expected === null) {
      oos++;
      if (o === 1) abstained++;
    } else {
      inScope++;
      if (o === 1) right++;
      if (o === -1) wrong++;
    }
  }
  return { top1: right / inScope, wrong: wrong / inScope, abstention: abstained / oos };
}
const objective = (f: ReturnType<typeof figures>) => (f.top1 + f.abstention) / 2;

// Mulberry32: the same splits on every run, so two versions of the search are compared fairly.
function random(seedValue: number) {
  let a = seedValue;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REPEATS = Number(process.env.REPEATS ?? 20);
const FOLDS = 5;
const totals = { top1: 0, wrong: 0, abstention: 0 };
const chosen = new Map<number, number>();
for (let r = 0; r < REPEATS; r++) {
  const rand = random(r + 1);
  // Entries (and each out-of-scope query on its own) are dealt to folds in a shuffled order.
  const groups = [...new Set(set.map((q, i) => q.expected ?? `oos-${i}`))].sort(() => rand() - 0.5);
  const foldOf = new Map(groups.map((g, i) => [g, i % FOLDS]));
  const fold = set.map((q, i) => foldOf.get(q.expected ?? `oos-${i}`) as number);
  const all = set.map((_, i) => i);
  for (let f = 0; f < FOLDS; f++) {
    const train = all.filter((i) => fold[i] !== f);
    const test = all.filter((i) => fold[i] === f);
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    grid.forEach((_, g) => {
      const s = objective(figures(g, train));
      if (s > bestScore) [best, bestScore] = [g, s];
    });
    chosen.set(best, (chosen.get(best) ?? 0) + 1);
    const t = figures(best, test);
    totals.top1 += t.top1;
    totals.wrong += t.wrong;
    totals.abstention += t.abstention;
  }
}
const n = REPEATS * FOLDS;
console.log(
  `CV (${FOLDS}-fold by entry × ${REPEATS}): top-1 ${pct(totals.top1 / n)} · wrong ${pct(totals.wrong / n)} · abstention ${pct(totals.abstention / n)} · objective ${pct((totals.top1 + totals.abstention) / n / 2)}`,
);
const often = [...chosen].sort((a, b) => b[1] - a[1]).slice(0, 5);
console.log(`  chosen most: ${often.map(([g, k]) => `${JSON.stringify(grid[g])}×${k}`).join(" ")}`);
const whole = grid.map((_, g) =>
  objective(
    figures(
      g,
      set.map((_, i) => i),
    ),
  ),
);
const bestWhole = whole.indexOf(Math.max(...whole));
console.log(`  best on the whole set: ${JSON.stringify(grid[bestWhole])} objective ${pct(whole[bestWhole] as number)}`);
console.log(`  current ${JSON.stringify(bare ? THRESHOLDS.plain : THRESHOLDS.variants)}`);
report("eval-set", set, process.argv.includes("--misses"));
if (process.argv.includes("--holdout")) report("holdout-set (aggregate only)", load("holdout-set.json"), false);
