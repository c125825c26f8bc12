// The /ask search: MiniSearch (BM25 with fuzzy matching) over FAQ entries analysed
// for people typing fast in Spanish or English — accents and case folded, words
// stemmed (Snowball), stop words dropped, the trade's synonyms (src/faq/lexicon.json)
// mapped to one meaning across both languages. Below a calibrated match it abstains.
import { createRequire } from "node:module";
import MiniSearch from "minisearch";
import snowball from "snowball-stemmers";

const lexicon = createRequire(import.meta.url)("./lexicon.json") as {
  synonyms: string[][];
  stopwords: { es: string[]; en: string[] };
};

export type FaqLocale = "es" | "en";

export interface SearchableEntry {
  id: string;
  question: string;
  answer: string;
  tags: string[];
  locale: string;
}

const stemmers = { es: snowball.newStemmer("spanish"), en: snowball.newStemmer("english") };
const LOCALES: FaqLocale[] = ["es", "en"];

/** Lower case, accents off, punctuation to spaces. */
export function fold(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9ñ\s-]/g, " ")
    .replace(/-/g, " ");
}

const stopwords = new Set([...lexicon.stopwords.es, ...lexicon.stopwords.en].map(fold).map((s) => s.trim()));
const stem = (locale: FaqLocale, word: string) => stemmers[locale].stem(word);

// Each synonym group becomes one token "sN"; phrases are replaced before words are split.
const phraseToken = new Map<string, string>();
const groupOfStem = new Map<string, string>();
lexicon.synonyms.forEach((group, i) => {
  const token = `syn${i}`;
  for (const raw of group) {
    const term = fold(raw).trim().replace(/\s+/g, " ");
    if (term.includes(" ")) phraseToken.set(term, token);
    else for (const l of LOCALES) groupOfStem.set(`${l}:${stem(l, term)}`, token);
  }
});
// One pass for all phrases, longest first so "dar de baja" wins over "baja".
const escapeRe = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const phraseRe = new RegExp(
  `\\b(${
    [...phraseToken.keys()]
      .sort((a, b) => b.length - a.length)
      .map(escapeRe)
      .join("|") || "(?!)"
  })\\b`,
  "g",
);

/**
 * The terms of a text: per word, its stems in the given languages and its synonym group.
 * Returned per word so a query can tell how many of its words matched.
 */
export function analyse(text: string, locales: FaqLocale[]): string[][] {
  const folded = fold(text)
    .replace(/\s+/g, " ")
    .replace(phraseRe, (m) => ` ${phraseToken.get(m)} `);
  const words: string[][] = [];
  for (const word of folded.split(/\s+/)) {
    if (!word || stopwords.has(word)) continue;
    if (/^syn\d+$/.test(word)) {
      words.push([word]);
      continue;
    }
    if (word.length < 2 && !/\d/.test(word)) continue;
    const terms = new Set<string>();
    for (const l of locales) {
      const s = stem(l, word);
      terms.add(s);
      const group = groupOfStem.get(`${l}:${s}`);
      if (group) terms.add(group);
    }
    words.push([...terms]);
  }
  return words;
}

export interface Match {
  id: string;
  score: number;
  /** share of the query's words found in the entry */
  coverage: number;
  /** share of the query's words found in the entry's question or tags */
  focus: number;
}

export interface SearchResult {
  best: Match | null;
  related: Match[];
  candidates: Match[];
}

/** Below these the answer is "I don't know": calibrated on test/faq/eval-set.json. */
export const THRESHOLDS = { minCoverage: 0.6, minFocus: 0.34, minScore: 4 };
export type Thresholds = typeof THRESHOLDS;

const rank = (m: Match) => m.score * m.coverage ** RANKING.coverage * (1 + m.focus) ** RANKING.focus;
const MAX_QUERY_WORDS = 10;
export const RANKING = { coverage: 3, focus: 1 };

export class FaqIndex {
  private readonly mini = new MiniSearch<SearchableEntry>({
    fields: ["question", "answer", "tags"],
    storeFields: [],
    // Text arrives analysed (space-separated terms): tokenising is splitting.
    tokenize: (text) => text.split(" ").filter(Boolean),
    processTerm: (term) => term,
    extractField: (doc, field) => {
      const locale = (LOCALES.includes(doc.locale as FaqLocale) ? doc.locale : "es") as FaqLocale;
      const value =
        field === "tags" ? doc.tags.join(" ") : field === "id" ? doc.id : String(doc[field as keyof SearchableEntry]);
      return field === "id" ? value : analyse(value, [locale]).flat().join(" ");
    },
    searchOptions: { boost: { question: 3, tags: 2, answer: 1 } },
  });

  /** In how many entries each term appears: long questions are searched by their rarest words. */
  private readonly df = new Map<string, number>();

  constructor(entries: SearchableEntry[] = []) {
    this.mini.addAll(entries);
    for (const e of entries) {
      const locale = (LOCALES.includes(e.locale as FaqLocale) ? e.locale : "es") as FaqLocale;
      const terms = new Set(analyse(`${e.question} ${e.tags.join(" ")} ${e.answer}`, [locale]).flat());
      for (const term of terms) this.df.set(term, (this.df.get(term) ?? 0) + 1);
    }
  }

  /** The words that say most: known to the index, rarest first, at most MAX_QUERY_WORDS. */
  private informative(words: string[][]): string[][] {
    if (words.length <= MAX_QUERY_WORDS) return words;
    const rarity = (w: string[]) => Math.min(...w.map((t) => this.df.get(t) ?? Number.POSITIVE_INFINITY));
    return [...words].sort((a, b) => rarity(a) - rarity(b)).slice(0, MAX_QUERY_WORDS);
  }

  get size(): number {
    return this.mini.documentCount;
  }

  search(query: string, thresholds: Thresholds = THRESHOLDS): SearchResult {
    const words = this.informative(analyse(query, LOCALES));
    if (words.length === 0) return { best: null, related: [], candidates: [] };
    const options = {
      combineWith: "OR",
      // One typo in a word of 5+ letters; synonym tokens never fuzzy-match.
      fuzzy: (term: string) => (term.startsWith("syn") ? false : term.length >= 5 ? 1 : false),
      prefix: (term: string, i: number, terms: string[]) =>
        i === terms.length - 1 && term.length >= 4 && !term.startsWith("syn"),
      weights: { fuzzy: 0.6, prefix: 0.5 },
    } as const;
    const results = this.mini.search(words.flat().join(" "), options);
    const candidates = results.slice(0, 8).map((r) => {
      const hit = new Set(r.queryTerms);
      const matched = words.filter((w) => w.some((t) => hit.has(t))).length;
      // Words found in an entry's question or tags say what it is about; the answer alone is weak evidence.
      const inFocus = Object.values(r.match).filter(
        (fields) => fields.includes("question") || fields.includes("tags"),
      ).length;
      return {
        id: String(r.id),
        score: r.score,
        coverage: matched / words.length,
        focus: Math.min(inFocus, matched) / words.length,
      };
    });
    // BM25 rewards long answers that repeat a word; what people mean is better told by how many
    // of their words an entry has, and whether in its question: re-rank the head of the list by that.
    candidates.sort((a, b) => rank(b) - rank(a));
    const top = candidates[0];
    // Long questions carry many words that are no topic: beyond a few matched words, more need not match.
    const n = words.length;
    const needMatched = Math.min(Math.ceil(thresholds.minCoverage * n), 4) / n;
    const needFocus = Math.min(Math.ceil(thresholds.minFocus * n), 2) / n;
    const confident =
      top && top.coverage >= needMatched - 1e-9 && top.focus >= needFocus - 1e-9 && top.score >= thresholds.minScore;
    return {
      best: confident ? top : null,
      related: candidates
        .slice(confident ? 1 : 0)
        .filter((c) => c.score >= thresholds.minScore * 0.5 && c.coverage >= 0.3)
        .slice(0, 3),
      candidates,
    };
  }
}
