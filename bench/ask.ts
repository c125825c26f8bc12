// `npm run bench -- ask`: /ask service latency (search + the query log insert) with the
// starter FAQ store and with 5,000 generated entries, index build time, and the
// evaluation set's figures (top-1, top-3, abstention per kind).
import { readFileSync } from "node:fs";
import path from "node:path";
import { openDatabase } from "../src/core/db.ts";
import { ROOT } from "../src/core/migrate.ts";
import { evaluate } from "../src/faq/evaluate.ts";
import { FaqIndex } from "../src/faq/search.ts";
import { ask, FaqSearch, importCsv } from "../src/faq/service.ts";
import { type Backend, benchDatabase, fmt, postgresAvailable } from "./lib/setup.ts";

const SEED = path.resolve(ROOT, "..", "shared", "data", "faq-seed.csv");
const EVAL = path.join(ROOT, "test", "faq", "eval-set.json");

/** Plausible entries: seed questions recombined with products and situations. */
function generated(n: number) {
  const products = [
    "vida ahorro",
    "hogar",
    "auto",
    "salud",
    "decesos",
    "accidentes",
    "plan de jubilación",
    "comercio",
    "life savings",
    "home",
    "car",
    "health",
  ];
  const verbs = [
    "anular",
    "renovar",
    "modificar",
    "rescatar",
    "tarificar",
    "cobrar",
    "cancel",
    "renew",
    "change",
    "surrender",
  ];
  const things = [
    "recibo",
    "beneficiario",
    "cobertura",
    "franquicia",
    "capital",
    "tomador",
    "premium",
    "cover",
    "deductible",
    "claim",
  ];
  return Array.from({ length: n }, (_, i) => {
    const p = products[i % products.length] as string;
    const v = verbs[Math.floor(i / products.length) % verbs.length] as string;
    const t = things[Math.floor(i / (products.length * verbs.length)) % things.length] as string;
    const en = i % 4 === 3;
    return {
      id: `gen-${i}`,
      question: en
        ? `How do I ${v} the ${t} of a ${p} policy (case ${i})?`
        : `¿Cómo ${v} el ${t} de una póliza de ${p} (caso ${i})?`,
      answer: `Procedimiento ${i}: entra en el portal comercial > Cartera, busca la póliza de ${p}, elige "${v}" y revisa el ${t}. Documento de referencia PR-${i}.`,
      tags: [p, t],
      locale: en ? "en" : "es",
    };
  });
}

const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;

async function latency(backend: Backend, extra: number, queries: string[]) {
  const { target, drop } = await benchDatabase(backend);
  const database = await openDatabase(target);
  try {
    await database.migrate();
    const db = database.prisma;
    const imported = await importCsv(db, readFileSync(SEED, "utf8"));
    if (!imported.ok) throw new Error("seed import failed");
    if (extra) {
      const rows = generated(extra);
      for (let i = 0; i < rows.length; i += 1000) await db.faqEntry.createMany({ data: rows.slice(i, i + 1000) });
    }
    const search = new FaqSearch(db);
    const t0 = performance.now();
    await search.current();
    const build = performance.now() - t0;
    for (const q of queries.slice(0, 30)) await ask(db, search, "UBENCH", q, "CBENCH");
    const times: number[] = [];
    for (const q of queries) {
      const t = performance.now();
      await ask(db, search, "UBENCH", q, "CBENCH");
      times.push(performance.now() - t);
    }
    return { build, p50: quantile(times, 0.5), p95: quantile(times, 0.95), n: times.length };
  } finally {
    await database.close();
    await drop();
  }
}

export async function benchAsk(): Promise<string[]> {
  const set = JSON.parse(readFileSync(EVAL, "utf8")) as { query: string; expected: string | null; kind: string }[];
  const queries = set.map((q) => q.query);
  const out: string[] = ["/ask service latency (search + fingerprint check + query log insert), evaluation queries"];
  out.push("| database | entries | index build | p50 | p95 |", "| --- | --- | --- | --- | --- |");
  const backends: Backend[] = (await postgresAvailable()) ? ["embedded", "postgres"] : ["embedded"];
  for (const backend of backends) {
    for (const extra of [0, 5000]) {
      const r = await latency(backend, extra, queries);
      out.push(`| ${backend} | ${64 + extra} | ${fmt(r.build, 0)} ms | ${fmt(r.p50, 2)} ms | ${fmt(r.p95, 2)} ms |`);
    }
  }
  out.push("goal: p95 ≤ 10 ms");

  const { parse } = await import("csv-parse/sync");
  const rows = parse(readFileSync(SEED), { columns: true }) as {
    id: string;
    question: string;
    answer: string;
    tags: string;
    locale: string;
  }[];
  const index = new FaqIndex(rows.map((r) => ({ ...r, tags: r.tags.split(";") })));
  const e = evaluate(index, set);
  out.push(
    "",
    `evaluation (${set.length} queries, test/faq/eval-set.json): top-1 ${fmt(e.top1 * 100)} %, top-3 ${fmt(e.top3 * 100)} % (in scope), abstention ${fmt(e.abstention * 100)} % (out of scope); goals 90 % / 85 %`,
  );
  out.push("| kind | queries | top-1 | top-3 | abstained |", "| --- | --- | --- | --- | --- |");
  for (const k of e.kinds)
    out.push(
      `| ${k.kind} | ${k.n} | ${fmt((k.top1 / k.n) * 100)} % | ${fmt((k.top3 / k.n) * 100)} % | ${fmt((k.abstained / k.n) * 100)} % |`,
    );
  return out;
}
