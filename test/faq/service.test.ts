// Answering unanswered questions (SPEC §5): with a new entry or one the store has, once however
// many admins answer at the same time; the search learns a linked question; the digest's
// "answered" stays what /ask answered at the time.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StoppedClock } from "../../src/core/clock.ts";
import type { Database } from "../../src/core/db.ts";
import { addEntry, answerQuestion, ask, FaqSearch, faqWindow } from "../../src/faq/service.ts";
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
