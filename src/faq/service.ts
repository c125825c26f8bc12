// The FAQ store: entries, the search index kept in step with the database, the
// query log, feedback, unanswered questions, CSV import and export.
import { randomBytes } from "node:crypto";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { z } from "zod";
import { truncate } from "../core/blocks.ts";
import type { Db } from "../core/db.ts";
import { withoutNul } from "../core/parse.ts";
import { fail, ok, type Result } from "../core/result.ts";
import type { FaqEntry, FaqQuery } from "../generated/prisma/client.ts";
import { FaqIndex, fold, type Match } from "./search.ts";

export type { FaqEntry, FaqQuery };

/**
 * The in-memory index, rebuilt when the table changed (here or in another process
 * sharing the database): every search first compares a cheap fingerprint.
 */
export class FaqSearch {
  private index = new FaqIndex();
  private fingerprint = "";
  private building: Promise<void> | undefined;

  constructor(private readonly db: Db) {}

  async current(): Promise<FaqIndex> {
    const [row] = await this.db.$queryRaw<{ n: bigint | number; latest: Date | null }[]>`
      SELECT count(*) AS n, max("updatedAt") AS latest FROM "FaqEntry"`;
    const fingerprint = `${row?.n}:${row?.latest?.getTime() ?? 0}`;
    if (fingerprint !== this.fingerprint) {
      this.building ??= this.rebuild(fingerprint).finally(() => {
        this.building = undefined;
      });
      await this.building;
    }
    return this.index;
  }

  private async rebuild(fingerprint: string): Promise<void> {
    const entries = await this.db.faqEntry.findMany({ orderBy: { id: "asc" } });
    this.index = new FaqIndex(entries);
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
  const index = await search.current();
  const result = index.search(text);
  const ids = [result.best?.id, ...result.related.map((r) => r.id)].filter((x): x is string => Boolean(x));
  const entries = await db.faqEntry.findMany({ where: { id: { in: ids } } });
  const byId = new Map(entries.map((e) => [e.id, e]));
  const entry = result.best ? (byId.get(result.best.id) ?? null) : null;
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
    related: result.related.map((r) => byId.get(r.id)).filter((e): e is FaqEntry => Boolean(e)),
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

/** Tags as people type them: split on ; or , and trimmed; matched ignoring case and accents. */
export function parseTags(raw: string | null | undefined): string[] {
  return [
    ...new Set(
      (raw ?? "")
        .split(/[;,]/)
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
}

export const entrySchema = z.object({
  question: z.string().trim().min(3, "faq.error.question").max(500, "faq.error.question"),
  answer: z.string().trim().min(1, "faq.error.answer").max(3000, "faq.error.answer"),
  tags: z.array(z.string().max(40, "faq.error.tags")).max(20, "faq.error.tags"),
  locale: z.enum(["es", "en"], { message: "faq.error.locale" }),
});
export type EntryInput = z.infer<typeof entrySchema>;

export async function addEntry(db: Db, input: EntryInput, authorId: string | null): Promise<FaqEntry> {
  return db.faqEntry.create({ data: { id: newEntryId(), ...input, authorId } });
}

export async function editEntry(db: Db, id: string, input: EntryInput): Promise<FaqEntry | null> {
  const found = await getEntry(db, id);
  if (!found) return null;
  return db.faqEntry.update({ where: { id }, data: input });
}

export async function removeEntry(db: Db, id: string): Promise<boolean> {
  const { count } = await db.faqEntry.deleteMany({ where: { id } });
  return count === 1;
}

export async function listEntries(db: Db, tag?: string): Promise<FaqEntry[]> {
  const entries = await db.faqEntry.findMany({ orderBy: { id: "asc" } });
  if (!tag) return entries;
  const wanted = fold(tag).trim();
  return entries.filter((e) => e.tags.some((t) => fold(t).trim() === wanted));
}

/** Questions nobody has answered yet, newest first. */
export async function unanswered(db: Db, limit = 20): Promise<FaqQuery[]> {
  return db.faqQuery.findMany({ where: { entryId: null, answeredAt: null }, orderBy: { id: "desc" }, take: limit });
}

/** An admin's answer to an unanswered question: a new entry, and the question marked answered. */
export async function answerQuestion(
  db: Db,
  queryId: number,
  input: EntryInput,
  adminId: string,
  now: Date,
): Promise<Result<{ entry: FaqEntry; query: FaqQuery }>> {
  return db.$transaction(async (tx) => {
    const query = await tx.faqQuery.findUnique({ where: { id: queryId } });
    if (!query) return fail("faq.error.noQuestion");
    if (query.answeredAt) return fail("faq.error.alreadyAnswered");
    const entry = await tx.faqEntry.create({ data: { id: newEntryId(), ...input, authorId: adminId } });
    const updated = await tx.faqQuery.update({
      where: { id: queryId },
      data: { answeredAt: now, answeredBy: adminId },
    });
    return ok({ entry, query: updated });
  });
}

// CSV import and export (SPEC §5): columns id, question, answer, tags, locale.

const csvRow = withoutNul(
  z.object({
    id: z
      .string()
      .trim()
      .max(60, "faq.error.id")
      .regex(/^[\w.-]*$/, "faq.error.id")
      .optional()
      .transform((s) => s || undefined),
    question: entrySchema.shape.question,
    answer: entrySchema.shape.answer,
    tags: z
      .string()
      .optional()
      .transform((s) => parseTags(s))
      .pipe(entrySchema.shape.tags),
    locale: z
      .string()
      .optional()
      .transform((s) => (s?.trim() || "es").toLowerCase())
      .pipe(entrySchema.shape.locale),
  }),
  "error.nul",
);

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
  try {
    records = parse(text, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
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
  if (errors.length) return { ok: false, errors };
  const existing = new Set(
    (await db.faqEntry.findMany({ where: { id: { in: [...seen] } }, select: { id: true } })).map((e) => e.id),
  );
  await db.$transaction(async (tx) => {
    let done = 0;
    for (const { line: _line, id, ...data } of rows) {
      const key = id ?? newEntryId();
      await tx.faqEntry.upsert({ where: { id: key }, create: { id: key, ...data }, update: data });
      onProgress?.(++done, rows.length);
    }
  });
  const updated = rows.filter((r) => r.id && existing.has(r.id)).length;
  return { ok: true, created: rows.length - updated, updated };
}

export async function exportCsv(db: Db): Promise<string> {
  const entries = await db.faqEntry.findMany({ orderBy: { id: "asc" } });
  return stringify(
    entries.map((e) => [e.id, e.question, e.answer, e.tags.join(";"), e.locale]),
    { header: true, columns: ["id", "question", "answer", "tags", "locale"] },
  );
}

/** FAQ figures for the weekly digest (SPEC §6). */
export async function faqStats(db: Db, from: Date, to: Date) {
  const queries = await db.faqQuery.findMany({
    where: { createdAt: { gte: from, lt: to } },
    select: { entryId: true, answeredAt: true, text: true, feedback: { select: { helpful: true } } },
  });
  const answered = queries.filter((q) => q.entryId).length;
  const rated = queries.flatMap((q) => q.feedback);
  const topUnanswered = new Map<string, number>();
  for (const q of queries)
    if (!q.entryId)
      topUnanswered.set(q.text.trim().toLowerCase(), (topUnanswered.get(q.text.trim().toLowerCase()) ?? 0) + 1);
  return {
    asked: queries.length,
    answered,
    rated: rated.length,
    helpful: rated.filter((f) => f.helpful).length,
    topUnanswered: [...topUnanswered.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5),
  };
}
