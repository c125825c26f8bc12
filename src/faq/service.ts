// The FAQ store: entries, the search index kept in step with the database, the
// query log, feedback, unanswered questions, CSV import and export.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { z } from "zod";
import { truncate } from "../core/blocks.ts";
import { addDays, dayStart } from "../core/days.ts";
import type { Db } from "../core/db.ts";
import type { Locale, MessageKey } from "../core/i18n/index.ts";
import { ROOT } from "../core/migrate.ts";
import { withoutNul } from "../core/parse.ts";
import { fail, ok, type Result } from "../core/result.ts";
import type { FaqEntry, FaqQuery, Prisma } from "../generated/prisma/client.ts";
import { localesOf } from "../people/service.ts";
import { FaqIndex, fold, type Match, type OutsideExample } from "./search.ts";

export type { FaqEntry, FaqQuery };

/**
 * How long another process's change to the entries may go unseen: checking costs a query per
 * /ask, so it is done at most this often. This process's own changes are seen at once.
 */
const RECHECK_MS = 1000;
/** Counts this process's writes to the entries (every write below calls entriesChanged). */
let localChanges = 0;
const entriesChanged = () => {
  localChanges++;
};

/** Questions the office asks that the FAQ does not answer, kept as data like the lexicon (DECISIONS §5). */
export const OUTSIDE_FILE = path.join(ROOT, "src", "faq", "out-of-scope.csv");
let outside: OutsideExample[] | undefined;
const outsideFile = z.array(z.object({ question: z.string().trim().min(1), locale: z.enum(["es", "en"]) }));
/** The out-of-scope examples of OUTSIDE_FILE, read once; a malformed file fails at once, naming the row. */
export function outsideExamples(): OutsideExample[] {
  outside ??= outsideFile.parse(parse(readFileSync(OUTSIDE_FILE), { columns: true }));
  return outside;
}

/**
 * The in-memory index and the entries it was built from, rebuilt when the table changed (here,
 * or in another process sharing the database: a cheap fingerprint is compared, at most every RECHECK_MS).
 */
export class FaqSearch {
  private index = new FaqIndex();
  private entries = new Map<string, FaqEntry>();
  private fingerprint = "";
  private checkedAt = Number.NEGATIVE_INFINITY;
  private checkedChanges = -1;
  private building: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly recheckMs = RECHECK_MS,
    /** the language of a question marked "not for the FAQ" whose asker has none known */
    private readonly defaultLocale: Locale = "es",
  ) {}

  async current(): Promise<FaqIndex> {
    // Freshness, not a business rule: a monotonic timer rather than the app's clock.
    const now = performance.now();
    if (this.checkedChanges === localChanges && now - this.checkedAt < this.recheckMs) return this.index;
    const changes = localChanges;
    const [row] = await this.db.$queryRaw<
      { n: bigint | number; latest: Date | null; learnt: bigint | number; outside: bigint | number }[]
    >`
      SELECT (SELECT count(*) FROM "FaqEntry") AS n, (SELECT max("updatedAt") FROM "FaqEntry") AS latest,
        count(*) FILTER (WHERE "entryId" IS NOT NULL) AS learnt, count(*) FILTER (WHERE "outOfScope") AS outside
      FROM "FaqQuery" WHERE "answeredBy" IS NOT NULL`;
    const fingerprint = `${row?.n}:${row?.latest?.getTime() ?? 0}:${row?.learnt}:${row?.outside}`;
    if (fingerprint !== this.fingerprint) {
      this.building ??= this.rebuild(fingerprint).finally(() => {
        this.building = undefined;
      });
      await this.building;
    }
    this.checkedAt = now;
    this.checkedChanges = changes;
    return this.index;
  }

  /** An entry as the current index knows it. */
  entry(id: string): FaqEntry | undefined {
    return this.entries.get(id);
  }

  private async rebuild(fingerprint: string): Promise<void> {
    const [entries, learnt, dismissed] = await Promise.all([
      this.db.faqEntry.findMany({ orderBy: { id: "asc" } }),
      this.db.faqQuery.findMany({
        where: { answeredBy: { not: null }, entryId: { not: null } },
        select: { entryId: true, text: true },
      }),
      this.db.faqQuery.findMany({
        where: { answeredBy: { not: null }, outOfScope: true },
        select: { text: true, userId: true },
      }),
    ]);
    const asked = new Map<string, string[]>();
    for (const q of learnt) asked.set(q.entryId as string, [...(asked.get(q.entryId as string) ?? []), q.text]);
    // A question an admin marked "not for the FAQ", read in the language of the person who asked it.
    const locales = await localesOf(this.db, [...new Set(dismissed.map((q) => q.userId))], this.defaultLocale);
    const marked = dismissed.map((q) => ({ question: q.text, locale: locales.get(q.userId) as Locale, asked: true }));
    this.index = new FaqIndex(
      entries.map((e) => ({ ...e, learnt: asked.get(e.id) })),
      [...outsideExamples(), ...marked],
    );
    this.entries = new Map(entries.map((e) => [e.id, e]));
    this.fingerprint = fingerprint;
  }
}

export interface Answer {
  query: FaqQuery;
  entry: FaqEntry | null;
  match: Match | null;
  related: FaqEntry[];
}

/** Answers a question (or abstains) and logs it. */
export async function ask(
  db: Db,
  search: FaqSearch,
  userId: string,
  text: string,
  channelId: string | null,
): Promise<Answer> {
  const result = (await search.current()).search(text);
  // The entries as indexed: what was matched is what is shown.
  const entry = result.best ? (search.entry(result.best.id) ?? null) : null;
  const query = await db.faqQuery.create({
    data: {
      text: truncate(text, 1000),
      userId,
      channelId,
      entryId: entry?.id ?? null,
      score: result.best?.score ?? result.candidates[0]?.score ?? null,
    },
  });
  return {
    query,
    entry,
    match: entry ? result.best : null,
    related: result.related.map((r) => search.entry(r.id)).filter((e): e is FaqEntry => Boolean(e)),
  };
}

export async function getEntry(db: Db, id: string): Promise<FaqEntry | null> {
  return db.faqEntry.findUnique({ where: { id } });
}

export async function getQuery(db: Db, id: number): Promise<FaqQuery | null> {
  return db.faqQuery.findUnique({ where: { id } });
}

/** One vote per person and question; voting again changes it. */
export async function recordFeedback(db: Db, queryId: number, userId: string, helpful: boolean): Promise<boolean> {
  const query = await db.faqQuery.findUnique({ where: { id: queryId } });
  if (!query?.entryId) return false;
  await db.faqFeedback.upsert({
    where: { queryId_userId: { queryId, userId } },
    create: { queryId, userId, helpful },
    update: { helpful },
  });
  return true;
}

export const newEntryId = () => `faq-${randomBytes(4).toString("hex")}`;

/** A list typed as one text: split, trimmed, without blanks or repeats. */
const splitList = (raw: string | null | undefined, separator: RegExp): string[] => [
  ...new Set(
    (raw ?? "")
      .split(separator)
      .map((t) => t.trim())
      .filter(Boolean),
  ),
];

/** Tags as people type them: split on ; or , and trimmed; matched ignoring case and accents. */
export const parseTags = (raw: string | null | undefined): string[] => splitList(raw, /[;,]/);

/** Other ways to ask, as typed in a form or a CSV cell: one per line. */
export const parseVariants = (raw: string | null | undefined): string[] => splitList(raw, /\r?\n/);

/** What the form's field holds at most, so that every entry can be edited in Slack. */
const VARIANTS_MAX_CHARS = 3000;

export const entrySchema = z.object({
  question: z.string().trim().min(3, "faq.error.question").max(500, "faq.error.question"),
  answer: z.string().trim().min(1, "faq.error.answer").max(3000, "faq.error.answer"),
  tags: z.array(z.string().max(40, "faq.error.tags")).max(20, "faq.error.tags"),
  locale: z.enum(["es", "en"], { message: "faq.error.locale" }),
  /** Other ways to ask it; left out, an edit keeps the ones it had. */
  variants: z
    .array(z.string().trim().min(1, "faq.error.variants").max(500, "faq.error.variants"))
    .max(30, "faq.error.variants")
    .refine((v) => v.join("\n").length <= VARIANTS_MAX_CHARS, "faq.error.variants")
    .optional(),
});
export type EntryInput = z.infer<typeof entrySchema>;

export async function addEntry(db: Db, input: EntryInput, authorId: string | null): Promise<FaqEntry> {
  const entry = await db.faqEntry.create({ data: { id: newEntryId(), ...input, authorId } });
  entriesChanged();
  return entry;
}

export async function editEntry(db: Db, id: string, input: EntryInput): Promise<FaqEntry | null> {
  const found = await getEntry(db, id);
  if (!found) return null;
  const entry = await db.faqEntry.update({ where: { id }, data: input });
  entriesChanged();
  return entry;
}

export async function removeEntry(db: Db, id: string): Promise<boolean> {
  const { count } = await db.faqEntry.deleteMany({ where: { id } });
  entriesChanged();
  return count === 1;
}

export async function listEntries(db: Db, tag?: string): Promise<FaqEntry[]> {
  const entries = await db.faqEntry.findMany({ orderBy: { id: "asc" } });
  if (!tag) return entries;
  const wanted = fold(tag).trim();
  return entries.filter((e) => e.tags.some((t) => fold(t).trim() === wanted));
}

/**
 * The entries closest to a question the search was not sure enough to answer — the ones an admin
 * is offered to answer it with (on blind queries the right one is among the first three 97 % of the time).
 */
export async function closestEntries(search: FaqSearch, text: string, n = 3): Promise<FaqEntry[]> {
  return (await search.current())
    .search(text)
    .candidates.filter((c) => c.focus > 0)
    .slice(0, n)
    .map((c) => search.entry(c.id))
    .filter((e) => e !== undefined);
}

/** A question neither /ask nor an admin has answered. */
const OPEN = { entryId: null, answeredAt: null } as const;
export const isOpen = (q: FaqQuery): boolean => q.entryId === OPEN.entryId && q.answeredAt === OPEN.answeredAt;

/**
 * Changes a question only while `when` holds of it (checked and written in one statement: a
 * second click, or another admin's, finds it done and gets `otherwise`); the index is rebuilt.
 */
async function changeQuestion(
  db: Db,
  queryId: number,
  when: Prisma.FaqQueryWhereInput,
  data: Partial<FaqQuery>,
  otherwise: MessageKey,
): Promise<Result<FaqQuery>> {
  const query = await db.faqQuery.findUnique({ where: { id: queryId } });
  if (!query) return fail("faq.error.noQuestion");
  const { count } = await db.faqQuery.updateMany({ where: { id: queryId, ...when }, data });
  if (count === 0) return fail(otherwise);
  entriesChanged();
  return ok({ ...query, ...data });
}

/**
 * An admin's "not for the FAQ" on an unanswered question: it leaves the unanswered list, and the
 * search keeps it as an out-of-scope example (`FaqSearch`), as those of src/faq/out-of-scope.csv.
 * Only while it is open: an admin's answer and another's dismissal cannot both land.
 */
export const markOutOfScope = (db: Db, queryId: number, adminId: string, now: Date) =>
  changeQuestion(
    db,
    queryId,
    OPEN,
    { answeredAt: now, answeredBy: adminId, outOfScope: true },
    "faq.error.alreadyAnswered",
  );

/** An admin's "undo" of "not for the FAQ": the question is open again, and no longer an example. */
export const reopenQuestion = (db: Db, queryId: number) =>
  changeQuestion(
    db,
    queryId,
    { outOfScope: true },
    { ...OPEN, answeredBy: null, outOfScope: false },
    "faq.error.notMarked",
  );

/** Questions nobody has answered yet, newest first. */
export async function unanswered(db: Db, limit = 20): Promise<FaqQuery[]> {
  return db.faqQuery.findMany({ where: OPEN, orderBy: { id: "desc" }, take: limit });
}

/** The newest open questions, at most `limit`, and how many are open in all. */
export async function unansweredList(db: Db, limit = 20): Promise<{ queries: FaqQuery[]; total: number }> {
  const [queries, total] = await Promise.all([unanswered(db, limit), db.faqQuery.count({ where: OPEN })]);
  return { queries, total };
}

/**
 * An admin's answer to an unanswered question: a new entry, or an entry the store has — then the
 * question is linked to it, and the search learns this way of asking it (`FaqSearch` indexes it
 * with the entry).
 */
export type QuestionAnswer = { newEntry: EntryInput } | { entryId: string };

export async function answerQuestion(
  db: Db,
  queryId: number,
  answer: QuestionAnswer,
  adminId: string,
  now: Date,
): Promise<Result<{ entry: FaqEntry; query: FaqQuery }>> {
  const result = await db.$transaction(async (tx) => {
    const query = await tx.faqQuery.findUnique({ where: { id: queryId } });
    if (!query) return fail("faq.error.noQuestion");
    if (!isOpen(query)) return fail("faq.error.alreadyAnswered");
    const existing = "entryId" in answer ? await tx.faqEntry.findUnique({ where: { id: answer.entryId } }) : null;
    if ("entryId" in answer && !existing) return fail("faq.error.notFound");
    // Claimed only while still unanswered: two admins answering at once answer it once.
    const data = { answeredAt: now, answeredBy: adminId, ...(existing ? { entryId: existing.id } : {}) };
    const { count } = await tx.faqQuery.updateMany({ where: { id: queryId, ...OPEN }, data });
    if (count === 0) return fail("faq.error.alreadyAnswered");
    const entry =
      "newEntry" in answer
        ? await tx.faqEntry.create({ data: { id: newEntryId(), ...answer.newEntry, authorId: adminId } })
        : (existing as FaqEntry); // found above
    return ok({ entry, query: { ...query, ...data } });
  });
  entriesChanged();
  return result;
}

// CSV import and export (SPEC §5): columns id, question, answer, tags, locale, variants. A column the
// file does not have keeps what the entries had: a file of ids and variants adds ways of asking.

const CSV_COLUMNS = ["id", "question", "answer", "tags", "locale", "variants"] as const;
const csvCells = {
  id: z
    .string()
    .trim()
    .max(60, "faq.error.id")
    .regex(/^[\w.-]*$/, "faq.error.id")
    .optional()
    .transform((s) => s || undefined),
  question: entrySchema.shape.question,
  answer: entrySchema.shape.answer,
  tags: z.string().transform(parseTags).pipe(entrySchema.shape.tags),
  locale: z
    .string()
    .transform((s) => (s.trim() || "es").toLowerCase())
    .pipe(entrySchema.shape.locale),
  variants: z.string().transform(parseVariants).pipe(entrySchema.shape.variants.unwrap()),
};
/** A row: every record has the header's columns, and a column the file lacks is left out (undefined). */
const csvRow = withoutNul(z.object(csvCells).partial(), "error.nul");

export interface RowError {
  line: number;
  field: string;
  message: string;
}

export type ImportResult = { ok: true; created: number; updated: number } | { ok: false; errors: RowError[] };

/** All or nothing: any bad row and nothing of the file is imported. */
export async function importCsv(
  db: Db,
  text: string,
  onProgress?: (done: number, total: number) => void,
): Promise<ImportResult> {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  let header: string[] = [];
  try {
    records = parse(text, {
      columns: (h: string[]) => {
        header = h.map((c) => c.trim().toLowerCase());
        return header;
      },
      bom: true,
      skip_empty_lines: true,
      info: true,
      relax_column_count: false,
      trim: false,
    });
  } catch (e) {
    const err = e as { lines?: number; message: string };
    return { ok: false, errors: [{ line: err.lines ?? 0, field: "file", message: err.message }] };
  }
  // A column the import does not know (a typo would otherwise leave what it meant unchanged), or
  // twice, or nothing but ids: the file is refused. Unnamed columns (a trailing comma) are ignored.
  const known = new Set<string>(CSV_COLUMNS);
  const badColumns = header.flatMap((c, i) =>
    c && (!known.has(c) || header.indexOf(c) !== i) ? [{ line: 1, field: c, message: "faq.error.columns" }] : [],
  );
  if (!badColumns.length && header.length && !header.some((c) => known.has(c) && c !== "id"))
    badColumns.push({ line: 1, field: "file", message: "faq.error.columns" });
  if (badColumns.length) return { ok: false, errors: badColumns };
  const errors: RowError[] = [];
  const rows: (z.infer<typeof csvRow> & { line: number })[] = [];
  const seen = new Set<string>();
  for (const { record, info } of records) {
    const parsed = csvRow.safeParse(record);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        errors.push({ line: info.lines, field: String(issue.path[0] ?? "row"), message: issue.message });
      continue;
    }
    if (parsed.data.id && seen.has(parsed.data.id))
      errors.push({ line: info.lines, field: "id", message: "faq.error.duplicateId" });
    if (parsed.data.id) seen.add(parsed.data.id);
    rows.push({ ...parsed.data, line: info.lines });
  }
  const existing = new Set(
    (await db.faqEntry.findMany({ where: { id: { in: [...seen] } }, select: { id: true } })).map((e) => e.id),
  );
  // A new entry needs its question and answer; a file without those columns only updates entries.
  for (const r of rows)
    if (!(r.id && existing.has(r.id)) && (r.question === undefined || r.answer === undefined))
      errors.push({ line: r.line, field: r.id ? "id" : "question", message: "faq.error.newEntryNeeds" });
  if (errors.length) return { ok: false, errors: errors.sort((a, b) => a.line - b.line) };
  let line = 0;
  try {
    await db.$transaction(async (tx) => {
      let done = 0;
      for (const { line: at, id, question, answer, ...data } of rows) {
        line = at;
        // Without a question and an answer the row updates an entry found above: removed since, the
        // update fails and nothing of the file is imported.
        if (question === undefined || answer === undefined)
          await tx.faqEntry.update({ where: { id }, data: { ...data, question, answer } });
        else {
          const key = id ?? newEntryId();
          await tx.faqEntry.upsert({
            where: { id: key },
            create: { ...data, tags: data.tags ?? [], id: key, question, answer },
            update: { ...data, question, answer },
          });
        }
        onProgress?.(++done, rows.length);
      }
    });
  } catch (e) {
    if ((e as { code?: string }).code !== "P2025") throw e;
    return { ok: false, errors: [{ line, field: "id", message: "faq.error.newEntryNeeds" }] };
  }
  entriesChanged();
  const updated = rows.filter((r) => r.id && existing.has(r.id)).length;
  return { ok: true, created: rows.length - updated, updated };
}

export async function exportCsv(db: Db): Promise<string> {
  const entries = await db.faqEntry.findMany({ orderBy: { id: "asc" } });
  return stringify(
    entries.map((e) => [e.id, e.question, e.answer, e.tags.join(";"), e.locale, e.variants.join("\n")]),
    { header: true, columns: [...CSV_COLUMNS] },
  );
}

// FAQ figures for the weekly digest (SPEC §6).

/** One week's FAQ figures. */
export interface FaqWeek {
  asked: number;
  answered: number;
  /** Votes on answers, and those that found them helpful. */
  rated: number;
  helpful: number;
  /** The questions asked most often that went unanswered (folded to lower case), at most five. */
  topUnanswered: [string, number][];
}

interface QueryRow {
  createdAt: Date;
  answered: boolean;
  /** the question, when it went unanswered */
  text: string | null;
  rated: number;
  helpful: number;
}

/**
 * FAQ figures for the 7-day weeks starting on the calendar days `weeks` (from midnight office time),
 * in the order given. One query, however many weeks.
 */
export async function faqWindow(db: Db, zone: string, weeks: Date[]): Promise<FaqWeek[]> {
  if (weeks.length === 0) return [];
  const bounds = weeks.map((w) => ({ from: dayStart(w, zone), to: dayStart(addDays(w, 7), zone) }));
  const from = new Date(Math.min(...bounds.map((b) => b.from.getTime())));
  const to = new Date(Math.max(...bounds.map((b) => b.to.getTime())));
  // In the order asked, so that equally frequent unanswered questions keep a stable order. "Answered" is
  // what /ask answered then: a question an admin later answered with an entry stays unanswered that week.
  const rows = await db.$queryRaw<QueryRow[]>`
    SELECT q."createdAt", (q."entryId" IS NOT NULL AND q."answeredBy" IS NULL) AS answered,
      CASE WHEN q."entryId" IS NULL OR q."answeredBy" IS NOT NULL THEN q.text END AS text,
      (SELECT count(*)::int FROM "FaqFeedback" f WHERE f."queryId" = q.id) AS rated,
      (SELECT count(*)::int FROM "FaqFeedback" f WHERE f."queryId" = q.id AND f.helpful) AS helpful
    FROM "FaqQuery" q
    WHERE q."createdAt" >= ${from}::timestamp AND q."createdAt" < ${to}::timestamp
    ORDER BY q.id`;
  return bounds.map(({ from, to }) => {
    const week = rows.filter((q) => q.createdAt >= from && q.createdAt < to);
    const topUnanswered = new Map<string, number>();
    for (const q of week) {
      if (q.text === null) continue;
      const text = q.text.trim().toLowerCase();
      topUnanswered.set(text, (topUnanswered.get(text) ?? 0) + 1);
    }
    return {
      asked: week.length,
      answered: week.filter((q) => q.answered).length,
      rated: week.reduce((a, q) => a + q.rated, 0),
      helpful: week.reduce((a, q) => a + q.helpful, 0),
      topUnanswered: [...topUnanswered.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5),
    };
  });
}
