// `faq import` and `kpi import` (SPEC §8): long imports show a progress bar on stderr when it is a
// terminal, and nothing more than their summary line when it is not (scripts, CI).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/cli/main.ts";
import { SEED_FILE, SEED_VARIANTS_FILE } from "../../src/faq/evaluate.ts";
import { BACKENDS } from "../kit/db.ts";
import { type CliHarness, cliHarness } from "./kit.ts";

const ROWS = 40;
/** What cli-progress writes last when it clears its line on completion. */
const CLEAR_LINE = "\x1b[2K";

describe.each(BACKENDS)("cli: imports and their progress (%s)", (backend) => {
  let h: CliHarness;
  let dir: string;
  const file = (name: string) => path.join(dir, name);

  beforeAll(async () => {
    h = await cliHarness(backend);
    dir = await mkdtemp(path.join(os.tmpdir(), "capacita-import-"));
    const faq = Array.from({ length: ROWS }, (_, i) => `faq-t${i},¿Pregunta ${i}?,Respuesta ${i}.,prueba,es`);
    await writeFile(file("faq.csv"), ["id,question,answer,tags,locale", ...faq].join("\n"));
    const figures = Array.from(
      { length: ROWS },
      (_, i) => `2026-0${1 + (i % 4)}-05,metric_${Math.floor(i / 4)},${i},100,`,
    );
    await writeFile(file("kpi.csv"), ["week start,metric,value,target,team", ...figures].join("\n"));
    await writeFile(
      file("bad.csv"),
      "week start,metric,value,target,team\n2026-01-05,sales,12,,\n2026-13-01,sales,x,,\n",
    );
  });

  afterAll(async () => {
    await h?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("draws a bar of the rows written on a terminal's stderr, then clears it", async () => {
    const r = await h.run(["faq", "import", file("faq.csv")], { tty: true });
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toBe(`Imported ${file("faq.csv")}: ${ROWS} new, 0 updated.`);
    expect(r.err).toBe("");
    expect(r.progress).toContain(`Importing ${file("faq.csv")} `);
    expect(r.progress).toContain(`100% · ${ROWS}/${ROWS} rows`);
    expect(r.progress.endsWith(CLEAR_LINE)).toBe(true);
    expect(await h.withDb((db) => db.faqEntry.count())).toBe(ROWS);
  });

  it("prints only its summary line when stderr is not a terminal", async () => {
    const r = await h.run(["kpi", "import", file("kpi.csv")]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toBe(`Imported ${file("kpi.csv")}: ${ROWS} figures over 4 week(s).`);
    expect(r.err).toBe("");
    expect(r.progress).toBe("");
    expect(await h.withDb((db) => db.businessFigure.count())).toBe(ROWS);
  });

  it("shows the business figures' import on a terminal too; re-importing updates, adds nothing", async () => {
    const r = await h.run(["kpi", "import", file("kpi.csv")], { tty: true });
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toBe(`Imported ${file("kpi.csv")}: ${ROWS} figures over 4 week(s).`);
    expect(r.progress).toContain(`100% · ${ROWS}/${ROWS} rows`);
    expect(await h.withDb((db) => db.businessFigure.count())).toBe(ROWS);
  });

  it("draws no bar for a file whose bad rows stop it before anything is written (exit code 1)", async () => {
    const r = await h.run(["kpi", "import", file("bad.csv")], { tty: true });
    expect(r.code).toBe(EXIT.failed);
    expect(r.out).toContain(`${file("bad.csv")}:3: week: expected a date YYYY-MM-DD`);
    expect(r.err).toBe(`capacita: 2 bad row(s) in ${file("bad.csv")}: nothing was imported`);
    expect(r.progress).toBe("");
    expect(await h.withDb((db) => db.businessFigure.count({ where: { metric: "sales" } }))).toBe(0);
  });

  it("adds the starter store's other ways of asking to its entries, keeping the rest", async () => {
    expect((await h.run(["faq", "import", SEED_FILE])).out).toBe(`Imported ${SEED_FILE}: 64 new, 0 updated.`);
    const r = await h.run(["faq", "import", SEED_VARIANTS_FILE]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toBe(`Imported ${SEED_VARIANTS_FILE}: 0 new, 64 updated.`);
    const entry = await h.withDb((db) => db.faqEntry.findUniqueOrThrow({ where: { id: "faq-001" } }));
    expect(entry.question).toBe("¿Cómo anulo una póliza dentro del período de desistimiento?");
    expect(entry.variants).toHaveLength(8);

    await writeFile(file("variants.csv"), 'id,variants\nfaq-999,"otra forma"\n');
    const bad = await h.run(["faq", "import", file("variants.csv")]);
    expect(bad.code).toBe(EXIT.failed);
    expect(bad.out).toContain(`${file("variants.csv")}:2: id: No entry has that id`);
  });

  it("says a file it cannot read is wrong usage (exit code 2)", async () => {
    const r = await h.run(["faq", "import", file("missing.csv")], { tty: true });
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toBe(`capacita: cannot read ${file("missing.csv")}`);
    expect(r.progress).toBe("");
  });
});
