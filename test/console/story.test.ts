// The whole console story of issue 8, typed line by line into runConsole's input stream:
// a trainer creates a session, three staff sign in, the roster shows them, a question is
// answered from the demo FAQ, a manager runs the digest; and a modal filled field by field.
import { PassThrough } from "node:stream";
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.ts";
import { runConsole } from "../../src/console/index.ts";
import { createLogger } from "../../src/core/logger.ts";
import { freshTarget } from "../kit/db.ts";

const ZONE = "Europe/Madrid";

/** A console on a fresh embedded database, typed into and read back. */
function consoleSession() {
  const input = new PassThrough();
  const output = new PassThrough();
  const logs: string[] = [];
  const s = { text: "", seen: 0, running: undefined as Promise<void> | undefined, finished: false };

  /** Waits until `expected` appears in what was printed since the last wait; returns that stretch. */
  async function until(expected: string | RegExp, ms = 15_000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const rest = s.text.slice(s.seen);
      const m = typeof expected === "string" ? { index: rest.indexOf(expected), 0: expected } : expected.exec(rest);
      if (m && m.index !== undefined && m.index >= 0) {
        const end = s.seen + m.index + m[0].length;
        const chunk = s.text.slice(s.seen, end);
        s.seen = end;
        return chunk;
      }
      if (Date.now() > deadline)
        throw new Error(`no ${String(expected)} within ${ms} ms; new output:\n${rest}\nlogs:\n${logs.join("\n")}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Waits until `expected` appears anywhere after `mark`, however output was read since; returns it all. */
  async function since(mark: number, expected: string, ms = 15_000): Promise<string> {
    const deadline = Date.now() + ms;
    while (!s.text.slice(mark).includes(expected)) {
      if (Date.now() > deadline) throw new Error(`no ${expected} within ${ms} ms; output:\n${s.text.slice(mark)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    s.seen = Math.max(s.seen, s.text.indexOf(expected, mark) + expected.length);
    return s.text.slice(mark);
  }

  /** Types one line, then waits for `expected` and returns the output up to it. */
  async function type(line: string, expected: string | RegExp): Promise<string> {
    input.write(`${line}\n`);
    return until(expected);
  }

  async function start() {
    output.on("data", (d: Buffer) => {
      s.text += d.toString();
    });
    s.running = runConsole({
      config: parseConfig({ APP_TIMEZONE: ZONE }),
      target: await freshTarget("embedded"),
      logger: createLogger("error", (line) => logs.push(line)),
      input,
      output,
      terminal: false,
    }).finally(() => {
      s.finished = true;
    });
    s.running.catch(() => {});
    await until("Type :help for help", 25_000); // a loaded machine may take a while to start it
  }

  async function quit() {
    if (!s.finished) input.end();
    await s.running?.catch(() => {});
  }

  return { s, logs, until, since, type, start, quit, input };
}

const office = (at: DateTime) => at.setZone(ZONE);
/** A form field's whole line, from its "n/m Label" on. */
const field = (label: string) => new RegExp(`${label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[^\n]*\n`);

describe("console story: a session, three sign-ins, the roster, a question, the digest", () => {
  const c = consoleSession();
  let code = "";
  beforeAll(() => c.start(), 60_000);
  afterAll(() => c.quit());

  it(":help lists the console's own commands", async () => {
    const help = await c.type(":help", ":quit");
    for (const word of [":user", ":jobs", ":clock", ":channel", ":cancel", "<number>"]) expect(help).toContain(word);
  });

  it("the trainer creates a session in #formacion starting in a few minutes and reads its code", async () => {
    await c.type(":user luis", "Now acting as @luis (ULUIS).");
    const when = office(DateTime.now().plus({ minutes: 10 })).toFormat("yyyy-MM-dd HH:mm");
    const out = await c.type(
      `/training new Taller de cierre | ${when} | 60 | #formacion | Sala 2 | sales-skills`,
      /Código de firma: \*[A-Z0-9]+\*/,
    );
    // The public notice in the channel, with its RSVP buttons numbered for clicking.
    expect(out).toContain("┌ #formacion");
    expect(out).toContain("Taller de cierre");
    expect(out).toMatch(/\[\d+\] Asistiré/);
    expect(out).toContain("┌ DM @luis");
    code = /Código de firma: \*([A-Z0-9]+)\*/.exec(out)?.[1] ?? "";
    expect(code).toMatch(/^[A-Z0-9]{4,}$/);
    const reply = await c.until("compártelo solo en la sala");
    expect(reply).toContain("reply (only you see this)");
  });

  it("three staff sign in with the code", async () => {
    for (const [who, said] of [
      ["pedro", "Firmado en *Taller de cierre*"],
      ["sofia", "Firmado en *Taller de cierre*"],
      ["john", "Signed in to *Taller de cierre*"],
    ] as const) {
      await c.type(`:user ${who}`, `Now acting as @${who}`);
      const out = await c.type(`/signin ${code}`, said);
      expect(out).toContain("reply (only you see this)");
    }
  });

  it("the roster shows all three", async () => {
    await c.type(":user luis", "Now acting as @luis");
    const roster = await c.type(`/training roster ${code}`, "sin firmar");
    expect(roster).toContain("== Asistencia: Taller de cierre ==");
    for (const who of ["@pedro", "@sofia", "@john"]) expect(roster).toMatch(new RegExp(`• ${who} — \\d\\d:\\d\\d`));
    expect(roster).toContain("3 firmados (0 con retraso)");
  });

  it("a staff member asks a question and gets the demo FAQ's answer", async () => {
    await c.type(":user pedro", "Now acting as @pedro");
    const answer = await c.type("/ask como anulo una poliza", "El tomador firma la solicitud de anulación");
    expect(answer).toContain("¿Cómo anulo una póliza a petición del cliente?");
    const buttons = await c.until(/\[\d+\] 👍 Útil/);
    expect(buttons).not.toContain("<@");
  });

  it("a manager runs :jobs digest and reads it in #direccion and in a DM", async () => {
    await c.type(":user marta", "Now acting as @marta (UMARTA).");
    // :jobs says it ran once what the run posted is delivered (channel and DM in parallel, in either order).
    const out = await c.type(":jobs digest", /Ran digest:\d{4}-W\d\d\./);
    expect(out).toContain("┌ #direccion");
    expect(out).toContain("┌ DM @marta");
    expect(out).toContain("== Resumen semanal de KPI —");
    expect(out).toContain("Resumen semanal de KPI — Norte —");
    expect(out).toMatch(/📎 kpi-\d{4}-W\d\d\.png \(\d+\.\d KB\)/);
    expect((out.match(/📎 kpi-/g) ?? []).length).toBe(2);
  });

  it(":clock moves the app's time and prints the new office time", async () => {
    const before = DateTime.now().setZone(ZONE);
    const out = await c.type(":clock +3d", /Office time is now .*\(Europe\/Madrid\)\./);
    expect(out).toContain(`${before.plus({ days: 3 }).setLocale("es").toFormat("d LLL yyyy")}`);
    await c.type(":clock now", "Office time is now");
  });

  it("ends on :quit with nothing logged", async () => {
    c.input.write(":quit\n");
    await expect(c.s.running).resolves.toBeUndefined();
    expect(c.s.text).not.toMatch(/^error:/m);
    expect(c.logs).toEqual([]);
  });
});

describe("console story: forms filled field by field", () => {
  const c = consoleSession();
  beforeAll(() => c.start(), 60_000);
  afterAll(() => c.quit());

  it("/training with no text walks the modal; a past date comes back inline and is asked again", async () => {
    await c.type(":user luis", "Now acting as @luis");
    const today = office(DateTime.now());
    const yesterday = today.minus({ days: 1 }).toISODate()!;
    const opened = await c.type("/training", field("1/9 Título"));
    expect(opened).toContain("╔ Nueva formación");
    expect(opened).toContain("1/9 Título — text, up to 150 characters");
    const kind = await c.type("Taller con formulario", /2\/9 Tipo[^\n]*\n[^\n]*\n/);
    expect(kind).toContain("pick one: number or name [Otra]");
    expect(kind).toContain("1) Formación inicial");
    const date = await c.type("1", field("3/9 Fecha"));
    expect(date).toContain(`date YYYY-MM-DD [${today.plus({ days: 1 }).toISODate()}]`); // tomorrow, the form's default
    // A date Slack's picker could not produce is refused before anything is sent.
    await c.type("31/12/2026", "✗ Type a date as YYYY-MM-DD.");
    await c.until(field("3/9 Fecha"));
    expect(await c.type(yesterday, field("4/9 Hora de inicio"))).toContain("time HH:mm [09:00]");
    expect(await c.type("10:30", field("5/9 Duración (minutos)"))).toContain("whole number 5–600 [60]");
    await c.type("una hora", "✗ Type a whole number.");
    await c.until(field("5/9 Duración"));
    expect(await c.type("", field("6/9 Lugar o enlace de la llamada"))).toContain("(optional)");
    const channel = await c.type("", field("7/9 Canal donde anunciarla"));
    expect(channel).toContain("channel as #name [#general]"); // where /training was typed
    await c.type("#formacion", field("8/9 Aforo"));
    await c.type("", field("9/9 Descripción"));
    const sent = await c.type("", "✗ Fecha: La fecha de inicio ya ha pasado");
    expect(sent).toContain("→ Crear y anunciar");
    // Only the wrong field is asked again, with the answer given shown as what Enter keeps.
    const again = await c.until(field("3/9 Fecha"));
    expect(again).toContain(`[${yesterday}]`);
    expect(again).not.toContain("Título");
    // The app announces the session before it acknowledges the submission: the posts come first.
    const posted = await c.type(today.plus({ days: 2 }).toISODate()!, "Form sent.");
    expect(posted).not.toContain("✗");
    expect(posted).toMatch(/Código de firma: \*[A-Z0-9]+\*/);
    expect(posted).toContain("┌ #formacion");
    expect(posted).toContain("Taller con formulario");
    expect(posted).toContain("10:30");
    expect(posted).toContain("┌ DM @luis");
  });

  it(":cancel closes a form without sending it", async () => {
    await c.type(":user ana", "Now acting as @ana");
    const opened = await c.type("/faq add", "1/5 Pregunta");
    expect(opened).toContain("╔ Nueva entrada");
    await c.type("¿Se puede?", "2/5 Respuesta");
    await c.type(":cancel", "Form closed without sending.");
    await c.type(":cancel", "No form is open.");
  });

  it("a question nobody answered reaches the admin, whose Answer button opens the answer form", async () => {
    await c.type(":user john", "Now acting as @john");
    await c.type("/ask how do I fly a kite", "reply (only you see this)");
    const notice = await c.until(/\[(\d+)\] Responder/);
    expect(notice).toContain("┌ DM @ana");
    const button = /\[(\d+)\] Responder/.exec(notice)![1]!;
    await c.type(":user ana", "Now acting as @ana");
    const opened = await c.type(button, field("1/5 Pregunta"));
    expect(opened).toContain("╔ Responder pregunta");
    expect(opened).toContain("@john preguntó: _how do I fly a kite_");
    expect(opened).toContain("1/5 Pregunta — text, up to 500 characters [how do I fly a kite]");
    await c.type("", field("2/5 Respuesta"));
    await c.type("", "✗ This field is required.");
    await c.type("Run into the wind holding the line.", "3/5");
    expect(await c.type("kites; fun", /4\/5 Idioma[^\n]*\n[^\n]*\n/)).toContain("[English]");
    await c.type("", "5/5 Otras formas de preguntarlo");
    // The answer goes to the asker through the outbox: it may be delivered before or after the form closes.
    const mark = c.s.seen;
    await c.type("", "Form sent.");
    const dm = await c.since(mark, "Run into the wind holding the line.");
    expect(dm).toContain("┌ DM @john");
    expect(dm).toContain("Answer to your question _how do I fly a kite_");
  });

  it("the answer form's Use this one button answers with an entry the store has", async () => {
    await c.type(":user john", "Now acting as @john");
    // A question the demo FAQ does not answer on its own (the motorbike), close to an entry it has.
    await c.type("/ask el cliente quiere anular el seguro de la moto", "reply (only you see this)");
    const notice = await c.until(/\[(\d+)\] Responder/);
    const button = /\[(\d+)\] Responder/.exec(notice)![1]!;
    await c.type(":user ana", "Now acting as @ana");
    const opened = await c.type(button, field("1/5 Pregunta"));
    // The closest entries, each with its button beside it: the first is [:1].
    const [, id, question] = /║ \*([\w-]+)\* ([^\n]+)\n[^[]*\[:1\] Usar esta/.exec(opened) ?? [];
    expect(id).toMatch(/^demo-/);
    expect(opened).toContain("(typing :1");
    const mark = c.s.seen;
    const linked = await c.type(":1", "(nothing to fill in)");
    expect(linked).toContain("→ Usar esta");
    expect(linked).toContain(`Hecho: @john recibirá la respuesta de *${id}*`);
    expect(linked).not.toContain("2/5");
    const dm = await c.since(mark, question as string);
    expect(dm).toContain("┌ DM @john");
  });

  it("ends on :quit", async () => {
    c.input.write(":quit\n");
    await expect(c.s.running).resolves.toBeUndefined();
    expect(c.logs).toEqual([]);
  });
});
