// The /ask search as a person types: typos, phrases, words that only look alike, names that
// are JavaScript's own, a large store; and the index kept in step with the entries.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/core/db.ts";
import { analyse, decide, FaqIndex, type Match, type Ranked, type SearchableEntry } from "../../src/faq/search.ts";
import { addEntry, ask, FaqSearch, removeEntry } from "../../src/faq/service.ts";
import { BACKENDS, freshDatabase } from "../kit/db.ts";

const entry = (id: string, question: string, answer: string, tags: string[] = [], locale = "es"): SearchableEntry => ({
  id,
  question,
  answer,
  tags,
  locale,
});

const store = [
  entry("anular", "¿Cómo se anula una póliza?", "Con el formulario de anulación firmado.", ["anulación"]),
  entry("gracia", "¿Cuándo caduca una póliza impagada?", "Al terminar el período de gracia sin pagar el recibo.", [
    "impago",
    "período de gracia",
  ]),
  entry("carencia", "¿Qué carencias tiene el seguro de salud?", "Seis meses para cirugía y ocho para el parto.", [
    "salud",
  ]),
  entry("siniestro", "¿Cómo da parte el cliente de un accidente?", "Por teléfono en los 7 días siguientes.", [
    "siniestros",
  ]),
  entry("beneficiarios", "¿Cómo se cambian los beneficiarios?", "El tomador firma la designación.", ["vida"]),
];

describe("FaqIndex", () => {
  const index = new FaqIndex(store);

  it("reads a typo as the nearest word the store knows, a swap of two letters included", () => {
    expect(index.search("cancelar polisa").best?.id).toBe("anular");
    expect(index.search("benefisiarios").best?.id).toBe("beneficiarios");
    expect(index.search("cambair benficiarios").best?.id).toBe("beneficiarios");
  });

  it("reads a typo made by ear, several letters off, as the word it sounds like", () => {
    const health = new FaqIndex([
      entry("renta", "¿Cómo se cobra la renta por hospitalización?", "Con el informe de alta.", ["salud"]),
    ]);
    expect(health.search("renta ospitalisasion").best?.id).toBe("renta");
    expect(health.search("renta hospitalisacion").best?.id).toBe("renta");
  });

  it("finds a phrase of the lexicon whatever the forms of its words, unless a word means something else", () => {
    // "dejar de pagar" is in the lexicon as written; "dejó de pagar" only by its stems.
    expect(analyse("dejó de pagar", ["es"])[0]?.[0]).toBe(analyse("impago", ["es"])[0]?.[0]);
    // "life insured" is a phrase; "insurance" is a word of its own group, so "life insurance" is not that phrase.
    expect(analyse("life insurance", ["en"]).flat()).not.toContain(analyse("life insured", ["en"])[0]?.[0]);
  });

  it("stems a lexicon word in its own language only (the English 'sent' is not the Spanish 'sentir')", () => {
    expect(analyse("sentir", ["es", "en"])[0]).not.toContain(analyse("enviar", ["es"])[0]?.[0]);
    expect(analyse("sent", ["es", "en"])[0]).toContain(analyse("enviar", ["es"])[0]?.[0]);
  });

  it("finds an entry by one word of a phrase it holds (período de gracia), and by the phrase", () => {
    expect(index.search("periodo impago").best?.id).toBe("gracia");
    expect(index.search("periodo de gracia").best?.id).toBe("gracia");
  });

  it("keeps apart words whose stems collide when the lexicon says so (parto is not parte)", () => {
    expect(index.search("carencia parto").best?.id).toBe("carencia");
    expect(index.search("parto").candidates.map((c) => c.id)).not.toContain("siniestro");
  });

  it("says it doesn't know when the best entry has too few of the words", () => {
    expect(index.search("cuál es la capital de Australia").best).toBeNull();
    expect(index.search("como pido un anticipo de nomina").best).toBeNull();
    expect(index.search("hola que tal").best).toBeNull();
  });

  it("reads a misspelt long stop word as nothing, but not a real word one letter from a short one", () => {
    const home = new FaqIndex([
      entry("hogar", "¿Cubre el seguro de hogar el jardín?", "Sí, pero el cliente paga aparte las plantas.", ["hogar"]),
    ]);
    expect(home.search("seguro de hogar").best?.id).toBe("hogar");
    expect(home.search("el clinete tiene seguro de hogar").best?.id).toBe("hogar");
    // "clinete" is "cliente", a stop word: nothing of the query is missing. "perro" is not "pero": it is.
    expect(home.search("el clinete tiene seguro de hogar").candidates[0]?.coverage).toBe(1);
    expect(home.search("seguro de hogar para mi perro").candidates[0]?.coverage).toBeLessThan(1);
    expect(home.search("seguro de hogar para mi perro").best).toBeNull();
  });

  it("answers a way of asking an admin linked to an entry, without learning its typos as words", () => {
    const asked = "se quedo sin curro y anda justo, no llega";
    expect(index.search(asked).best).toBeNull();
    const learnt = new FaqIndex(
      store.map((e) => (e.id === "gracia" ? { ...e, learnt: [asked, "mi polisa esta caducada"] } : e)),
    );
    expect(learnt.search(asked).best?.id).toBe("gracia");
    expect(learnt.search("anda justo y no llega").best?.id).toBe("gracia");
    // "polisa" in a learnt question is still a typo of "póliza" everywhere else.
    expect(learnt.search("cancelar polisa").best?.id).toBe("anular");
  });

  it("says it doesn't know when two entries with other ways of asking have all of the question alike", () => {
    const alike = (topic: string): SearchableEntry => ({
      ...entry(
        topic,
        `¿Qué edad hay que tener para contratar un seguro de ${topic}?`,
        `Depende del seguro de ${topic}.`,
      ),
      variants: [`edad para contratar ${topic}`],
    });
    const twins = new FaqIndex([alike("vida"), alike("salud")]);
    expect(twins.search("edad para contratar").best).toBeNull();
    expect(
      twins
        .search("edad para contratar")
        .related.map((m) => m.id)
        .sort(),
    ).toEqual(["salud", "vida"]);
    expect(twins.search("edad para contratar un seguro de salud").best?.id).toBe("salud");
    // Entries as written are held to the same tie rule (calibrated without variants since session 6).
    const plain = new FaqIndex([alike("vida"), alike("salud")].map(({ variants: _, ...e }) => e));
    expect(plain.search("edad para contratar").best).toBeNull();
    expect(plain.search("edad para contratar un seguro de salud").best?.id).toBe("salud");
  });

  it("answers a partial match only when it has enough of the query and no near tie", () => {
    const match = (id: string, score: number, coverage: number, words: number, variants = false): Match => ({
      id,
      score,
      coverage,
      focus: coverage,
      words,
      variants,
    });
    // A three-word query ("parte accidente coche").
    const ranked = (top: Match, ...rest: Match[]): Ranked => ({ candidates: [top, ...rest], words: 3 });
    for (const variants of [true, false]) {
      const partial = match("parte", 100, 0.6, 2, variants);
      const far = decide(ranked(partial, match("otro", 5, 0.4, 1, variants)));
      expect(far.best?.id).toBe("parte");
      // A runner-up that matches alike: a question between the two, or about neither.
      expect(decide(ranked(partial, match("otro", 99, 0.6, 2, variants))).best).toBeNull();
      // Two of three words and 0.4 of the query; one word of three: too little of it.
      expect(decide(ranked(match("parte", 100, 0.4, 2, variants), match("otro", 1, 0.2, 1, variants))).best).toBeNull();
      expect(decide(ranked(match("parte", 100, 0.3, 1, variants), match("otro", 1, 0.2, 1, variants))).best).toBeNull();
    }
  });

  it("says it does not know what an out-of-scope example asks beyond the best entry, until an entry answers it", () => {
    const outside = [{ question: "el seguro de salud cubre la fisioterapia?", locale: "es" }];
    const physio = "carencias del seguro de salud para la fisioterapia";
    expect(new FaqIndex(store).search(physio).best?.id).toBe("carencia");
    const knowing = new FaqIndex(store, outside);
    expect(knowing.search(physio).best).toBeNull();
    expect(knowing.search(physio).related[0]?.id).toBe("carencia"); // offered as related, not as the answer
    expect(knowing.search("carencias del seguro de salud").best?.id).toBe("carencia");
    // Once an entry answers it, the example has nothing left to say.
    const answered = entry("fisio", "¿Qué carencia tiene la fisioterapia en el seguro de salud?", "Tres meses.", [
      "salud",
    ]);
    expect(new FaqIndex([...store, answered], outside).search(physio).best?.id).toBe("fisio");
  });

  it("says it does not know a question the office wrote down as not answered, though the entry has all its words", () => {
    const age = {
      ...entry(
        "edad",
        "¿Qué hace falta para hacerse un seguro de vida?",
        "Tener 18 años de edad y contratar con DNI.",
        ["vida"],
      ),
      variants: ["que papeles pide el seguro de vida", "requisitos para hacerse un vida"],
    };
    const asked = "hasta que edad se puede contratar un seguro de vida";
    for (const e of [age, { ...age, variants: undefined }]) {
      expect(new FaqIndex([...store, e]).search(asked).best?.id).toBe("edad");
      // An admin's "Not for the FAQ" (or src/faq/out-of-scope.csv) has it, a word or two apart.
      const knowing = new FaqIndex(
        [...store, e],
        [{ question: "¿Hasta qué edad se contrata un seguro de vida?", locale: "es" }],
      );
      expect(knowing.search(asked).best).toBeNull();
      expect(knowing.search(asked).related[0]?.id).toBe("edad");
      // Asked as the entry asks it, the entry is nearer than the example: still the answer.
      expect(knowing.search("que hace falta para hacerse un seguro de vida").best?.id).toBe("edad");
    }
  });

  it("reads what people typed (a learnt question, a marked one) with its typos corrected: asked again, it is the same", () => {
    const asked = "se me caduco la polisa del seguro q hago";
    const learnt = new FaqIndex(store.map((e) => (e.id === "gracia" ? { ...e, learnt: [asked] } : e)));
    expect(learnt.rank(asked).nearest?.entry).toBe(1);
    const marked = new FaqIndex(store, [{ question: asked, locale: "es", asked: true }]);
    expect(marked.rank(asked).nearest?.outside).toBe(1);
    // Read as the store's own text is, "polisa" would stay a word of its own.
    expect(new FaqIndex(store, [{ question: asked, locale: "es" }]).rank(asked).nearest?.outside).toBeLessThan(1);
  });

  it("abstains on an out-of-scope example only when it has enough of the query beyond the best entry", () => {
    const top: Match = { id: "carencia", score: 100, coverage: 1, focus: 1, words: 3, variants: false };
    const ranked = (lacks: number, coverage: number): Ranked => ({
      candidates: [top],
      words: 3,
      outside: [{ id: 0, lacks, coverage }],
    });
    // The rule: 0.15 of the query beyond the entry, with 0.8 of the entry's share in all.
    expect(decide(ranked(0.3, 0.9)).best).toBeNull();
    expect(decide(ranked(0.1, 0.9)).best?.id).toBe("carencia"); // too little beyond the entry
    expect(decide(ranked(0.3, 0.5)).best?.id).toBe("carencia"); // a word in common, no more
    expect(decide({ candidates: [top], words: 3 }).best?.id).toBe("carencia");
  });

  it("takes any word, JavaScript's own names included", () => {
    for (const q of ["constructor", "__proto__ toString", "hasOwnProperty valueOf", "", "¿?", "a".repeat(500)])
      expect(() => index.search(q)).not.toThrow();
    const odd = new FaqIndex([entry("odd", "constructor toString", "__proto__", ["constructor"], "en")]);
    expect(odd.search("constructor __proto__").best?.id).toBe("odd");
  });

  it("answers the same in a large store whose other entries share only common words", () => {
    const filler = Array.from({ length: 3000 }, (_, i) =>
      entry(`f${i}`, `¿Cómo consulto la póliza ${i} en el portal?`, `Portal comercial > Cartera > póliza ${i}.`),
    );
    const large = new FaqIndex([...store, ...filler]);
    for (const q of ["cancelar polisa", "periodo de gracia", "carencia parto", "cambiar beneficiarios poliza vida"])
      expect(large.search(q).best?.id).toBe(index.search(q).best?.id);
  });
});

describe.each(BACKENDS)("FaqSearch keeps the index in step with the entries (%s)", (backend) => {
  let database: Database;
  beforeAll(async () => {
    database = await freshDatabase(backend);
  });
  afterAll(async () => database?.close());

  it("sees this process's own changes at once", async () => {
    const db = database.prisma;
    const search = new FaqSearch(db);
    expect((await ask(db, search, "U1", "dónde aparco en la oficina", null)).entry).toBeNull();
    const added = await addEntry(
      db,
      { question: "¿Dónde aparco en la oficina?", answer: "En la planta -1.", tags: ["parking"], locale: "es" },
      "UADMIN",
    );
    expect((await ask(db, search, "U1", "dónde aparco en la oficina", null)).entry?.id).toBe(added.id);
    await removeEntry(db, added.id);
    expect((await ask(db, search, "U1", "dónde aparco en la oficina", null)).entry).toBeNull();
  });

  it("sees another process's changes once it checks again", async () => {
    const db = database.prisma;
    const search = new FaqSearch(db, 0);
    expect((await ask(db, search, "U1", "horario de verano de la oficina", null)).entry).toBeNull();
    // Written as another process would: not through this module.
    await db.faqEntry.create({
      data: { id: "summer", question: "¿Cuál es el horario de verano de la oficina?", answer: "De 8 a 15.", tags: [] },
    });
    expect((await ask(db, search, "U1", "horario de verano de la oficina", null)).entry?.id).toBe("summer");
  });

  it("sees another process's 'not for the FAQ' once it checks again", async () => {
    const db = database.prisma;
    const search = new FaqSearch(db, 0);
    await db.faqEntry.create({
      data: { id: "waiting", question: "¿Qué carencias tiene el seguro de salud?", answer: "Seis meses.", tags: [] },
    });
    const near = "carencias del seguro de salud para la hidroterapia";
    expect((await ask(db, search, "U1", near, null)).entry?.id).toBe("waiting");
    // Marked by an admin in another process: not through this module.
    await db.faqQuery.create({
      data: {
        text: "el seguro de salud paga las sesiones de hidroterapia",
        userId: "U2",
        answeredBy: "UADMIN",
        answeredAt: new Date(),
        outOfScope: true,
      },
    });
    expect((await ask(db, search, "U1", near, null)).entry).toBeNull();
  });
});
