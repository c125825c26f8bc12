// `npx tsx bench/faq-cv.ts [--write] [--misses] [--holdout]`: fits the calibration that decides when
// /ask answers (src/faq/calibration.ts) and tells how well it should do on queries it was not fitted
// on. A logistic model of "the best entry is the right one", and the chance above which to answer,
// are fitted on the training sets (TRAINING_SETS) by 5-fold cross-validation that holds out whole
// entries (a query's fold is its entry's, so no entry is both fitted and tested on), repeated over
// REPEATS (20) random splits; the threshold maximises the smaller margin over the goals (top-1 0.90,
// abstention 0.85), or with OBJECTIVE=mean their mean. Two models: with the starter store's other ways
// of asking (`variants`) and without them (`plain`). `--write` fits both on all the training sets and
// writes src/faq/calibration.json; `--misses` lists the training sets' failures; `--holdout` prints the
// blind sets' aggregate figures only — never their queries, so they are never tuned on.
import { writeFileSync } from "node:fs";
import {
  CALIBRATION,
  CALIBRATION_FILE,
  type Calibration,
  chanceOf,
  eligible,
  FEATURE_NAMES,
  featuresOf,
  type Model,
} from "../src/faq/calibration.ts";
import { BLIND_SETS, type EvalQuery, evalSet, evaluate, seedIndex, TRAINING_SETS } from "../src/faq/evaluate.ts";

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const sets = TRAINING_SETS.map((file) => ({ file, queries: evalSet(file) }));
const set = sets.flatMap((s) => s.queries);
const GOAL = process.env.OBJECTIVE !== "mean";
const REPEATS = Number(process.env.REPEATS ?? 20);
const FOLDS = 5;
/** Weight decay: the model is small, and kept from leaning on any one feature the sets happen to favour. */
const L2 = 1e-3;

/** A training query as the model sees it. */
interface Row {
  /** the features, or null when the best entry fails the rules (`eligible`): never the answer */
  x: number[] | null;
  right: boolean;
  outOfScope: boolean;
  /** the fold key: its entry, or an out-of-scope query on its own */
  group: string;
}

function rowsOf(variants: boolean): Row[] {
  const index = seedIndex({ variants });
  return set.map((q, i) => {
    const ranked = index.rank(q.query);
    const top = ranked.candidates[0];
    return {
      x: eligible(ranked) ? featuresOf(ranked) : null,
      right: top !== undefined && top.id === q.expected,
      outOfScope: q.expected === null,
      group: q.expected ?? `oos-${i}`,
    };
  });
}

/** Logistic regression by gradient descent on standardised features. */
function fitWeights(rows: Row[]): Omit<Model, "threshold"> {
  const xs = rows.flatMap((r) => (r.x ? [r.x] : []));
  const ys = rows.flatMap((r) => (r.x ? [r.right ? 1 : 0] : []));
  const k = FEATURE_NAMES.length;
  const mean = FEATURE_NAMES.map((_, j) => xs.reduce((a, x) => a + (x[j] as number), 0) / xs.length);
  const sd = FEATURE_NAMES.map(
    (_, j) => Math.sqrt(xs.reduce((a, x) => a + ((x[j] as number) - (mean[j] as number)) ** 2, 0) / xs.length) || 1,
  );
  const zs = xs.map((x) => x.map((v, j) => (v - (mean[j] as number)) / (sd[j] as number)));
  const w = new Array<number>(k).fill(0);
  let bias = 0;
  for (let step = 0; step < 3000; step++) {
    const grad = new Array<number>(k).fill(0);
    let gradBias = 0;
    zs.forEach((z, i) => {
      const p = 1 / (1 + Math.exp(-z.reduce((a, v, j) => a + v * (w[j] as number), bias)));
      const err = p - (ys[i] as number);
      for (let j = 0; j < k; j++) grad[j] = (grad[j] as number) + err * (z[j] as number);
      gradBias += err;
    });
    for (let j = 0; j < k; j++)
      w[j] = (w[j] as number) - 0.5 * ((grad[j] as number) / zs.length + L2 * (w[j] as number));
    bias -= (0.5 * gradBias) / zs.length;
  }
  return { mean, sd, weights: w, bias };
}

/** Top-1 on the in-scope queries and abstention on the others, answering at `threshold` or above. */
function figures(rows: Row[], chances: number[], threshold: number) {
  let inScope = 0;
  let right = 0;
  let wrong = 0;
  let outOfScope = 0;
  let abstained = 0;
  rows.forEach((r, i) => {
    const answers = r.x !== null && (chances[i] as number) >= threshold;
    if (r.outOfScope) {
      outOfScope++;
      if (!answers) abstained++;
    } else {
      inScope++;
      if (answers && r.right) right++;
      if (answers && !r.right) wrong++;
    }
  });
  const top1 = right / inScope;
  const abstention = abstained / outOfScope;
  return {
    top1,
    wrong: wrong / inScope,
    abstention,
    objective: GOAL ? Math.min(top1 - 0.9, abstention - 0.85) : (top1 + abstention) / 2,
  };
}

const chancesOf = (rows: Row[], m: Omit<Model, "threshold">) =>
  rows.map((r) => (r.x ? chanceOf(r.x, { ...m, threshold: 0 }) : 0));

function fitModel(rows: Row[]): Model {
  const m = fitWeights(rows);
  const chances = chancesOf(rows, m);
  let best = { threshold: 0.5, objective: Number.NEGATIVE_INFINITY };
  for (let t = 0.05; t <= 0.95; t += 0.005) {
    const { objective } = figures(rows, chances, t);
    if (objective > best.objective) best = { threshold: Number(t.toFixed(3)), objective };
  }
  return { ...m, threshold: best.threshold };
}

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

function crossValidate(name: string, rows: Row[]) {
  const totals = { top1: 0, wrong: 0, abstention: 0 };
  for (let r = 0; r < REPEATS; r++) {
    const rand = random(r + 1);
    // Entries (and each out-of-scope query on its own) are dealt to folds in a shuffled order.
    const groups = [...new Set(rows.map((row) => row.group))].sort(() => rand() - 0.5);
    const foldOf = new Map(groups.map((g, i) => [g, i % FOLDS]));
    for (let f = 0; f < FOLDS; f++) {
      const test = rows.filter((row) => foldOf.get(row.group) === f);
      const m = fitModel(rows.filter((row) => foldOf.get(row.group) !== f));
      const t = figures(test, chancesOf(test, m), m.threshold);
      totals.top1 += t.top1;
      totals.wrong += t.wrong;
      totals.abstention += t.abstention;
    }
  }
  const n = REPEATS * FOLDS;
  const cv = { top1: totals.top1 / n, wrong: totals.wrong / n, abstention: totals.abstention / n };
  console.log(
    `${name}: CV (${FOLDS}-fold by entry × ${REPEATS}) top-1 ${pct(cv.top1)} · wrong ${pct(cv.wrong)} · abstention ${pct(cv.abstention)}`,
  );
  return cv;
}

const fitted: Record<string, unknown> = {
  on: TRAINING_SETS,
  queries: set.length,
  objective: GOAL ? "the smaller margin over top-1 0.90 and abstention 0.85" : "the mean of top-1 and abstention",
  l2: L2,
};
const models: Partial<Record<"variants" | "plain", Model>> = {};
for (const kind of ["variants", "plain"] as const) {
  const rows = rowsOf(kind === "variants");
  const cv = crossValidate(kind, rows);
  const m = fitModel(rows);
  const whole = figures(rows, chancesOf(rows, m), m.threshold);
  const current = figures(rows, chancesOf(rows, CALIBRATION[kind]), CALIBRATION[kind].threshold);
  console.log(
    `  fitted on all: threshold ${m.threshold} → top-1 ${pct(whole.top1)} · abstention ${pct(whole.abstention)}; shipped: top-1 ${pct(current.top1)} · abstention ${pct(current.abstention)}`,
  );
  models[kind] = m;
  fitted[kind] = {
    cvTop1: Number(cv.top1.toFixed(4)),
    cvAbstention: Number(cv.abstention.toFixed(4)),
    top1: Number(whole.top1.toFixed(4)),
    abstention: Number(whole.abstention.toFixed(4)),
  };
}

const written = process.argv.includes("--write");
const calibration: Calibration = written
  ? { features: FEATURE_NAMES, variants: models.variants as Model, plain: models.plain as Model, fitted }
  : CALIBRATION;
if (written) {
  writeFileSync(CALIBRATION_FILE, `${JSON.stringify(calibration, null, 2)}\n`);
  console.log(`wrote ${CALIBRATION_FILE}`);
}

/** A set's figures; per kind and its misses only for a training set, never for a blind one. */
function report(name: string, queries: EvalQuery[], misses: boolean, blind = false) {
  const e = evaluate(index, queries, calibration);
  console.log(`${name}: top-1 ${pct(e.top1)} · top-3 ${pct(e.top3)} · abstention ${pct(e.abstention)}`);
  if (blind) return;
  for (const k of e.kinds)
    console.log(
      `  ${k.kind.padEnd(15)} n=${String(k.n).padStart(3)} top-1 ${pct(k.top1 / k.n)} top-3 ${pct(k.top3 / k.n)} abstained ${pct(k.abstained / k.n)}`,
    );
  if (misses)
    for (const m of e.misses) console.log(`  ✗ ${m.expected ?? "—"} got ${m.got ?? "—"} [${m.top}] ${m.query}`);
}
const index = seedIndex();
if (process.argv.includes("--misses")) for (const s of sets) report(s.file, s.queries, true);
if (process.argv.includes("--holdout"))
  for (const file of BLIND_SETS) report(`${file} (totals only)`, evalSet(file), false, true);
