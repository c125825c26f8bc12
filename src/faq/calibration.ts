// When /ask answers rather than says "I don't know": the chance that the best entry is the right
// one, estimated from how it matched the query by a logistic model fitted on the training sets of
// test/faq/ (`npx tsx bench/faq-cv.ts --write`), against a threshold chosen with it (DECISIONS §5).
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { ROOT } from "../core/migrate.ts";
import type { Match, Ranked } from "./search.ts";

// BM25 rewards long answers that repeat a word; what people mean is better told by how many of
// their words an entry has, and whether in its question or tags: the head of the list is re-ranked by that.
export const strength = (m: Match) => m.score * m.coverage * (1 + m.focus);

/**
 * What the model reads of a ranked query, each a figure the search has anyway. Scores are measured
 * against the query's own weight, so they mean the same in a store of 64 entries or of 5,000; a lone
 * candidate has no lead over anything.
 */
export const FEATURES = {
  score: (r, top) => Math.log(top.score / Math.max(r.mass ?? 1, 1e-3) + 1e-3),
  lead: (_, top, second) => Math.log((strength(top) + 1) / (strength(second) + 1)),
  coverage: (_, top) => top.coverage,
  focus: (_, top) => top.focus,
  queryWords: (r) => Math.min(r.words, 12) / 12,
  // What an out-of-scope example explains that the entry does not (`Ranked.outside`).
  outsideLacks: (r, top) =>
    Math.max(
      0,
      ...(r.outside ?? []).filter((o) => o.coverage >= RULES.outsideCoverage * top.coverage).map((o) => o.lacks),
    ),
  outsideCoverage: (r, top) =>
    Math.min(2, Math.max(0, ...(r.outside ?? []).map((o) => o.coverage / Math.max(top.coverage, 1e-3)))),
  coveredLead: (_, top, second) => top.coverage * Math.log((strength(top) + 1) / (strength(second) + 1)),
} satisfies Record<string, (ranked: Ranked, top: Match, second: Match) => number>;
export type Feature = keyof typeof FEATURES;
export const FEATURE_NAMES = Object.keys(FEATURES) as Feature[];

/**
 * What an answer needs before the model is asked, kept from the rules that came before it
 * (session 6; cross-validated with the model, DECISIONS §5): some of the query's words in the best
 * entry's question or tags; `coverage` of the query (its words weighted by rarity) or `words` of
 * its words (all of a shorter one): one word in common is how a question about something else
 * ("quién ganó anoche el derbi") meets an entry; and no near tie (`tie`) with the runner-up: two
 * entries that match alike are a question between them, or about neither; and no out-of-scope
 * example with `outside` of the query that the entry lacks and `outsideCoverage` times the entry's
 * share in all (`Ranked.outside`): what the query asks beyond the entry is a question the store
 * knows it does not answer — kept a rule so that "Not for the FAQ" always silences the question.
 */
export const RULES = { coverage: 0.6, words: 3, tie: 1.02, outside: 0.15, outsideCoverage: 0.8 };

export function eligible({ candidates: [top, second], words, outside = [] }: Ranked): boolean {
  return (
    top !== undefined &&
    top.focus > 0 &&
    (top.coverage >= RULES.coverage || top.words >= Math.min(words, RULES.words)) &&
    (second === undefined || strength(top) >= RULES.tie * strength(second)) &&
    !outside.some((o) => o.lacks >= RULES.outside && o.coverage >= RULES.outsideCoverage * top.coverage)
  );
}

/** A query's features, in `FEATURE_NAMES` order; none without a candidate. */
export function featuresOf(ranked: Ranked): number[] | null {
  const [top, second] = ranked.candidates;
  if (top === undefined) return null;
  return FEATURE_NAMES.map((f) => FEATURES[f](ranked, top, second ?? top));
}

const model = z.object({
  /** each feature's mean and spread on the training queries: it is read standardised */
  mean: z.array(z.number()),
  sd: z.array(z.number().positive()),
  weights: z.array(z.number()),
  bias: z.number(),
  /** answer at this chance of being right or above */
  threshold: z.number().min(0).max(1),
});
export type Model = z.infer<typeof model>;

const calibrationSchema = z
  .object({
    features: z.array(z.string()),
    /** for an entry with other ways of asking (src/faq/seed-variants.csv), and for one as written */
    variants: model,
    plain: model,
    /** how the model was chosen and how it did: written for people, never read by the code */
    fitted: z.record(z.string(), z.unknown()),
  })
  .refine((c) => c.features.join() === FEATURE_NAMES.join(), "calibration.json was fitted on other features")
  .refine((c) =>
    [c.variants, c.plain].every((m) => [m.mean, m.sd, m.weights].every((a) => a.length === FEATURE_NAMES.length)),
  );
export type Calibration = z.infer<typeof calibrationSchema>;

export const CALIBRATION_FILE = path.join(ROOT, "src", "faq", "calibration.json");
export const CALIBRATION: Calibration = calibrationSchema.parse(JSON.parse(readFileSync(CALIBRATION_FILE, "utf8")));

/** The model's chance that the features' best entry is the right answer. */
export function chanceOf(features: number[], m: Model): number {
  const z = features.reduce(
    (a, x, i) => a + (m.weights[i] as number) * ((x - (m.mean[i] as number)) / (m.sd[i] as number)),
    m.bias,
  );
  return 1 / (1 + Math.exp(-z));
}
