// Property-based tests over the two CSV imports (issue 9, SPEC §5, §6, §11): the FAQ store
// (importCsv) and the business figures (importFigures). Whatever the file holds, the import
// never throws, answers ok or a list of errors that each name a line (≥ 1) and a field, and
// imports all of the file or none of it.
import { stringify } from "csv-stringify/sync";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/core/db.ts";
import { importCsv } from "../../src/faq/service.ts";
import { importFigures } from "../../src/kpi/service.ts";
import { freshDatabase } from "../kit/db.ts";
import {
  anyText,
  changedTables,
  dates,
  fragment,
  numbers,
  oddChars,
  pick,
  runs,
  type Snapshot,
  snapshot,
} from "../kit/fuzz.ts";

const mostly = (valid: fc.Arbitrary<string>, hostile: fc.Arbitrary<string> = fragment) =>
  fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: hostile });

/** Any text, text that looks like CSV, and CSV with broken quoting. */
const csvish = fc.oneof(
  anyText,
  fc
    .array(fc.array(fc.oneof(fragment, pick('"', '""', "\r", "\n", ",", ";", '"a,b"', "\ufeff")), { maxLength: 6 }), {
      maxLength: 8,
    })
    .map((rows) => rows.map((r) => r.join(",")).join("\n")),
);

/** A header as people write it: the right names in any order and case, some missing, some extra. */
function header(columns: string[], aliases: string[] = []): fc.Arbitrary<string[]> {
  return fc
    .tuple(
      fc.shuffledSubarray([...columns, ...aliases], { minLength: Math.max(1, columns.length - 2) }),
      fc.array(pick("extra", "", " notes ", "id"), { maxLength: 1 }),
      fc.boolean(),
    )
    .map(([cols, extra, shout]) => [...cols, ...extra].map((c) => (shout ? ` ${c.toUpperCase()} ` : c)));
}

/** Rows as a spreadsheet would save them, or hand-joined (bad quoting), with any line ending and maybe a BOM. */
function file(head: fc.Arbitrary<string[]>, cell: (column: string) => fc.Arbitrary<string>): fc.Arbitrary<string> {
  return head.chain((cols) =>
    fc
      .tuple(
        fc.array(fc.tuple(...cols.map((c) => cell(c.trim().toLowerCase()))), { minLength: 0, maxLength: 12 }),
        fc.oneof({ weight: 4, arbitrary: fc.constant("stringify") }, { weight: 1, arbitrary: fc.constant("join") }),
        pick("\n", "\r\n", "\r"),
        fc.boolean(),
        fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -1, max: 2 }) }),
      )
      .map(([rows, how, eol, bom, ragged]) => {
        const table = [cols, ...rows.map((r) => (ragged ? [...r, ...Array(Math.max(0, ragged)).fill("x")] : r))];
        if (ragged < 0 && table.length > 1) table[table.length - 1] = table.at(-1)!.slice(0, -1);
        const body =
          how === "stringify" ? stringify(table, { record_delimiter: eol }) : table.map((r) => r.join(",")).join(eol);
        return (bom ? "\ufeff" : "") + body;
      }),
  );
}

interface ErrorLike {
  line: number;
  field: string;
  message: string;
}

async function expectAllOrNothing(
  db: Database["prisma"],
  run: () => Promise<{ ok: true } | { ok: false; errors: ErrorLike[] }>,
  fields: string[],
  what: string,
): Promise<{ ok: boolean; before: Snapshot; after: Snapshot }> {
  const before = await snapshot(db);
  let result: Awaited<ReturnType<typeof run>>;
  try {
    result = await run();
  } catch (e) {
    throw new Error(`${what}\nthrew: ${(e as Error).message.slice(0, 800)}`);
  }
  const after = await snapshot(db);
  if (!result.ok) {
    expect(result.errors.length, what).toBeGreaterThan(0);
    for (const e of result.errors) {
      expect(e.line, `${what}\n${JSON.stringify(e)}`).toBeGreaterThanOrEqual(1);
      // A column the import does not know is named as the field.
      if (e.message !== "faq.error.columns")
        expect([...fields, "file", "row"], `${what}\n${JSON.stringify(e)}`).toContain(e.field);
      expect(e.message, what).toMatch(/\S/);
    }
    expect(changedTables(before, after), what).toEqual([]);
  }
  return { ok: result.ok, before, after };
}

describe("fuzzing CSV imports (embedded)", () => {
  let database: Database;
  let db: Database["prisma"];
  beforeAll(async () => {
    database = await freshDatabase("embedded");
    db = database.prisma;
  });
  afterAll(async () => database?.close());

  const FAQ_FIELDS = ["id", "question", "answer", "tags", "locale", "variants"];
  const faqCell = (column: string): fc.Arbitrary<string> => {
    switch (column) {
      case "id":
        return mostly(
          fc.oneof(
            fc.integer({ min: 1, max: 40 }).map((n) => `faq-${n}`),
            fc.constant(""),
          ),
          fc.oneof(fragment, fc.string({ minLength: 55, maxLength: 70 })),
        );
      case "question":
        return mostly(
          fc.string({ unit: "grapheme", minLength: 3, maxLength: 120 }),
          fc.oneof(fragment, fc.string({ minLength: 490, maxLength: 520 })),
        );
      case "answer":
        return mostly(fc.string({ unit: "grapheme", minLength: 1, maxLength: 300 }));
      case "tags":
        return mostly(
          pick("pólizas;recibos", "a, b ,c", "", "x;x;X"),
          fc.oneof(fragment, fc.string({ maxLength: 60 })),
        );
      case "locale":
        return mostly(pick("es", "en", "EN", " es ", ""), pick("fr", "español", "e"));
      case "variants":
        return mostly(
          pick("otra forma\r\ny otra", "", " \n \n", "sola"),
          fc.oneof(fragment, fc.string({ minLength: 501, maxLength: 520 }), fc.constant("x\n".repeat(31))),
        );
      default:
        return fc.oneof(fragment, oddChars);
    }
  };

  it("importCsv (FAQ): any text never throws, errors name a line and a field, nothing half-imported", async () => {
    await fc.assert(
      fc.asyncProperty(csvish, async (text) => {
        await expectAllOrNothing(db, () => importCsv(db, text), FAQ_FIELDS, `importCsv ${JSON.stringify(text)}`);
      }),
      runs(150),
    );
  }, 120_000);

  it("importCsv (FAQ): files with bad fields are refused whole; good ones imported whole", async () => {
    let imported = 0;
    await fc.assert(
      fc.asyncProperty(file(header(FAQ_FIELDS), faqCell), async (text) => {
        const what = `importCsv ${JSON.stringify(text).slice(0, 3000)}`;
        const before = await db.faqEntry.count();
        const result = await importCsv(db, text).catch((e: Error) => {
          throw new Error(`${what}\nthrew: ${e.message.slice(0, 800)}`);
        });
        const after = await db.faqEntry.count();
        if (result.ok) {
          imported++;
          expect(after - before, what).toBe(result.created);
        } else {
          expect(after, what).toBe(before);
          for (const e of result.errors) {
            expect(e.line, `${what}\n${JSON.stringify(e)}`).toBeGreaterThanOrEqual(1);
            // A column the import does not know is named as the field.
            if (e.message !== "faq.error.columns")
              expect([...FAQ_FIELDS, "file", "row"], `${what}\n${JSON.stringify(e)}`).toContain(e.field);
          }
        }
      }),
      runs(200),
    );
    // The generator reaches the writes too.
    expect(imported).toBeGreaterThan(0);
  }, 120_000);

  const FIGURE_FIELDS = ["week", "metric", "value", "target", "team"];
  const figureCell = (column: string): fc.Arbitrary<string> => {
    switch (column) {
      case "week":
      case "week start":
      case "semana":
        return mostly(
          fc.integer({ min: 0, max: 60 }).map((n) => new Date(Date.UTC(2026, 0, 5 + n * 7)).toISOString().slice(0, 10)),
          dates,
        );
      case "metric":
      case "métrica":
        return mostly(pick("persistency_13m", "new_policies", "premium_eur", "NPS", "x1"), fragment);
      case "value":
      case "valor":
        return mostly(
          fc.oneof(fc.integer({ min: -1000, max: 100000 }).map(String), pick("97,5", "0.25", "-3")),
          numbers,
        );
      case "target":
      case "objetivo":
        return mostly(fc.oneof(fc.integer({ min: 0, max: 1000 }).map(String), pick("", " ")), numbers);
      case "team":
      case "equipo":
        return mostly(
          pick("", "Norte", "Sur", "Équipe 1"),
          fc.oneof(fragment, fc.string({ minLength: 55, maxLength: 70 })),
        );
      default:
        return fc.oneof(fragment, oddChars);
    }
  };

  it("importFigures (KPI): any text never throws, errors name a line and a field, nothing half-imported", async () => {
    await fc.assert(
      fc.asyncProperty(csvish, async (text) => {
        await expectAllOrNothing(
          db,
          () => importFigures(db, text),
          FIGURE_FIELDS,
          `importFigures ${JSON.stringify(text)}`,
        );
      }),
      runs(150),
    );
  }, 120_000);

  it("importFigures (KPI): files with bad fields are refused whole; good ones imported whole", async () => {
    let imported = 0;
    await fc.assert(
      fc.asyncProperty(
        file(header(["week", "metric", "value", "target", "team"], ["semana", "valor", "week start"]), figureCell),
        async (text) => {
          const what = `importFigures ${JSON.stringify(text).slice(0, 3000)}`;
          const { ok, before, after } = await expectAllOrNothing(
            db,
            () => importFigures(db, text),
            FIGURE_FIELDS,
            what,
          );
          if (ok) {
            imported++;
            expect(
              changedTables(before, after).filter((t) => t !== "BusinessFigure"),
              what,
            ).toEqual([]);
          }
        },
      ),
      runs(200),
    );
    expect(imported).toBeGreaterThan(0);
  }, 120_000);

  // Were bugs (NUL in an imported CSV): now refused with the line and field.
  it("importCsv with a NUL in a question answers with an error instead of throwing", async () => {
    await expectAllOrNothing(db, () => importCsv(db, "question,answer\nq\u0000uestion,answer\n"), FAQ_FIELDS, "NUL");
  });
  it("importFigures with a NUL in a team answers with an error instead of throwing", async () => {
    const text = "week,metric,value,team\n2026-01-05,nul_test,1,N\u0000\n";
    await expectAllOrNothing(db, () => importFigures(db, text), FIGURE_FIELDS, "NUL");
  });

  // Was a bug: header names were looked up on a plain object, so "constructor" named line 0.
  it("importFigures with a header cell named constructor names a line ≥ 1 and a field", async () => {
    await expectAllOrNothing(db, () => importFigures(db, "constructor"), FIGURE_FIELDS, "header constructor");
  });

  // Was a bug: the digits-only regex took any length, so 400 nines imported as Infinity.
  it("importFigures refuses a value too large for a float (400 digits) instead of storing Infinity", async () => {
    const result = await importFigures(db, `week,metric,value\n2026-01-05,too_big,${"9".repeat(400)}\n`);
    expect(result).toMatchObject({ ok: false, errors: [{ line: 2, field: "value" }] });
  });

  // Was a bug: Date.UTC maps years 0–99 to 1900–1999, so week 0050-01-05 imported as 1950.
  it("importFigures refuses a week in year 0050 instead of moving it to 1950", async () => {
    const result = await importFigures(db, "week,metric,value\n0050-01-05,year_test,1\n");
    expect(result).toMatchObject({ ok: false, errors: [{ line: 2, field: "week" }] });
    expect(await db.businessFigure.count({ where: { metric: "year_test" } })).toBe(0);
  });
});
