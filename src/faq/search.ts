// The /ask search: MiniSearch (BM25) over FAQ entries analysed for people typing fast
// in Spanish or English — accents and case folded, words stemmed (Snowball), stop words
// dropped, the trade's synonyms (src/faq/lexicon.json) mapped to one meaning across both
// languages, typos corrected against the words the store knows. Unless the best entry passes
// rules chosen on the training sets of test/faq/ (`THRESHOLDS`) it abstains.
import { createRequire } from "node:module";
import MiniSearch, { type SearchResult as MiniResult } from "minisearch";
import SearchableMap from "minisearch/SearchableMap";
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
  /** Other ways to ask it, written by the admins: searched as the question, their words known words. */
  variants?: string[];
  /** Questions an admin answered with this entry: searched as the question, but people's own typing. */
  learnt?: string[];
}

const stemmers = { es: snowball.newStemmer("spanish"), en: snowball.newStemmer("english") };
const LOCALES: FaqLocale[] = ["es", "en"];
const localeOf = (e: { locale: string }): FaqLocale => (e.locale === "en" ? "en" : "es");

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
// Stemming is the costly step of indexing and the vocabulary is small: remember every stem.
const stemCache = { es: new Map<string, string>(), en: new Map<string, string>() };
function stem(locale: FaqLocale, word: string): string {
  let s = stemCache[locale].get(word);
  if (s === undefined) {
    s = stemmers[locale].stem(word);
    stemCache[locale].set(word, s);
  }
  return s;
}

// Each synonym group becomes one token "synN"; phrases are replaced before words are split.
// A word listed in the lexicon belongs to its group as written; other forms reach a group by
// their stem, unless two groups share that stem ("primer" and "prima" both stem to "prim");
// a word written "=parto" belongs as written only (its stem is the stem of "parte"), and one
// written "en:sent" by its English stem only (its Spanish stem is the stem of "sentir").
const phraseToken = new Map<string, string>();
const groupOfWord = new Map<string, string>();
const groupsOfStem = new Map<string, Set<string>>();
lexicon.synonyms.forEach((group, i) => {
  const token = `syn${i}`;
  for (const raw of group) {
    const [, only, written] = /^(?:(es|en):)?(.*)$/.exec(raw) as RegExpExecArray;
    const term = fold(written as string)
      .trim()
      .replace(/\s+/g, " ");
    if (term.includes(" ")) phraseToken.set(term, token);
    else if (raw.startsWith("=")) groupOfWord.set(term, token);
    else {
      groupOfWord.set(term, token);
      for (const l of only ? [only as FaqLocale] : LOCALES) {
        const key = `${l}:${stem(l, term)}`;
        groupsOfStem.set(key, (groupsOfStem.get(key) ?? new Set()).add(token));
      }
    }
  }
});
const groupOfStem = new Map(
  [...groupsOfStem].filter(([, groups]) => groups.size === 1).map(([key, groups]) => [key, [...groups][0] as string]),
);
// A phrase is found as written or as the stems of its words in either language ("pase a nombre
// de" is "pasar a nombre de"), the longest one first so "dar de baja" wins over "baja": each form
// has a tree of phrases, word by word, walked from each word of a text.
/** A text's words as written and as stemmed in each language (a number as written: it has no stem). */
const formsOf = (ws: string[]) => [ws, ...LOCALES.map((l) => ws.map((w) => (/\d/.test(w) ? w : stem(l, w))))];
interface PhraseNode {
  next: Map<string, PhraseNode>;
  /** the group of the phrase that ends here; null when two groups' phrases share these stems */
  token?: string | null;
  /** that phrase's words as written */
  written?: string[];
}
const phraseTrees: PhraseNode[] = formsOf([]).map(() => ({ next: new Map() }));
for (const [phrase, token] of phraseToken) {
  const ws = phrase.split(" ");
  formsOf(ws).forEach((form, k) => {
    let node = phraseTrees[k] as PhraseNode;
    for (const w of form) {
      const child = node.next.get(w) ?? { next: new Map() };
      node.next.set(w, child);
      node = child;
    }
    node.token = node.token === undefined || node.token === token ? token : null;
    node.written ??= ws;
  });
}
/**
 * The lexicon phrase that starts at word i, the longest. A word the lexicon gives another
 * meaning does not make a phrase by its stem ("life insurance" is not "life insured").
 */
function phraseAt(forms: string[][], i: number): { token: string; length: number } | undefined {
  const ws = forms[0] as string[];
  let best: { token: string; length: number } | undefined;
  forms.forEach((form, k) => {
    let node = phraseTrees[k];
    for (let j = i; node && j < form.length; j++) {
      node = node.next.get(form[j] as string);
      const { token, written = [] } = node ?? {};
      const length = j - i + 1;
      if (!token || (best && best.length >= length)) continue;
      if (k === 0 || ws.slice(i, j + 1).every((w, n) => w === written[n] || (groupOfWord.get(w) ?? token) === token))
        best = { token, length };
    }
  });
  return best;
}

/**
 * A word as it sounds, for the typos of people who spell by ear: b/v, c/s/z, ll/y, g/j, a silent h
 * and doubled letters sound alike ("ospitalisasion" is "hospitalización").
 */
function sound(word: string): string {
  return word
    .replace(/(?<!c)h/g, "")
    .replace(/qu/g, "k")
    .replace(/c(?=[ei])/g, "s")
    .replace(/c/g, "k")
    .replace(/z/g, "s")
    .replace(/v/g, "b")
    .replace(/ll/g, "y")
    .replace(/gu(?=[ei])/g, "g")
    .replace(/g(?=[ei])/g, "j")
    .replace(/x/g, "ks")
    .replace(/(.)\1+/g, "$1");
}
const isGroup = (t: string) => /^syn\d+$/.test(t);

/**
 * The words of a text, folded, a phrase of the lexicon replaced by its group token. An entry keeps
 * the phrase's own words after the token, so "período de gracia" is found by "período" too; in a
 * query the phrase stays one word, its token joined to its own words by "+" ("syn51+periodo+de+gracia").
 */
function words(folded: string, phrases: "entry" | "query"): string[] {
  const ws = folded.split(/\s+/).filter(Boolean);
  const forms = formsOf(ws);
  const out: string[] = [];
  for (let i = 0; i < ws.length; ) {
    const found = phraseAt(forms, i);
    if (!found) {
      out.push(ws[i++] as string);
      continue;
    }
    const own = ws.slice(i, i + found.length);
    if (phrases === "entry") out.push(found.token, ...own);
    else out.push([found.token, ...own].join("+"));
    i += found.length;
  }
  return out.filter((w) => w.includes("+") || isGroup(w) || (!stopwords.has(w) && (w.length >= 2 || /\d/.test(w))));
}

/**
 * The terms of one word: its synonym group when the lexicon knows it (one meaning, whatever
 * the language), otherwise its stem in each language.
 */
function termsOf(word: string, locales: FaqLocale[]): string[] {
  if (word.includes("+")) {
    const [token, ...own] = word.split("+");
    const parts = own.filter((w) => !stopwords.has(w) && w.length >= 2).flatMap((w) => termsOf(w, locales));
    return [...new Set([token as string, ...parts])];
  }
  if (isGroup(word)) return [word];
  const listed = groupOfWord.get(word);
  if (listed) return [listed];
  const stems = locales.map((l) => stem(l, word));
  const groups = new Set(locales.map((l, i) => groupOfStem.get(`${l}:${stems[i]}`)).filter((g) => g !== undefined));
  return groups.size ? [...groups] : [...new Set(stems)];
}

/**
 * The terms of a text: per word, its synonym group or its stems in the given languages.
 * Returned per word so a query can tell how many of its words matched.
 */
export function analyse(text: string, locales: FaqLocale[]): string[][] {
  return words(fold(text), "query").map((w) => termsOf(w, locales));
}

export interface Match {
  id: string;
  score: number;
  /** share of the query's words found in the entry, each word weighted by its rarity in the store */
  coverage: number;
  /** the same share, of the words found in the entry's question or tags */
  focus: number;
  /** how many of the query's words the entry has */
  words: number;
  /** the entry has other ways of asking it, written by the admins */
  variants: boolean;
}

/**
 * A question the store does not answer, written down so the search knows such questions when it
 * meets them (src/faq/out-of-scope.csv): the office's other topics and the neighbours of its entries.
 */
export interface OutsideExample {
  question: string;
  locale: string;
  /** typed by someone asking (an admin's "Not for the FAQ"): read as a query is, its typos corrected */
  asked?: boolean;
}

/** A query's candidate entries, best first, and how many words it was searched by. */
export interface Ranked {
  candidates: Match[];
  words: number;
  /** How alike the query is to the nearest out-of-scope example and to the best entry's nearest way of asking. */
  nearest?: Nearest;
  /** The out-of-scope examples nearest the query (none without examples). */
  outside?: Outside[];
}

/**
 * An out-of-scope example as it matches a query: the share of the query (its words weighted by
 * rarity) that it has and the best entry lacks, and the share it has in all.
 */
export interface Outside {
  /** the example's place in the list the index was built with: which one it was */
  id: number;
  lacks: number;
  coverage: number;
}

/** How alike a query is to texts (0 nothing in common, 1 the same words): see `FaqIndex.likeness`. */
export interface Nearest {
  /** to the nearest out-of-scope example */
  outside: number;
  /** to the nearest of the best entry's ways of asking */
  entry: number;
}

export interface SearchResult {
  best: Match | null;
  related: Match[];
  candidates: Match[];
}

/**
 * When to answer rather than say "I don't know" (DECISIONS §5). The best entry must have:
 * - some of the query's words in its question or tags;
 * - `coverage` of the query — its words weighted by rarity, so a word the store lacks says most that
 *   the question is about something else, and one in many entries ("seguro", "pedir") says little —
 *   or `words` of its words (all of a shorter one): one word in common is how a question about
 *   something else ("quién ganó anoche el derbi") meets an entry;
 * - a score `lead` times the runner-up's: two entries that match alike are a question between them,
 *   or about neither ("la edad máxima para contratar un seguro de vida");
 * - no out-of-scope example with `outside` of the query that the entry lacks and `outsideCoverage`
 *   times the entry's share in all (`Ranked.outside`): what the query asks beyond the entry is a
 *   question the store knows it does not answer;
 * - no out-of-scope example at least `nearest` alike to the query and `nearestMargin` more alike than
 *   the nearest of the entry's ways of asking (`Ranked.nearest`): the question is one the office
 *   wrote down as not answered, though every word of it is in the entry ("¿hasta qué edad se puede
 *   contratar un seguro de vida?").
 * Chosen on the training sets with `npx tsx bench/faq-cv.ts` (`--bare` for entries as written,
 * which have only their question to be alike to: for them only a near copy of an example counts).
 */
export interface Thresholds {
  coverage: number;
  words: number;
  lead: number;
  outside: number;
  outsideCoverage: number;
  nearest: number;
  nearestMargin: number;
}

export const THRESHOLDS = {
  plain: { coverage: 0.5, words: 3, lead: 1.02, outside: 0.15, outsideCoverage: 0.8, nearest: 0.8, nearestMargin: 0.2 },
  variants: {
    coverage: 0.5,
    words: 3,
    lead: 1.02,
    outside: 0.15,
    outsideCoverage: 0.8,
    nearest: 0.5,
    nearestMargin: 0.15,
  },
} satisfies Record<string, Thresholds>;
export type ThresholdSet = typeof THRESHOLDS;

// BM25 rewards long answers that repeat a word; what people mean is better told by how many of
// their words an entry has, and whether in its question or tags: the head of the list is re-ranked by that.
const strength = (m: Match) => m.score * m.coverage * (1 + m.focus);
const HEAD = 8;
const MAX_QUERY_WORDS = 10;
/** Field weights: an entry's question and tags say what it is about, its answer says more. */
const BOOST = { question: 3, tags: 2, answer: 1 };
/** In a large store, the rarest terms of a query (in up to POSTINGS entries in all) pick CANDIDATES entries to score. */
const POSTINGS = 1000;
const CANDIDATES = 100;
/** Weight of a word the store does not know, read as the nearest word it knows. */
const CORRECTED = 0.6;
const ALL_FIELDS = ["question", "tags", "answer"];
// Words found in an entry's question or tags say what it is about; the answer alone is weak evidence.
const FOCUS_FIELDS = ["question", "tags"];

interface Analysed {
  id: string;
  question: string;
  tags: string;
  answer: string;
}

/** One query word as searched: its terms, and whether they come from a typo's correction. */
interface QueryWord {
  terms: string[];
  corrected: boolean;
  /** how much the word says: a word in few entries (or none) says more than one in many */
  weight: number;
}

/** The share of a query (its words weighted by rarity) that some of its words make up. */
const weightOf = (ws: QueryWord[]) => ws.reduce((a, w) => a + w.weight, 0);
const shareOf = (ws: QueryWord[], query: QueryWord[]) => weightOf(ws) / weightOf(query);

/** An out-of-scope example's terms, analysed once: the same examples are indexed at every rebuild. */
const analysedOutside = new WeakMap<OutsideExample, string[]>();
/**
 * A text as `likeness` compares it: its words, each with the terms it may stand for, and all
 * those terms. Words repeated count once.
 */
interface Reading {
  words: string[][];
  terms: Set<string>;
}
function readingOf(words: string[][]): Reading {
  const seen = new Map<string, string[]>();
  for (const w of words) if (w.length && !seen.has(w.join(" "))) seen.set(w.join(" "), w);
  return { words: [...seen.values()], terms: new Set([...seen.values()].flat()) };
}

function outsideTermsOf(e: OutsideExample): string[] {
  let terms = analysedOutside.get(e);
  if (!terms) {
    terms = words(fold(e.question), "entry").map((w) => termsOf(w, [localeOf(e)])[0] as string);
    analysedOutside.set(e, terms);
  }
  return terms;
}

export class FaqIndex {
  private readonly mini = new MiniSearch<Analysed>({
    fields: ["question", "tags", "answer"],
    storeFields: [],
    // Text arrives analysed (space-separated terms): tokenising is splitting.
    tokenize: (text) => text.split(" ").filter(Boolean),
    processTerm: (term) => term,
    searchOptions: { boost: BOOST },
  });

  /** In how many entries each term appears: long questions are searched by their rarest words. */
  private readonly df = new Map<string, number>();
  /** In how many entries' learnt questions each term appears: found by retrieval, never a typo's correction. */
  private readonly learnt = new Map<string, number>();
  /** The entries with other ways of asking them, written by the admins. */
  private readonly varied = new Set<string>();
  /** The folded words of the store and the lexicon: what a typo is corrected to. */
  private readonly vocabulary = new SearchableMap<true>();
  /** The same words by how they sound: what a typo made by ear is corrected to. */
  private readonly soundsLike = new Map<string, string[]>();
  /** Questions the store does not answer, each as its terms. */
  private readonly outside = new MiniSearch<{ id: number; question: string }>({
    fields: ["question"],
    storeFields: [],
    tokenize: (text) => text.split(" ").filter(Boolean),
    processTerm: (term) => term,
  });
  /** The terms of each out-of-scope example, by its id. */
  private readonly outsideTerms: Set<string>[] = [];
  /** Each entry's ways of asking (its question, variants and learnt questions), as `likeness` reads them. */
  private readonly askedReadings = new Map<string, Reading[]>();
  /** Each out-of-scope example, as `likeness` reads it. */
  private readonly outsideReadings: Reading[] = [];

  constructor(entries: SearchableEntry[] = [], outside: OutsideExample[] = []) {
    const analysed: Analysed[] = [];
    for (const e of entries) {
      const locale = [localeOf(e)];
      if (e.variants?.length) this.varied.add(e.id);
      const folded = {
        question: fold([e.question, ...(e.variants ?? [])].join("\n")),
        tags: fold(e.tags.join(" ")),
        answer: fold(e.answer),
      };
      const terms = (text: string) => words(text, "entry").map((w) => termsOf(w, locale)[0] as string);
      // The question and each variant read once, each on its own: a phrase never spans two of them.
      const ways = [e.question, ...(e.variants ?? [])].map((text) => terms(fold(text)));
      const doc = { question: ways.flat(), tags: terms(folded.tags), answer: terms(folded.answer) };
      // A learnt way of asking is searched as the question, but its words are not words the store
      // knows (not in df nor the vocabulary): a typo in it ("polisa") is still corrected in every query.
      const asked = (e.learnt ?? []).flatMap((v) => terms(fold(v)));
      this.askedReadings.set(
        e.id,
        ways.map((ts) => readingOf(ts.map((t) => [t]))),
      );
      analysed.push({
        id: e.id,
        question: [...doc.question, ...asked].join(" "),
        tags: doc.tags.join(" "),
        answer: doc.answer.join(" "),
      });
      for (const term of new Set([...doc.question, ...doc.tags, ...doc.answer]))
        this.df.set(term, (this.df.get(term) ?? 0) + 1);
      for (const term of new Set(asked)) this.learnt.set(term, (this.learnt.get(term) ?? 0) + 1);
      for (const w of `${folded.question} ${folded.tags} ${folded.answer}`.split(/\s+/))
        if (w.length >= 3 && !/\d/.test(w)) this.vocabulary.set(w, true);
    }
    for (const w of groupOfWord.keys()) this.vocabulary.set(w, true);
    for (const [w] of this.vocabulary)
      if (w.length >= 5) this.soundsLike.set(sound(w), [...(this.soundsLike.get(sound(w)) ?? []), w]);
    this.mini.addAll(analysed);
    // What people typed (a learnt question, a marked one) is read as a query is, once the
    // store's words are known: asked again with the same typos, it is the same question.
    for (const e of entries)
      this.askedReadings.get(e.id)?.push(...(e.learnt ?? []).map((text) => this.queryReading(text)));
    outside.forEach((e, id) => {
      const terms = outsideTermsOf(e);
      this.outsideTerms.push(new Set(terms));
      this.outsideReadings.push(e.asked ? this.queryReading(e.question) : readingOf(terms.map((t) => [t])));
      this.outside.add({ id, question: terms.join(" ") });
    });
  }

  get size(): number {
    return this.mini.documentCount;
  }

  /** A word's terms; a word the store does not know is read as the nearest words it does. */
  private queryWord(word: string): QueryWord {
    const read = this.readWord(word);
    // A word of many entries ("seguro", "pedir") weighs little; one the store lacks weighs most.
    const df = Math.max(0, ...read.terms.map((t) => this.df.get(t) ?? 0));
    return { ...read, weight: Math.log(1 + this.size / (1 + df)) };
  }

  private readWord(word: string): Omit<QueryWord, "weight"> {
    const terms = termsOf(word, LOCALES);
    const known = terms.some((t) => isGroup(t) || this.df.has(t)) || this.vocabulary.has(word);
    if (known || word.length < 5 || word.length > 30 || /\d/.test(word)) return { terms, corrected: false };
    // A typo of a stop word ("clinete") says nothing either; but a short one is one edit from
    // many real words ("perro", "pero"), so only a stop word of five letters or more is a typo's reading.
    const nearest = this.nearest(word).filter((w) => w.length >= 5 || !stopwords.has(w));
    if (nearest.some((w) => stopwords.has(w))) return { terms: [], corrected: true };
    if (!nearest.length) return { terms, corrected: false };
    const read = new Set(nearest.flatMap((w) => termsOf(w, LOCALES)).filter((t) => isGroup(t) || this.df.has(t)));
    return read.size ? { terms: [...read], corrected: true } : { terms, corrected: false };
  }

  /**
   * Known words one edit away, a swap of two letters counting as one edit. People mistype
   * inside words, seldom the first letter: keeping it spares many real words the store lacks.
   */
  private nearest(word: string): string[] {
    const found = new Set<string>(this.soundsLike.get(sound(word)));
    for (const [w] of this.vocabulary.fuzzyGet(word, 1)) if (w[0] === word[0]) found.add(w);
    for (let i = 1; i + 1 < word.length; i++) {
      const swapped = word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
      if (this.vocabulary.has(swapped)) found.add(swapped);
    }
    return [...found];
  }

  /** The words that say most: known to the index, rarest first, at most MAX_QUERY_WORDS. */
  private informative(query: QueryWord[]): QueryWord[] {
    if (query.length <= MAX_QUERY_WORDS) return query;
    const rarity = (w: QueryWord) => Math.min(...w.terms.map((t) => this.postings(t) || Number.POSITIVE_INFINITY));
    return [...query].sort((a, b) => rarity(a) - rarity(b)).slice(0, MAX_QUERY_WORDS);
  }

  search(query: string, thresholds: ThresholdSet = THRESHOLDS): SearchResult {
    return decide(this.rank(query), thresholds);
  }

  /** The entries that match the query, best first, before deciding whether to answer. */
  rank(query: string): Ranked {
    const qwords = this.informative(
      words(fold(query), "query")
        .map((w) => this.queryWord(w))
        .filter((w) => w.terms.length),
    );
    if (qwords.length === 0) return { candidates: [], words: 0 };
    const weight = new Map<string, number>();
    for (const w of qwords)
      for (const t of w.terms) weight.set(t, Math.max(weight.get(t) ?? 0, w.corrected ? CORRECTED : 1));
    const matched = this.retrieve(weight)
      .slice(0, HEAD)
      .map((r) => ({ r, m: this.match(r, qwords) }))
      .sort((a, b) => strength(b.m) - strength(a.m));
    const candidates = matched.map(({ m }) => m);
    return {
      candidates,
      words: qwords.length,
      outside: this.outsideMatches(qwords, matched[0]?.r),
      nearest: matched[0] && this.likeness(qwords, matched[0].m.id),
    };
  }

  /** A text read as a query is: its typos corrected against the store's words. */
  private queryReading(text: string): Reading {
    return readingOf(words(fold(text), "query").map((w) => this.queryWord(w).terms));
  }

  /**
   * `Ranked.nearest`: how alike the query is to the nearest out-of-scope example, and to the
   * nearest way of asking the best entry. Dice-like: the harmonic mean of the query's share
   * found in the text and the text's found in the query, so that neither a short example inside a
   * long question nor a long one around a short question counts as near.
   */
  private likeness(qwords: QueryWord[], top: string): Nearest {
    const asked = new Set(qwords.flatMap((w) => w.terms));
    const alike = (text: Reading) => {
      let inText = 0;
      for (const w of text.words) if (w.some((t) => asked.has(t))) inText++;
      if (inText === 0) return 0;
      const ofQuery = qwords.filter((w) => w.terms.some((t) => text.terms.has(t))).length / qwords.length;
      const ofText = inText / text.words.length;
      return (2 * ofQuery * ofText) / (ofQuery + ofText);
    };
    const best = (texts: Reading[]) => texts.reduce((a, text) => Math.max(a, alike(text)), 0);
    return { outside: best(this.outsideReadings), entry: best(this.askedReadings.get(top) ?? []) };
  }

  /** `Ranked.outside`: how the out-of-scope examples nearest the query match it, beside the best entry. */
  private outsideMatches(qwords: QueryWord[], top: MiniResult | undefined): Outside[] {
    // Without a best entry there is nothing to answer, and nothing to look beyond.
    if (this.outsideTerms.length === 0 || top === undefined) return [];
    const inTop = (w: QueryWord) => w.terms.some((t) => Object.hasOwn(top.match, t));
    // A number is no topic: "3 años" is never what a question asks beyond an entry.
    const lacking = qwords.filter((w) => !inTop(w) && !w.terms.every((t) => /^\d+$/.test(t)));
    if (lacking.length === 0) return [];
    const terms = [...new Set(lacking.flatMap((w) => w.terms))];
    return this.outside
      .search(terms.join(" "), { combineWith: "OR" })
      .slice(0, HEAD)
      .map((r) => {
        const has = this.outsideTerms[r.id as number] as Set<string>;
        const found = (w: QueryWord) => w.terms.some((t) => has.has(t));
        const share = (ws: QueryWord[]) => shareOf(ws.filter(found), qwords);
        return { id: r.id as number, lacks: share(lacking), coverage: share(qwords) };
      });
  }

  /**
   * MiniSearch's results for the terms, best first. In a large store a common term costs a
   * result per entry that has it, and says little: as in Lucene's common-terms query, the
   * rarest terms (as many as fit in POSTINGS entries) pick CANDIDATES entries, and all the
   * terms score those. A query whose terms all fit is searched whole.
   */
  /** In how many entries a term is, in their own words or in their learnt questions. */
  private postings(term: string): number {
    return (this.df.get(term) ?? 0) + (this.learnt.get(term) ?? 0);
  }

  private retrieve(weight: Map<string, number>): MiniResult[] {
    const options = { combineWith: "OR", boostTerm: (term: string) => weight.get(term) ?? 1 } as const;
    const byRarity = [...weight.keys()]
      .filter((t) => this.postings(t) > 0)
      .sort((a, b) => this.postings(a) - this.postings(b));
    const rare: string[] = [];
    let postings = 0;
    for (const t of byRarity) {
      postings += this.postings(t);
      if (rare.length && postings > POSTINGS) break;
      rare.push(t);
    }
    if (rare.length === byRarity.length) return this.mini.search(rare.join(" "), options);
    const picked = new Set(
      this.mini
        .search(rare.join(" "), options)
        .slice(0, CANDIDATES)
        .map((r) => r.id),
    );
    return this.mini.search(byRarity.join(" "), { ...options, boostDocument: (id) => (picked.has(id) ? 1 : 0) });
  }

  /** How much of the query an entry has: its share of the query's words, and of those in its question or tags. */
  private match(r: MiniResult, qwords: QueryWord[]): Match {
    // Own properties only: a query term may well be "constructor".
    const found = (w: QueryWord, fields: string[]) =>
      w.terms.some((t) => Object.hasOwn(r.match, t) && r.match[t]?.some((f) => fields.includes(f)));
    const share = (ws: QueryWord[]) => shareOf(ws, qwords);
    const inEntry = qwords.filter((w) => found(w, ALL_FIELDS));
    return {
      id: String(r.id),
      score: r.score,
      coverage: share(inEntry),
      focus: share(qwords.filter((w) => found(w, FOCUS_FIELDS))),
      words: inEntry.length,
      variants: this.varied.has(String(r.id)),
    };
  }
}

/** Answer with the best candidate, or say "I don't know" (`THRESHOLDS`). */
export function decide(ranked: Ranked, set: ThresholdSet = THRESHOLDS): SearchResult {
  const { candidates, words: n, outside = [], nearest } = ranked;
  const [top, second] = candidates;
  const t = top?.variants ? set.variants : set.plain;
  const confident =
    top !== undefined &&
    top.focus > 0 &&
    // A lone match has nothing to stand out from: short of all the query, it needs its words.
    (top.coverage >= (second ? t.coverage : 1) || top.words >= Math.min(n, t.words)) &&
    (second === undefined || strength(top) >= t.lead * strength(second)) &&
    !outside.some((o) => o.lacks >= t.outside && o.coverage >= t.outsideCoverage * top.coverage) &&
    !(nearest && nearest.outside >= t.nearest && nearest.outside > nearest.entry + t.nearestMargin);
  return {
    best: confident ? top : null,
    related: candidates
      .slice(confident ? 1 : 0)
      .filter((c) => c.focus > 0)
      .slice(0, 3),
    candidates,
  };
}
