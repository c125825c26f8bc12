// `npm run bench -- ask`: /ask service latency (search + the query log insert) with the
// starter FAQ store and with 5,000 generated entries added, index build time, and the
// evaluation set's figures (top-1, top-3, abstention per kind).
import { readFileSync } from "node:fs";
import {
  BLIND_SETS,
  evalSet,
  evaluate,
  SEED_FILE,
  SEED_VARIANTS_FILE,
  seedIndex,
  TRAINING_SETS,
} from "../src/faq/evaluate.ts";
import { ask, FaqSearch, importCsv } from "../src/faq/service.ts";
import { quantile } from "./lib/load.ts";
import { atLeast, atMost, type BenchResult, type Figure, independent, measured } from "./lib/report.ts";
import { type Backend, eachBackend, fmt, sized, withDatabase } from "./lib/setup.ts";

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
      variants: en ? [`${t} ${p} ${v}`, `${v} ${t} on ${p} case ${i}`] : [`${t} ${p} ${v}`, `${v} ${t} ${p} caso ${i}`],
    };
  });
}

const EXTRA = sized(5_000, 1_000);
/** Queries timed per store (the evaluation set has 311). */
const TIMED = sized(Number.POSITIVE_INFINITY, 100);

async function latency(backend: Backend, extra: number, queries: string[]) {
  return withDatabase(backend, async (database) => {
    const db = database.prisma;
    const imported = await importCsv(db, readFileSync(SEED_FILE, "utf8"));
    const asked = await importCsv(db, readFileSync(SEED_VARIANTS_FILE, "utf8"));
    if (!imported.ok || !asked.ok) throw new Error("seed import failed");
    if (extra) {
      const rows = generated(extra);
      for (let i = 0; i < rows.length; i += 1000) await db.faqEntry.createMany({ data: rows.slice(i, i + 1000) });
    }
    const entries = await db.faqEntry.count();
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
    times.sort((a, b) => a - b);
    return { entries, build, p50: quantile(times, 0.5), p95: quantile(times, 0.95) };
  });
}

export async function benchAsk(): Promise<BenchResult> {
  const set = evalSet("eval-set.json");
  const queries = set.map((q) => q.query).slice(0, TIMED);
  const figures: Figure[] = [];
  for (const extra of [0, EXTRA]) {
    const r = await eachBackend((backend) => latency(backend, extra, queries));
    const entries = (r.embedded ?? r.postgres)?.entries.toLocaleString("en-US");
    figures.push(
      measured(r, `index build, ${entries} entries`, "ms", (x) => x.build),
      measured(r, `/ask p50, ${entries} entries`, "ms", (x) => x.p50, { digits: 2 }),
      measured(r, `/ask p95, ${entries} entries`, "ms", (x) => x.p95, { digits: 2, goal: atMost(10) }),
    );
  }

  const index = seedIndex();
  const bare = seedIndex({ variants: false });
  const pct = (x: number) => x * 100;
  const notes = [
    `/ask service latency (search + fingerprint check + query log insert) over ${queries.length} evaluation queries, after 30 to warm up; the starter FAQ store, then with ${EXTRA.toLocaleString("en-US")} generated entries added`,
  ];
  // Each set of test/faq/ by the name its rows carry: the training sets, then the blind ones.
  const named = (file: string) =>
    file === "eval-set.json"
      ? "evaluation"
      : file === "holdout-set.json"
        ? "held-out"
        : `blind ${/\d+/.exec(file)?.[0]}`;
  for (const file of [...TRAINING_SETS, ...BLIND_SETS]) {
    const name = named(file);
    const queriesOf = file === "eval-set.json" ? set : evalSet(file);
    const e = evaluate(index, queriesOf);
    const b = evaluate(bare, queriesOf);
    figures.push(
      independent(`${name} top-1, in scope`, "%", pct(e.top1), { digits: 1, goal: atLeast(90) }),
      independent(`${name} top-3, in scope`, "%", pct(e.top3), { digits: 1 }),
      independent(`${name} abstention, out of scope`, "%", pct(e.abstention), { digits: 1, goal: atLeast(85) }),
      independent(`${name} top-1, entries without their other ways of asking`, "%", pct(b.top1), { digits: 1 }),
      independent(`${name} abstention, entries without their other ways of asking`, "%", pct(b.abstention), {
        digits: 1,
      }),
    );
    notes.push(
      `${name}: ${queriesOf.length} queries of test/faq/${file} (${BLIND_SETS.includes(file) ? "a blind set, never tuned on" : "a training set"}) against the starter store's index, per kind:`,
      "| kind | queries | top-1 | top-3 | abstained |",
      "| --- | --- | --- | --- | --- |",
      ...e.kinds.map(
        (k) =>
          `| ${k.kind} | ${k.n} | ${fmt(pct(k.top1 / k.n))} % | ${fmt(pct(k.top3 / k.n))} % | ${fmt(pct(k.abstained / k.n))} % |`,
      ),
    );
  }
  return { figures, notes };
}
