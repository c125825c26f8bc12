// `npx tsx bench/faq-cv.ts [--bare] [--misses] [--holdout]`: how well the /ask search should do on
// queries it was not tuned on, with the starter store's other ways of asking (THRESHOLDS.variants)
// or, with --bare, without them (THRESHOLDS.plain). The thresholds are chosen by 5-fold
// cross-validation on the training sets (TRAINING_SETS) that holds out whole entries (a query's fold
// is its entry's, so no entry is both tuned and tested on), repeated over REPEATS (20) random splits;
// OBJECTIVE=goal maximises the smaller margin over the goals (top-1 0.90, abstention 0.85) instead
// of the mean; NO_OUTSIDE=1 leaves the out-of-scope examples and their rules out. `--misses` lists
// the training sets' failures; `--holdout` prints the blind sets' aggregate figures only — never
// their queries, so they are never tuned on.
import { BLIND_SETS, type EvalQuery, evalSet, evaluate, seedIndex, TRAINING_SETS } from "../src/faq/evaluate.ts";
import { decide, type Ranked, THRESHOLDS, type Thresholds } from "../src/faq/search.ts";

const bare = process.argv.includes("--bare");
const index = seedIndex({ variants: !bare, outside: !process.env.NO_OUTSIDE });
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
/** Thresholds as JSON, an endless threshold (the rule off) written as such rather than null. */
const show = (t: unknown) => JSON.stringify(t, (_, v) => (v === Number.POSITIVE_INFINITY ? "Infinity" : v));
const sets = TRAINING_SETS.map((file) => ({ file, queries: evalSet(file) }));
const set = sets.flatMap((s) => s.queries);

/** A set's figures; per kind and its misses only for a training set, never for a blind one. */
function report(name: string, queries: EvalQuery[], misses: boolean, blind = false) {
  const e = evaluate(index, queries);
  console.log(`${name}: top-1 ${pct(e.top1)} · top-3 ${pct(e.top3)} · abstention ${pct(e.abstention)}`);
  if (blind) return;
  for (const k of e.kinds)
    console.log(
      `  ${k.kind.padEnd(15)} n=${String(k.n).padStart(3)} top-1 ${pct(k.top1 / k.n)} top-3 ${pct(k.top3 / k.n)} abstained ${pct(k.abstained / k.n)}`,
    );
  if (misses)
    for (const m of e.misses) console.log(`  ✗ ${m.expected ?? "—"} got ${m.got ?? "—"} [${m.top}] ${m.query}`);
}

const OFF = Number.POSITIVE_INFINITY;
/** The out-of-scope examples' rules: off, or the share of the query they must explain / how alike they must be (`outsideCoverage` stays 0.8). */
const OUTSIDE = process.env.NO_OUTSIDE ? [OFF] : [OFF, 0.15, 0.2];
const NEAREST = process.env.NO_OUTSIDE ? [OFF] : [OFF, 0.5, 0.6, 0.7, 0.8, 0.9];
// Every grid point's outcome for every query, computed once: 1 right, 0 abstained, -1 wrong. Never
// fewer than 3 words nor a lead under 1.02, whatever the sets say: an answer on one word in common
// ("quién ganó anoche el derbi"), or a coin flip between two entries that match alike, is the wrong
// confident answer users trust least (DECISIONS §5).
const grid: Thresholds[] = [];
for (const words of [3, 4])
  for (const coverage of [0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8])
    for (const lead of [1.02, 1.05, 1.2, 1.4])
      for (const outside of OUTSIDE)
        for (const nearest of NEAREST)
          for (const nearestMargin of nearest === OFF ? [0] : [0.1, 0.15, 0.2])
            grid.push({ words, coverage, lead, outside, outsideCoverage: 0.8, nearest, nearestMargin });
const ranked = set.map((q) => index.rank(q.query));
const decideAll = (t: Thresholds) =>
  new Int8Array(
    set.map((q, i) => {
      const got = decide(ranked[i] as Ranked, { plain: t, variants: t }).best?.id ?? null;
      return got === q.expected ? 1 : got === null ? 0 : -1;
    }),
  );
const outcome = grid.map(decideAll);

interface Counts {
  inScope: number;
  right: number;
  wrong: number;
  oos: number;
  abstained: number;
}
/** The grid point's counts over some queries. */
function counts(o: Int8Array, queries: number[]): Counts {
  const c = { inScope: 0, right: 0, wrong: 0, oos: 0, abstained: 0 };
  for (const i of queries) {
    if (set[i]?.expected === null) {
      c.oos++;
      if (o[i] === 1) c.abstained++;
    } else {
      c.inScope++;
      if (o[i] === 1) c.right++;
      if (o[i] === -1) c.wrong++;
    }
  }
  return c;
}
const minus = (a: Counts, b: Counts): Counts => ({
  inScope: a.inScope - b.inScope,
  right: a.right - b.right,
  wrong: a.wrong - b.wrong,
  oos: a.oos - b.oos,
  abstained: a.abstained - b.abstained,
});
const figures = (c: Counts) => ({
  top1: c.right / c.inScope,
  wrong: c.wrong / c.inScope,
  abstention: c.abstained / c.oos,
});
/**
 * Equal weight to answering in-scope queries right and abstaining on out-of-scope ones; with
 * OBJECTIVE=goal, the smaller of the two margins over the goals (top-1 0.90, abstention 0.85).
 */
const GOAL = process.env.OBJECTIVE === "goal";
const objective = (c: Counts) => {
  const { top1, abstention } = figures(c);
  return GOAL ? Math.min(top1 - 0.9, abstention - 0.85) : (top1 + abstention) / 2;
};

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
const all = set.map((_, i) => i);
const whole = grid.map((_, g) => counts(outcome[g] as Int8Array, all));
const totals = { top1: 0, wrong: 0, abstention: 0 };
const chosen = new Map<number, number>();
for (let r = 0; r < REPEATS; r++) {
  const rand = random(r + 1);
  // Entries (and each out-of-scope query on its own) are dealt to folds in a shuffled order.
  const groups = [...new Set(set.map((q, i) => q.expected ?? `oos-${i}`))].sort(() => rand() - 0.5);
  const foldOf = new Map(groups.map((g, i) => [g, i % FOLDS]));
  const fold = set.map((q, i) => foldOf.get(q.expected ?? `oos-${i}`) as number);
  for (let f = 0; f < FOLDS; f++) {
    const test = all.filter((i) => fold[i] === f);
    const tested = grid.map((_, g) => counts(outcome[g] as Int8Array, test));
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    grid.forEach((_, g) => {
      const s = objective(minus(whole[g] as Counts, tested[g] as Counts));
      if (s > bestScore) [best, bestScore] = [g, s];
    });
    chosen.set(best, (chosen.get(best) ?? 0) + 1);
    const t = figures(tested[best] as Counts);
    totals.top1 += t.top1;
    totals.wrong += t.wrong;
    totals.abstention += t.abstention;
  }
}
const n = REPEATS * FOLDS;
console.log(
  `CV on ${TRAINING_SETS.join(" + ")} (${FOLDS}-fold by entry × ${REPEATS}): top-1 ${pct(totals.top1 / n)} · wrong ${pct(totals.wrong / n)} · abstention ${pct(totals.abstention / n)} · mean ${pct((totals.top1 + totals.abstention) / n / 2)}`,
);
const often = [...chosen].sort((a, b) => b[1] - a[1]).slice(0, 5);
console.log(`  chosen most: ${often.map(([g, k]) => `${show(grid[g])}×${k}`).join(" ")}`);
const scores = whole.map(objective);
const bestWhole = scores.reduce((best, s, g) => (s > (scores[best] as number) ? g : best), 0);
console.log(`  best on the whole set: ${show(grid[bestWhole])} objective ${pct(scores[bestWhole] as number)}`);
const describe = (c: Counts) => {
  const f = figures(c);
  return `top-1 ${pct(f.top1)} · wrong ${pct(f.wrong)} · abstention ${pct(f.abstention)} · objective ${pct(objective(c))}`;
};
const current = bare ? THRESHOLDS.plain : THRESHOLDS.variants;
const currentCounts = counts(decideAll(current), all);
console.log(`    which is ${describe(whole[bestWhole] as Counts)}`);
console.log(`  current ${show(current)}: ${describe(currentCounts)}`);
for (const s of sets) report(s.file, s.queries, process.argv.includes("--misses"));
if (process.argv.includes("--holdout"))
  for (const file of BLIND_SETS) report(`${file} (totals only)`, evalSet(file), false, true);
