// Answering unanswered questions (SPEC §5): with a new entry or one the store has, once however
// many admins answer at the same time; the search learns a linked question; the digest's
// "answered" stays what /ask answered at the time.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StoppedClock } from "../../src/core/clock.ts";
import type { Database } from "../../src/core/db.ts";
import { addEntry, answerQuestion, ask, exportCsv, FaqSearch, faqWindow, importCsv } from "../../src/faq/service.ts";
import { BACKENDS, freshDatabase } from "../kit/db.ts";

const ZONE = "Europe/Madrid";

describe.each(BACKENDS)("answering unanswered questions (%s)", (backend) => {
  let database: Database;
  const clock = new StoppedClock(new Date("2026-11-18T10:00:00Z"));
  beforeEach(async () => {
    database = await freshDatabase(backend);
  });
  afterEach(() => database.close());

  async function setUp() {
    const db = database.prisma;
    const search = new FaqSearch(db, 0);
    const grace = await addEntry(
      db,
      {
        question: "¿Cuántos días de gracia hay para pagar un recibo vencido?",
        answer: "Hay 30 días de gracia desde el vencimiento.",
        tags: ["recibos", "impago"],
        locale: "es",
      },
      "UADMIN",
    );
    const asked = "se quedó sin curro y anda justo este mes";
    const first = await ask(db, search, "USTAFF", asked, "C1");
    expect(first.entry).toBeNull();
    return { db, search, grace, asked, queryId: first.query.id };
  }

  it("links the question to the entry once, and /ask then answers that way of asking with it", async () => {
    const { db, search, grace, asked, queryId } = await setUp();
    const results = await Promise.all([
      answerQuestion(db, queryId, { entryId: grace.id }, "UADMIN", clock.now()),
      answerQuestion(db, queryId, { entryId: grace.id }, "UADMIN2", clock.now()),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.key)).toEqual(["faq.error.alreadyAnswered"]);
    const query = await db.faqQuery.findUniqueOrThrow({ where: { id: queryId } });
    expect(query).toMatchObject({ entryId: grace.id, answeredAt: clock.now() });

    const again = await ask(db, search, "UOTHER", asked, "C1");
    expect(again.entry?.id).toBe(grace.id);
  });

  it("creates one entry however many admins answer with a new one at the same time", async () => {
    const { db, queryId } = await setUp();
    const newEntry = {
      question: "¿Qué hago si mi cliente no puede pagar?",
      answer: "…",
      tags: [],
      locale: "es" as const,
    };
    const results = await Promise.all(
      ["UADMIN", "UADMIN2", "UADMIN3"].map((admin) =>
        answerQuestion(db, queryId, { newEntry: { ...newEntry, answer: admin } }, admin, clock.now()),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await db.faqEntry.count({ where: { question: newEntry.question } })).toBe(1);
  });

  it("refuses an entry that does not exist and writes nothing", async () => {
    const { db, queryId } = await setUp();
    expect(await answerQuestion(db, queryId, { entryId: "faq-nope" }, "UADMIN", clock.now())).toMatchObject({
      ok: false,
      key: "faq.error.notFound",
    });
    expect(await db.faqQuery.findUniqueOrThrow({ where: { id: queryId } })).toMatchObject({
      entryId: null,
      answeredAt: null,
    });
  });

  it("keeps a question answered later by an admin unanswered in its week's figures", async () => {
    const { db, grace, queryId } = await setUp();
    // The log is stamped by the database: a 7-day window from the day before holds it.
    const { createdAt } = await db.faqQuery.findUniqueOrThrow({ where: { id: queryId } });
    const week = new Date(`${new Date(createdAt.getTime() - 86_400_000).toISOString().slice(0, 10)}T00:00:00Z`);
    const before = await faqWindow(db, ZONE, [week]);
    await answerQuestion(db, queryId, { entryId: grace.id }, "UADMIN", clock.now());
    const after = await faqWindow(db, ZONE, [week]);
    expect(before[0]).toMatchObject({ asked: 1, answered: 0 });
    expect(after).toEqual(before);
  });
});

// Other ways to ask an entry (SPEC §5): written by the admins in the entry's form or a CSV file,
// searched as the question is; a file of ids and variants updates only those.
describe.each(BACKENDS)("other ways to ask an entry (%s)", (backend) => {
  let database: Database;
  beforeEach(async () => {
    database = await freshDatabase(backend);
  });
  afterEach(() => database.close());

  const store = [
    "id,question,answer,tags,locale",
    "faq-grace,¿Cuántos días de gracia hay para pagar un recibo vencido?,Hay 30 días de gracia.,recibos;impago,es",
    "faq-card,¿Cómo pido un duplicado de la tarjeta sanitaria?,Desde el área de clientes.,salud,es",
  ].join("\n");
  const variants = 'id,variants\nfaq-grace,"se quedó sin curro y anda justo este mes\nmargen para pagar tarde"\n';

  it("adds them from a file of ids and variants, keeping everything else, and /ask finds the entry by them", async () => {
    const db = database.prisma;
    const search = new FaqSearch(db, 0);
    expect(await importCsv(db, store)).toEqual({ ok: true, created: 2, updated: 0 });
    const asked = "se quedó sin curro y anda justo este mes";
    expect((await ask(db, search, "USTAFF", asked, "C1")).entry).toBeNull();

    expect(await importCsv(db, variants)).toEqual({ ok: true, created: 0, updated: 1 });
    const grace = await db.faqEntry.findUniqueOrThrow({ where: { id: "faq-grace" } });
    expect(grace).toMatchObject({
      question: "¿Cuántos días de gracia hay para pagar un recibo vencido?",
      answer: "Hay 30 días de gracia.",
      tags: ["recibos", "impago"],
      locale: "es",
      variants: ["se quedó sin curro y anda justo este mes", "margen para pagar tarde"],
    });
    expect((await ask(db, search, "USTAFF", asked, "C1")).entry?.id).toBe("faq-grace");
    expect((await ask(db, search, "USTAFF", "qué margen tengo para pagar tarde", "C1")).entry?.id).toBe("faq-grace");

    // Re-importing the store without the column keeps them; the export carries them, one per line.
    await importCsv(db, store);
    const exported = await exportCsv(db);
    expect(exported.split("\n")[0]).toBe("id,question,answer,tags,locale,variants");
    expect(exported).toContain('es,"se quedó sin curro y anda justo este mes\nmargen para pagar tarde"');
    await db.faqEntry.deleteMany();
    expect(await importCsv(db, exported)).toEqual({ ok: true, created: 2, updated: 0 });
    expect((await db.faqEntry.findUniqueOrThrow({ where: { id: "faq-grace" } })).variants).toEqual([
      "se quedó sin curro y anda justo este mes",
      "margen para pagar tarde",
    ]);
  });

  it("refuses a file of variants naming an entry that does not exist, and imports none of it", async () => {
    const db = database.prisma;
    await importCsv(db, store);
    const result = await importCsv(db, `${variants}faq-nope,"algo"\n,"sin id"\n`);
    expect(result).toEqual({
      ok: false,
      errors: [
        { line: 4, field: "id", message: "faq.error.newEntryNeeds" },
        { line: 5, field: "question", message: "faq.error.newEntryNeeds" },
      ],
    });
    expect((await db.faqEntry.findUniqueOrThrow({ where: { id: "faq-grace" } })).variants).toEqual([]);
    expect(await db.faqEntry.count()).toBe(2);
  });

  it("clears an entry's ways of asking with an empty cell", async () => {
    const db = database.prisma;
    await importCsv(db, store);
    await importCsv(db, variants);
    expect(await importCsv(db, 'id,variants\nfaq-grace,""\n')).toEqual({ ok: true, created: 0, updated: 1 });
    expect((await db.faqEntry.findUniqueOrThrow({ where: { id: "faq-grace" } })).variants).toEqual([]);
  });

  it("refuses a file with a column it does not know, twice, or with nothing but ids, and imports none of it", async () => {
    const db = database.prisma;
    await importCsv(db, store);
    for (const [text, field] of [
      ['id,variant\nfaq-grace,"otra forma"\n', "variant"],
      ["id,questoin,answer\nfaq-grace,¿Otra?,Sí.\n", "questoin"],
      ['id,variants,variants\nfaq-grace,"a","b"\n', "variants"],
      ["id\nfaq-grace\n", "file"],
    ] as const) {
      expect(await importCsv(db, text), text).toEqual({
        ok: false,
        errors: [{ line: 1, field, message: "faq.error.columns" }],
      });
    }
    const grace = await db.faqEntry.findUniqueOrThrow({ where: { id: "faq-grace" } });
    expect(grace).toMatchObject({ answer: "Hay 30 días de gracia.", variants: [] });
    // A trailing comma's unnamed column is no column.
    expect(await importCsv(db, 'id,variants,\nfaq-grace,"otra forma",\n')).toEqual({
      ok: true,
      created: 0,
      updated: 1,
    });
  });

  it("refuses too many or too long ways of asking, naming the line and the column", async () => {
    const db = database.prisma;
    await importCsv(db, store);
    const many = Array.from({ length: 31 }, (_, i) => `forma ${i}`).join("\n");
    const long = Array.from({ length: 7 }, (_, i) => String(i).repeat(450)).join("\n");
    const result = await importCsv(
      db,
      `id,variants\nfaq-grace,"${many}"\nfaq-card,"${"x".repeat(501)}"\nfaq-grace,"${long}"\n`,
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((e) => [e.line, e.field, e.message])).toEqual([
      [32, "variants", "faq.error.variants"],
      [33, "variants", "faq.error.variants"],
      [40, "variants", "faq.error.variants"],
    ]);
    expect((await db.faqEntry.findUniqueOrThrow({ where: { id: "faq-grace" } })).variants).toEqual([]);
  });
});
