// Training sessions over signed HTTP (SPEC §3, §11): notices, codes, RSVPs, sign-ins,
// rosters, exports, cancellations, permissions and bad input — as Slack sends them.
import { parse } from "csv-parse/sync";
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackCall } from "../../src/core/slack-double.ts";
import type { TrainingSession } from "../../src/generated/prisma/client.ts";
import { startTestApp, type TestApp } from "../kit/app.ts";
import { BACKENDS } from "../kit/db.ts";
import type { Json, SimResponse, SimUser } from "../kit/signer.ts";

const ZONE = "Europe/Madrid";
const CODE = /^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}$/;
const CSV_HEADER = [
  "session id",
  "title",
  "kind",
  "date",
  "user id",
  "user name",
  "RSVP",
  "signed in at",
  "late",
  "rating",
];

const admin = { id: "UADMIN", name: "ana" };
const trainer = { id: "UTRAIN", name: "marta" };
const otherTrainer = { id: "UTRAIN2", name: "luis" };
const alice = { id: "UALICE", name: "alice" }; // en
const bruno = { id: "UBRUNO", name: "bruno" }; // es
const carla = { id: "UCARLA", name: "carla" }; // en
const diego = { id: "UDIEGO", name: "diego" }; // en
const eva = { id: "UEVA", name: "eva" }; // en, first seen through five sign-ins at once
const fran = { id: "UFRAN", name: "fran" }; // en

const ONE_LINE = "Producto Vida Ahorro | 2026-12-03 09:30 | 90 | <#CFORM|formacion> | Sala 2 | product";

/** Office time (Madrid) → instant. */
const madrid = (text: string) => DateTime.fromFormat(text, "yyyy-MM-dd HH:mm", { zone: ZONE }).toJSDate();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Nothing internal reaches a person. */
const NO_LEAK = /\n\s+at |\w+Error\b|\.ts:\d+|prisma|invalid_type|\{"/i;

describe.each(BACKENDS)("training over signed HTTP (%s)", (backend) => {
  let t: TestApp;
  let replySeq = 0;
  /** The one-line session (CFORM) and the modal session (CVENTAS, capacity 2). */
  let a: TrainingSession;
  let b: TrainingSession;

  beforeAll(async () => {
    t = await startTestApp(backend, { APP_TIMEZONE: ZONE });
    t.clock.set(madrid("2026-11-20 10:00"));
    for (const [u, realName, locale] of [
      [admin, "Ana Martín", "es-ES"],
      [trainer, "Marta Ruiz", "es-ES"],
      [otherTrainer, "Luis Gómez", "es-ES"],
      [alice, "Alice Brown", "en-US"],
      [bruno, "Bruno Gil", "es-ES"],
      [carla, "Carla Díaz", "en-GB"],
      [diego, "Diego Ortiz", "en-US"],
      [eva, "Eva Pons", "en-US"],
      [fran, "Fran Vidal", "en-US"],
    ] as const) {
      t.slack.addUser({ id: u.id, name: u.name, real_name: realName, tz: ZONE, locale });
    }
  });
  afterAll(async () => t?.close());

  // ---- helpers -------------------------------------------------------------------------------

  async function responseTo(id: string, ms = 5000): Promise<SlackCall> {
    const deadline = Date.now() + ms;
    for (;;) {
      const call = t.slack.calls.find((c) => c.method === "response_url" && c.responseId === id);
      if (call) return call;
      if (Date.now() > deadline) throw new Error(`no response_url call for ${id}`);
      await sleep(10);
    }
  }

  /** The private answer to a request: in the HTTP body, or (after an empty ack) through its response_url. */
  async function answer(res: SimResponse, id: string): Promise<Json> {
    expect(res.status).toBe(200);
    if (res.body && typeof res.body === "object" && typeof res.body.text === "string") return res.body;
    expect(res.body).toBe("");
    return (await responseTo(id)).args;
  }

  /** A slash command; returns its private reply, whichever way it came. */
  async function command(cmd: string, text: string, user: SimUser, channelId = "C1") {
    const id = `cmd${++replySeq}`;
    const res = await t.sim.command(cmd, text, user, { channelId, responseUrl: t.slack.responseUrl(id) });
    const reply = await answer(res, id);
    expect(reply.response_type).toBe("ephemeral");
    expect(reply.text).not.toMatch(NO_LEAK);
    return reply as { response_type: string; text: string; blocks?: Json[] };
  }

  /** A button click; returns what the app answered through the response_url. */
  async function click(user: SimUser, actionId: string, value: string, channelId = "C1") {
    const id = `act${++replySeq}`;
    const res = await t.sim.action(user, actionId, value, { channelId, responseUrl: t.slack.responseUrl(id) });
    expect(res.status).toBe(200);
    const reply = (await responseTo(id)).args;
    expect(reply.response_type).toBe("ephemeral");
    expect(reply.replace_original).toBe(false);
    expect(reply.text).not.toMatch(NO_LEAK);
    return reply as { text: string; blocks?: Json[] };
  }

  const signin = async (user: SimUser, code: string) => {
    const res = await t.sim.command("/signin", code, user);
    expect(res.status).toBe(200);
    expect(res.body.response_type).toBe("ephemeral");
    expect(res.body.text).not.toMatch(NO_LEAK);
    return res.body.text as string;
  };

  const sessionCount = () => t.db.trainingSession.count();
  const posts = () => t.slack.callsTo("chat.postMessage").filter((c) => !c.failed);
  const notices = (channel: string) => posts().filter((c) => c.args.channel === channel);
  const updatesOf = (s: TrainingSession) =>
    t.slack.callsTo("chat.update").filter((c) => c.args.channel === s.channelId && c.args.ts === s.noticeTs);
  const countLine = (call: SlackCall) =>
    (call.args.blocks as Json[]).find((bl) => bl.block_id === "training.count").elements[0].text as string;
  const actionsBlocks = (call: SlackCall) => (call.args.blocks as Json[]).filter((bl) => bl.type === "actions");

  type Values = Record<string, Record<string, object>>;
  function modalValues(over: Partial<Record<string, object>> = {}): Values {
    const base: Record<string, object> = {
      title: { type: "plain_text_input", value: "Técnicas de cierre" },
      kind: {
        type: "static_select",
        selected_option: {
          text: { type: "plain_text", text: "Técnicas de venta", emoji: true },
          value: "sales-skills",
        },
      },
      date: { type: "datepicker", selected_date: "2026-12-10" },
      time: { type: "timepicker", selected_time: "16:00" },
      duration: { type: "number_input", value: "60" },
      place: { type: "plain_text_input", value: "https://meet.example/cierre" },
      channel: { type: "conversations_select", selected_conversation: "CVENTAS" },
      capacity: { type: "number_input", value: "2" },
      // Slack sends null for an optional text input left empty.
      description: { type: "plain_text_input", value: null },
    };
    const values: Values = {};
    for (const [block, v] of Object.entries({ ...base, ...over })) values[block] = { value: v as object };
    return values;
  }

  // ---- creation --------------------------------------------------------------------------------

  it("creates a session from the one-line form: notice without the code, code by DM and reply", async () => {
    // Roles both ways: through /capacita role, and straight in the database.
    const role = await command("/capacita", "role <@UTRAIN|marta> trainer", admin);
    expect(role.text).toContain("<@UTRAIN>");
    await t.db.user.upsert({
      where: { id: otherTrainer.id },
      create: { id: otherTrainer.id, role: "trainer" },
      update: { role: "trainer" },
    });
    expect((await t.db.user.findUniqueOrThrow({ where: { id: trainer.id } })).role).toBe("trainer");

    const before = await sessionCount();
    const reply = await command("/training", `new ${ONE_LINE}`, trainer);

    expect(await sessionCount()).toBe(before + 1);
    a = await t.db.trainingSession.findFirstOrThrow({ where: { title: "Producto Vida Ahorro" } });
    expect(a).toMatchObject({
      kind: "product",
      startsAt: madrid("2026-12-03 09:30"),
      durationMin: 90,
      place: "Sala 2",
      channelId: "CFORM",
      trainerId: trainer.id,
      status: "scheduled",
      capacity: null,
      opensAt: madrid("2026-12-03 09:15"),
      closesAt: madrid("2026-12-03 11:30"),
    });
    expect(a.code).toMatch(CODE);

    // The notice, in the channel, in the office language.
    const [notice] = notices("CFORM");
    expect(notice).toBeDefined();
    expect(a.noticeTs).toBe(notice!.result.ts);
    const blocks = notice!.args.blocks as Json[];
    expect(blocks[0]).toMatchObject({ type: "header", text: { text: "Producto Vida Ahorro" } });
    const shown = JSON.stringify(notice!.args);
    expect(shown).toContain("Producto"); // the kind label
    expect(shown).toContain(`<!date^${Math.floor(madrid("2026-12-03 09:30").getTime() / 1000)}^`);
    expect(shown).toContain("Sala 2");
    expect(shown).toContain("<@UTRAIN>");
    expect(shown).toContain("90 min");
    expect(countLine(notice!)).toContain("0 asistirán");
    const buttons = actionsBlocks(notice!).flatMap((bl) => bl.elements);
    expect(buttons.map((e: Json) => [e.action_id, e.value, e.text.text])).toEqual([
      ["training.rsvp.yes", String(a.id), "Asistiré"],
      ["training.rsvp.no", String(a.id), "No puedo asistir"],
    ]);
    expect(shown).not.toContain(a.code);

    // The code reaches the trainer privately, twice: by DM and in the reply.
    const dm = posts().find((c) => c.args.channel === trainer.id);
    expect(dm?.args.text).toContain(a.code);
    expect(dm?.args.text).toContain("<#CFORM>");
    expect(JSON.stringify(dm?.args.blocks)).toContain('"training.cancel"');
    expect(reply.text).toContain(a.code);
    expect(reply.text).toContain("Producto Vida Ahorro");
  });

  it("opens the modal on /training and creates the session from its submission", async () => {
    const trigger = "trigger.123.abc";
    const res = await t.sim.command("/training", "", trainer, { channelId: "CVENTAS", triggerId: trigger });
    expect(res.status).toBe(200);
    expect(res.body).toBe("");
    const [open] = await waitFor(() => t.slack.callsTo("views.open"));
    expect(open!.args.trigger_id).toBe(trigger);
    const view = open!.args.view as Json;
    expect(view.callback_id).toBe("training.new");
    expect(view.blocks.map((bl: Json) => bl.block_id)).toEqual([
      "title",
      "kind",
      "date",
      "time",
      "duration",
      "place",
      "channel",
      "capacity",
      "description",
    ]);
    expect(view.blocks.find((bl: Json) => bl.block_id === "channel").element.initial_conversation).toBe("CVENTAS");
    expect(view.blocks.find((bl: Json) => bl.block_id === "date").element.initial_date).toBe("2026-11-21");

    const before = await sessionCount();
    const submitted = await t.sim.viewSubmission(trainer, "training.new", modalValues(), {
      privateMetadata: view.private_metadata,
    });
    expect(submitted.status).toBe(200);
    expect(submitted.body).toBe("");
    expect(await sessionCount()).toBe(before + 1);
    b = await t.db.trainingSession.findFirstOrThrow({ where: { title: "Técnicas de cierre" } });
    expect(b).toMatchObject({
      kind: "sales_skills",
      startsAt: madrid("2026-12-10 16:00"),
      durationMin: 60,
      place: "https://meet.example/cierre",
      channelId: "CVENTAS",
      capacity: 2,
      description: null,
      status: "scheduled",
    });
    expect(b.code).toMatch(CODE);
    expect(b.code).not.toBe(a.code);
    const [notice] = notices("CVENTAS");
    expect(notice!.result.ts).toBe(b.noticeTs);
    const shown = JSON.stringify(notice!.args);
    expect(shown).toContain("Técnicas de venta");
    expect(shown).toContain("aforo 2");
    expect(shown).not.toContain(b.code);
    expect(posts().some((c) => c.args.channel === trainer.id && String(c.args.text).includes(b.code))).toBe(true);
  });

  it("offers the one-line form when the modal cannot be opened", async () => {
    t.slack.failNext("views.open", { body: { ok: false, error: "expired_trigger_id" } });
    const reply = await command("/training", "new", trainer, "CFORM");
    expect(reply.text).toContain("No pude abrir el formulario");
    expect(reply.text).toContain("/training new <título> | <AAAA-MM-DD HH:mm>");
    expect(reply.text).not.toContain("expired_trigger_id");
  });

  it("answers a modal start in the past on the date field and writes nothing", async () => {
    const before = await sessionCount();
    const postsBefore = posts().length;
    const res = await t.sim.viewSubmission(
      trainer,
      "training.new",
      modalValues({ title: { type: "plain_text_input", value: "Ayer" }, date: { selected_date: "2026-11-19" } }),
    );
    expect(res.status).toBe(200);
    expect(res.body.response_action).toBe("errors");
    expect(Object.keys(res.body.errors)).toEqual(["date"]);
    expect(res.body.errors.date).toContain("ya ha pasado");
    expect(await sessionCount()).toBe(before);
    expect(posts().length).toBe(postsBefore);
  });

  it("answers a channel the bot cannot post in on the channel field, leaving no session", async () => {
    const before = await sessionCount();
    t.slack.failNext("chat.postMessage", { body: { ok: false, error: "not_in_channel" } });
    const res = await t.sim.viewSubmission(
      trainer,
      "training.new",
      modalValues({
        title: { type: "plain_text_input", value: "Canal ajeno" },
        channel: { type: "conversations_select", selected_conversation: "CSECRET" },
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ response_action: "errors" });
    expect(Object.keys(res.body.errors)).toEqual(["channel"]);
    expect(res.body.errors.channel).toContain("/invite");
    expect(await sessionCount()).toBe(before);
    expect(await t.db.trainingSession.findFirst({ where: { title: "Canal ajeno" } })).toBeNull();
    // The failed notice was attempted; no code went out for a session that does not exist.
    expect(t.slack.callsTo("chat.postMessage").filter((c) => c.failed)).toHaveLength(1);
    expect(posts().some((c) => String(c.args.text).includes("Canal ajeno"))).toBe(false);
  });

  // ---- RSVP ------------------------------------------------------------------------------------

  it("records RSVPs both ways and updates the notice's count in place", async () => {
    t.clock.set(madrid("2026-11-21 12:00"));
    const yes = await click(alice, "training.rsvp.yes", String(a.id), "CFORM");
    expect(yes.text).toBe("You're in: see you at *Producto Vida Ahorro*.");
    expect(countLine(updatesOf(a).at(-1)!)).toContain("1 asistirán · :x: 0 no pueden");

    const no = await click(bruno, "training.rsvp.no", String(a.id), "CFORM");
    expect(no.text).toBe("Anotado: no asistirás a *Producto Vida Ahorro*.");
    expect(countLine(updatesOf(a).at(-1)!)).toContain("1 asistirán · :x: 1 no pueden");

    // Bruno changes his mind; Diego says yes too.
    await click(bruno, "training.rsvp.yes", String(a.id), "CFORM");
    await click(diego, "training.rsvp.yes", String(a.id), "CFORM");
    const last = updatesOf(a).at(-1)!;
    expect(countLine(last)).toContain("3 asistirán · :x: 0 no pueden");
    expect(last.args.blocks[0]).toMatchObject({ type: "header", text: { text: "Producto Vida Ahorro" } });
    expect(actionsBlocks(last)).toHaveLength(1);
    expect(await t.db.rsvp.count({ where: { sessionId: a.id, attending: true } })).toBe(3);
    expect(await t.db.rsvp.count({ where: { sessionId: a.id } })).toBe(3);
  });

  it("refuses an RSVP when the session is full and frees the seat on yes→no", async () => {
    await click(alice, "training.rsvp.yes", String(b.id), "CVENTAS");
    await click(bruno, "training.rsvp.no", String(b.id), "CVENTAS");
    await click(carla, "training.rsvp.yes", String(b.id), "CVENTAS");
    expect(countLine(updatesOf(b).at(-1)!)).toBe(
      ":white_check_mark: 2 asistirán · :x: 1 no pueden · aforo 2 · Aforo completo",
    );

    const updates = updatesOf(b).length;
    const full = await click(diego, "training.rsvp.yes", String(b.id), "CVENTAS");
    expect(full.text).toBe("Sorry, *Técnicas de cierre* is fully booked.");
    expect(updatesOf(b)).toHaveLength(updates);
    expect(await t.db.rsvp.count({ where: { sessionId: b.id, attending: true } })).toBe(2);
    expect(
      await t.db.rsvp.findUnique({ where: { sessionId_userId: { sessionId: b.id, userId: diego.id } } }),
    ).toBeNull();

    // Alice gives her seat up: it is Diego's now.
    await click(alice, "training.rsvp.no", String(b.id), "CVENTAS");
    expect(countLine(updatesOf(b).at(-1)!)).toBe(":white_check_mark: 1 asistirán · :x: 2 no pueden · aforo 2");
    const inNow = await click(diego, "training.rsvp.yes", String(b.id), "CVENTAS");
    expect(inNow.text).toBe("You're in: see you at *Técnicas de cierre*.");
    expect(countLine(updatesOf(b).at(-1)!)).toContain("2 asistirán · :x: 2 no pueden");
    const rows = await t.db.rsvp.findMany({ where: { sessionId: b.id }, orderBy: { userId: "asc" } });
    expect(rows.map((r) => [r.userId, r.attending])).toEqual([
      ["UALICE", false],
      ["UBRUNO", false],
      ["UCARLA", true],
      ["UDIEGO", true],
    ]);
  });

  // ---- sign-in ---------------------------------------------------------------------------------

  it("answers every /signin case as the clock moves", async () => {
    t.clock.set(madrid("2026-12-03 09:00"));
    expect(await signin(alice, a.code)).toBe(
      "Sign-in for *Producto Vida Ahorro* is not open yet: it opens Thu 3 Dec 2026, 09:15.",
    );
    expect(await signin(alice, "")).toContain("No session is open for sign-in right now");
    expect(await t.db.signIn.count()).toBe(0);

    t.clock.set(madrid("2026-12-03 09:20"));
    expect(await signin(alice, a.code)).toBe(
      ":white_check_mark: Signed in to *Producto Vida Ahorro* at 09:20. On time!",
    );
    const first = await t.db.signIn.findUniqueOrThrow({
      where: { sessionId_userId: { sessionId: a.id, userId: alice.id } },
    });
    expect(first.late).toBe(false);

    t.clock.set(madrid("2026-12-03 09:30"));
    const open = await signin(carla, "");
    expect(open).toContain("Sessions open for sign-in now:");
    expect(open).toContain("*Producto Vida Ahorro*");
    expect(open).toContain("Sala 2");
    expect(open).not.toContain(a.code);
    expect(open).not.toContain("Técnicas de cierre");

    // Lower case, with spaces, as people type what they read on a slide.
    t.clock.set(madrid("2026-12-03 09:35"));
    const spaced = `${a.code.slice(0, 2)} ${a.code.slice(2)}`.toLowerCase();
    expect(await signin(bruno, spaced)).toBe(
      ":white_check_mark: Firmado en *Producto Vida Ahorro* a las 09:35. ¡A tiempo!",
    );

    t.clock.set(madrid("2026-12-03 09:45"));
    expect(await signin(carla, a.code)).toBe(
      ":warning: Signed in to *Producto Vida Ahorro* at 09:45, late (more than 10 minutes after the start).",
    );
    expect(
      (await t.db.signIn.findUniqueOrThrow({ where: { sessionId_userId: { sessionId: a.id, userId: carla.id } } }))
        .late,
    ).toBe(true);

    t.clock.set(madrid("2026-12-03 10:00"));
    expect(await signin(alice, a.code)).toBe(
      "You were already signed in to *Producto Vida Ahorro* since 09:20. The first sign-in is kept.",
    );
    expect(await signin(carla, a.code.toLowerCase())).toContain("since 09:45 (late)");
    const kept = await t.db.signIn.findUniqueOrThrow({
      where: { sessionId_userId: { sessionId: a.id, userId: alice.id } },
    });
    expect(kept.signedInAt).toEqual(first.signedInAt);

    t.clock.set(madrid("2026-12-03 11:45"));
    expect(await signin(diego, a.code)).toBe(
      "Sign-in for *Producto Vida Ahorro* is closed (it closes 30 minutes after the end).",
    );
    // Someone already in still hears their first time after the window closed.
    expect(await signin(alice, a.code)).toContain("since 09:20");

    // A well-formed code nobody uses, and garbage.
    const codes = new Set((await t.db.trainingSession.findMany({ select: { code: true } })).map((s) => s.code));
    const unused = ["ZZZZZZ", "YYYYYY", "XXXXXX"].find((c) => !codes.has(c))!;
    expect(await signin(diego, unused)).toBe(
      `I can't find a session with the code “${unused}”. Check the code the trainer gave (6 characters).`,
    );
    expect(await signin(diego, "O0I1L!")).toContain("I can't find a session with the code");
    expect(await t.db.signIn.count({ where: { userId: diego.id } })).toBe(0);
    expect(await t.db.signIn.count({ where: { sessionId: a.id } })).toBe(3);
  });

  it("keeps exactly one sign-in however often it arrives, even five at once", async () => {
    t.clock.set(madrid("2026-12-03 09:25"));
    const replies = await Promise.all(Array.from({ length: 5 }, () => signin(eva, a.code)));
    expect(replies.filter((r) => r.startsWith(":white_check_mark: Signed in"))).toHaveLength(1);
    expect(replies.filter((r) => r.startsWith("You were already signed in"))).toHaveLength(4);
    for (let i = 0; i < 3; i++) expect(await signin(eva, a.code)).toContain("since 09:25");
    expect(await t.db.signIn.count({ where: { sessionId: a.id, userId: eva.id } })).toBe(1);
  });

  it("asks Slack once about someone new who signs in five times at once, and stores them once", async () => {
    const gil: SimUser = { id: "UGILNEW", name: "gil" };
    t.slack.addUser({ id: gil.id, name: gil.name, real_name: "Gil Soler", tz: ZONE, locale: "es-ES" });
    t.clock.set(madrid("2026-12-03 09:26"));
    const replies = await Promise.all(Array.from({ length: 5 }, () => signin(gil, a.code)));
    expect(replies.filter((r) => r.startsWith(":white_check_mark:"))).toHaveLength(1);
    const asked = t.slack.calls.filter((c) => c.method === "users.info" && c.args.user === gil.id);
    expect(asked).toHaveLength(1);
    expect(await t.db.user.findMany({ where: { id: gil.id } })).toMatchObject([{ realName: "Gil Soler" }]);
    expect(await t.db.signIn.count({ where: { sessionId: a.id, userId: gil.id } })).toBe(1);
    // The later tests count session A's sign-ins without Gil.
    await t.db.signIn.deleteMany({ where: { userId: gil.id } });
  });

  // ---- list, roster, export --------------------------------------------------------------------

  it("lists upcoming sessions with their RSVP and sign-in counts", async () => {
    t.clock.set(madrid("2026-12-03 10:00"));
    const list = await command("/training", "list", trainer);
    expect(list.text).toContain(`#${a.id} Producto Vida Ahorro`);
    expect(list.text).toContain("3 confirmados · 4 firmas");
    expect(list.text).toContain(`#${b.id} Técnicas de cierre`);
    expect(list.text).toContain("2 confirmados · 0 firmas");
    expect(list.text.indexOf(`#${a.id} `)).toBeLessThan(list.text.indexOf(`#${b.id} `));
  });

  it("shows the roster by id and by code: on time, late, RSVP'd but absent, totals", async () => {
    const byId = await command("/training", `roster ${a.id}`, trainer);
    const byCode = await command("/training", `roster ${a.code.toLowerCase()}`, trainer);
    expect(byCode.text).toBe(byId.text);
    const text = byId.text;
    expect(text).toContain("Asistencia: Producto Vida Ahorro");
    expect(text).toContain("*Firmados (4)*");
    expect(text).toContain("• <@UALICE> — 09:20 (a tiempo)");
    expect(text).toContain("• <@UEVA> — 09:25 (a tiempo)");
    expect(text).toContain("• <@UBRUNO> — 09:35 (a tiempo)");
    expect(text).toContain("• <@UCARLA> — 09:45 (con retraso)");
    expect(text).toContain("*Confirmaron pero no se firmaron (1)*\n• <@UDIEGO>");
    expect(text).toContain("4 firmados (1 con retraso) · 3 confirmados · 1 sin firmar");
    expect(text.indexOf("UALICE")).toBeLessThan(text.indexOf("UEVA"));
    expect(byId.blocks?.length).toBeGreaterThan(0);

    const missing = await command("/training", "roster 99999", trainer);
    expect(missing.text).toContain("Forma correcta: `/training roster");
  });

  it("exports one session's attendance as CSV by DM", async () => {
    const filesBefore = t.slack.files.length;
    const reply = await command("/training", `export ${a.id}`, trainer);
    expect(reply.text).toBe("Te he enviado la asistencia por mensaje directo (5 filas).");
    expect(t.slack.files).toHaveLength(filesBefore + 1);
    const file = t.slack.files.at(-1)!;
    const dm = t.slack.callsTo("conversations.open").find((c) => c.args.users === trainer.id);
    expect(file.channel_id).toBe(dm?.result.channel.id);
    expect(file.channel_id).toBe("DUTRAIN");
    expect(file.filename).toBe(`asistencia-sesion-${a.id}.csv`);
    const [header, ...rows] = parse(file.content) as string[][];
    expect(header).toEqual(CSV_HEADER);
    const id = String(a.id);
    const common = [id, "Producto Vida Ahorro", "product", "2026-12-03 09:30"];
    expect(rows.map((r) => r.slice(0, 7))).toEqual([
      [...common, "UALICE", "Alice Brown", "yes"],
      [...common, "UBRUNO", "Bruno Gil", "yes"],
      [...common, "UCARLA", "Carla Díaz", ""],
      [...common, "UDIEGO", "Diego Ortiz", "yes"],
      [...common, "UEVA", "Eva Pons", ""],
    ]);
    expect(rows.map((r) => r[7]?.slice(0, 16))).toEqual([
      "2026-12-03 09:20",
      "2026-12-03 09:35",
      "2026-12-03 09:45",
      "",
      "2026-12-03 09:25",
    ]);
    expect(rows.map((r) => r[8])).toEqual(["no", "no", "yes", "", "no"]);
    expect(rows.map((r) => r[9])).toEqual(["", "", "", "", ""]);
  });

  it("exports a month, and says so when a month has nothing", async () => {
    const reply = await command("/training", "export 2026-12", trainer);
    expect(reply.text).toContain("(9 filas)");
    const file = t.slack.files.at(-1)!;
    expect(file.filename).toBe("asistencia-2026-12.csv");
    expect(file.channel_id).toBe("DUTRAIN");
    const [header, ...rows] = parse(file.content) as string[][];
    expect(header).toEqual(CSV_HEADER);
    expect(rows.filter((r) => r[0] === String(a.id))).toHaveLength(5);
    expect(rows.filter((r) => r[0] === String(b.id)).map((r) => [r[2], r[3], r[4], r[6], r[7]])).toEqual([
      ["sales-skills", "2026-12-10 16:00", "UALICE", "no", ""],
      ["sales-skills", "2026-12-10 16:00", "UBRUNO", "no", ""],
      ["sales-skills", "2026-12-10 16:00", "UCARLA", "yes", ""],
      ["sales-skills", "2026-12-10 16:00", "UDIEGO", "yes", ""],
    ]);

    const files = t.slack.files.length;
    const empty = await command("/training", "export 2027-01", trainer);
    expect(empty.text).toBe("No hay asistencia que exportar para 2027-01.");
    expect(t.slack.files).toHaveLength(files);

    const bad = await command("/training", "export 2026-13", trainer);
    expect(bad.text).toContain("Forma correcta: `/training export");
    expect(t.slack.files).toHaveLength(files);
  });

  it("keeps formula-looking titles and names as text in the CSV", async () => {
    t.clock.set(madrid("2026-11-25 12:00"));
    const mallory = { id: "UMAL", name: "mallory" };
    t.slack.addUser({ id: mallory.id, name: mallory.name, real_name: '=HYPERLINK("https://evil.example","premio")' });
    await command("/training", "new =SUM(1+2) Cierre | 2027-02-04 10:00 | 60 | <#CFORM|formacion>", trainer);
    const s = await t.db.trainingSession.findFirstOrThrow({ where: { title: "=SUM(1+2) Cierre" } });
    await click(mallory, "training.rsvp.yes", String(s.id), "CFORM");
    const reply = await command("/training", "export 2027-02", trainer);
    expect(reply.text).toContain("(1 fila)");
    const [header, ...rows] = parse(t.slack.files.at(-1)!.content) as string[][];
    expect(header).toEqual(CSV_HEADER);
    expect(rows).toEqual([
      [
        String(s.id),
        "'=SUM(1+2) Cierre",
        "other",
        "2027-02-04 10:00",
        "UMAL",
        `'=HYPERLINK("https://evil.example","premio")`,
        "yes",
        "",
        "",
        "",
      ],
    ]);
  });

  // ---- permissions and cancellation ------------------------------------------------------------

  it("refuses a staff member's /training new and writes nothing", async () => {
    const before = await sessionCount();
    const postsBefore = posts().length;
    const res = await command("/training", `new ${ONE_LINE}`, alice);
    expect(res.text).toContain("You are not allowed to do this");
    const modal = await t.sim.viewSubmission(alice, "training.new", modalValues());
    expect(modal.body.response_action).toBe("errors");
    expect(await sessionCount()).toBe(before);
    expect(posts().length).toBe(postsBefore);
  });

  it("refuses crafted trainer buttons from staff and cancels by another trainer", async () => {
    const updates = t.slack.callsTo("chat.update").length;
    const cancelBtn = await click(alice, "training.cancel", String(a.id), "DUTRAIN");
    expect(cancelBtn.text).toContain("You are not allowed to do this");
    const rosterBtn = await click(alice, "training.roster", String(a.id), "DUTRAIN");
    expect(rosterBtn.text).toContain("You are not allowed to do this");
    expect(rosterBtn.text).not.toContain("UBRUNO");
    expect(rosterBtn.blocks).toBeUndefined();
    const staffCmd = await command("/training", `cancel ${a.id}`, alice);
    expect(staffCmd.text).toContain("You are not allowed to do this");

    const other = await command("/training", `cancel ${a.id}`, otherTrainer);
    expect(other.text).toBe("Solo el formador de la sesión o un administrador puede hacer esto.");
    const otherBtn = await click(otherTrainer, "training.cancel", String(a.id), "DUTRAIN2");
    expect(otherBtn.text).toBe("Solo el formador de la sesión o un administrador puede hacer esto.");

    expect((await t.db.trainingSession.findUniqueOrThrow({ where: { id: a.id } })).status).toBe("scheduled");
    expect(t.slack.callsTo("chat.update").length).toBe(updates);

    // The owner's own roster button works.
    const mine = await click(trainer, "training.roster", String(a.id), "DUTRAIN");
    expect(mine.text).toContain("*Firmados (4)*");
  });

  it("cancels: notice updated in place without buttons, RSVP-yes people told, sign-in says cancelled", async () => {
    t.clock.set(madrid("2026-12-03 09:50"));
    const postsBefore = posts().length;
    const reply = await command("/training", `cancel ${a.id}`, trainer);
    expect(reply.text).toBe("*Producto Vida Ahorro* cancelada. He avisado a 3 personas.");

    const row = await t.db.trainingSession.findUniqueOrThrow({ where: { id: a.id } });
    expect(row.status).toBe("cancelled");
    expect(row.cancelledAt).not.toBeNull();

    const update = updatesOf(a).at(-1)!;
    const blocks = update.args.blocks as Json[];
    expect(blocks[0]).toMatchObject({ type: "header", text: { text: "Producto Vida Ahorro" } });
    expect(JSON.stringify(blocks)).toContain("Cancelada");
    expect(update.args.text).toContain("Cancelada");
    expect(actionsBlocks(update)).toHaveLength(0);
    expect(JSON.stringify(blocks)).not.toContain("training.rsvp");

    const dms = posts().slice(postsBefore);
    expect(dms.map((c) => c.args.channel).sort()).toEqual(["UALICE", "UBRUNO", "UDIEGO"]);
    expect(dms.find((c) => c.args.channel === "UALICE")?.args.text).toContain(
      "The session *Producto Vida Ahorro* (Thu 3 Dec 2026, 09:30) has been cancelled.",
    );
    expect(dms.find((c) => c.args.channel === "UBRUNO")?.args.text).toContain("se ha cancelado");

    expect(await signin(fran, a.code)).toBe("*Producto Vida Ahorro* is cancelled: no need to sign in.");
    expect(await t.db.signIn.count({ where: { userId: fran.id } })).toBe(0);

    const rsvp = await click(fran, "training.rsvp.yes", String(a.id), "CFORM");
    expect(rsvp.text).toBe("*Producto Vida Ahorro* is cancelled.");

    const again = await command("/training", `cancel ${a.id}`, trainer);
    expect(again.text).toBe("*Producto Vida Ahorro* ya estaba cancelada.");
    expect(posts().length).toBe(postsBefore + 3);

    const list = await command("/training", "list", trainer);
    expect(list.text).not.toContain("Producto Vida Ahorro");
  });

  // ---- bad input -------------------------------------------------------------------------------

  it("answers bad /training new input privately with the right form, writing nothing", async () => {
    t.clock.set(madrid("2026-11-25 12:00"));
    const before = await sessionCount();
    const postsBefore = posts().length;
    const cases: [string, string][] = [
      ["Mal | 2026-13-45 10:00 | 60 | <#CFORM|formacion>", "La fecha y hora deben tener la forma"],
      ["Mal | 2026-12-03 25:99 | 60 | <#CFORM|formacion>", "La fecha y hora deben tener la forma"],
      ["Mal | 2026-12-03 10:00 | -30 | <#CFORM|formacion>", "número de minutos"],
      ["Mal | 2026-12-03 10:00 | 60 | #nope", "Indica un canal con #"],
      [`${"T".repeat(4000)} | 2026-12-03 10:00 | 60 | <#CFORM|formacion>`, "entre 1 y 150 caracteres"],
      ["Mal | 2026-12-03 10:00 | 🕐 | <#CFORM|formacion>", "número de minutos"],
      [`Mal | '; DROP TABLE "User"; -- | 60 | <#CFORM|formacion>`, "La fecha y hora deben tener la forma"],
      ["Mal | 2026-12-03 10:00 | 60 | <#CFORM|formacion> | Sala 1 | webinar", "El tipo debe ser uno de"],
      ["Mal | 2026-01-05 10:00 | 60 | <#CFORM|formacion>", "ya ha pasado"],
    ];
    for (const [text, problem] of cases) {
      const reply = await command("/training", `new ${text}`, trainer);
      expect(reply.text, text.slice(0, 60)).toContain(problem);
      expect(reply.text).toContain("Forma correcta: `/training new <título> | <AAAA-MM-DD HH:mm>");
      expect(reply.text.length).toBeLessThan(400);
    }
    expect(await sessionCount()).toBe(before);
    expect(posts().length).toBe(postsBefore);
    expect(await t.db.user.count()).toBeGreaterThan(0);

    const sql = await signin(fran, `'; DROP TABLE "SignIn"; --`);
    expect(sql).toContain("I can't find a session with the code");
    expect(await t.db.signIn.count()).toBe(4);
  });

  it("shows what trainers type literally: &, < and > never turn into mentions or links", async () => {
    t.clock.set(madrid("2026-11-25 12:00"));
    // Slack escapes &, < and > in command text; the modal sends them raw.
    const reply = await command(
      "/training",
      "new Q&amp;A &lt;ventas&gt; | 2026-12-17 10:00 | 60 | <#CFORM|formacion> | Sala &lt;!here&gt;",
      trainer,
    );
    const s = await t.db.trainingSession.findFirstOrThrow({ where: { title: "Q&A <ventas>" } });
    expect(s.place).toBe("Sala <!here>");
    expect(reply.text).toContain("*Q&amp;A &lt;ventas&gt;*");
    const notice = notices("CFORM").find((c) => c.result.ts === s.noticeTs)!;
    expect(notice.args.blocks[0]).toMatchObject({ type: "header", text: { type: "plain_text", text: "Q&A <ventas>" } });
    expect(notice.args.text).toContain("Q&amp;A &lt;ventas&gt;");
    expect(JSON.stringify(notice.args)).toContain("Sala &lt;!here&gt;");
    expect(JSON.stringify(notice.args)).not.toMatch(/<!here>|<ventas>[^"]/);
    const dm = posts().find((c) => c.args.channel === trainer.id && String(c.args.text).includes(s.code))!;
    expect(dm.args.text).toContain("*Q&amp;A &lt;ventas&gt;*");

    const submitted = await t.sim.viewSubmission(
      trainer,
      "training.new",
      modalValues({
        title: { type: "plain_text_input", value: "<!channel> urgente" },
        place: { type: "plain_text_input", value: "<https://evil.example|Zoom>" },
        description: { type: "plain_text_input", value: "Trae *tu* portátil & cargador <@UALICE>" },
        date: { type: "datepicker", selected_date: "2026-12-18" },
        channel: { type: "conversations_select", selected_conversation: "CFORM" },
      }),
    );
    expect(submitted.body).toBe("");
    const m = await t.db.trainingSession.findFirstOrThrow({ where: { title: "<!channel> urgente" } });
    const posted = notices("CFORM").find((c) => c.result.ts === m.noticeTs)!.args;
    // A plain_text header shows text as is; everything in mrkdwn is escaped.
    expect(posted.blocks[0]).toMatchObject({
      type: "header",
      text: { type: "plain_text", text: "<!channel> urgente" },
    });
    const shown = JSON.stringify({ text: posted.text, blocks: posted.blocks.slice(1) });
    expect(shown).toContain("&lt;!channel&gt; urgente");
    expect(shown).not.toContain("<!channel>");
    expect(shown).not.toContain("<https://evil.example|Zoom>");
    expect(shown).not.toContain("<@UALICE>");
    expect(shown).toContain("Trae *tu* portátil &amp; cargador &lt;@UALICE&gt;");
    expect(await signin(alice, "")).not.toContain("<!channel>");

    const list = await command("/training", "list", trainer);
    expect(list.text).toContain("&lt;!channel&gt; urgente");
    expect(list.text).not.toContain("<!channel>");
  });

  it("answers bad roster, export and cancel references with the right form", async () => {
    for (const [text, usage] of [
      ["roster", "/training roster"],
      ["roster nope!!", "/training roster"],
      ["export", "/training export"],
      ["export 12345678", "/training export"],
      ["cancel", "/training cancel"],
      ["cancel abc", "/training cancel"],
    ]) {
      const reply = await command("/training", text!, trainer);
      expect(reply.text, text).toContain(`Forma correcta: \`${usage}`);
    }
    const unknown = await command("/training", "cancel 424242", trainer);
    expect(unknown.text).toContain("No encuentro la formación «424242»");
    const crafted = await click(trainer, "training.cancel", "1; DROP TABLE x", "DUTRAIN");
    expect(crafted.text).toContain("No encuentro la formación");
    const craftedRsvp = await click(alice, "training.rsvp.yes", "-1", "CFORM");
    expect(craftedRsvp.text).toContain("can't find the session");
    expect((await t.db.trainingSession.findUniqueOrThrow({ where: { id: b.id } })).status).toBe("scheduled");
  });

  async function waitFor<X>(get: () => X[], count = 1, ms = 3000): Promise<X[]> {
    const deadline = Date.now() + ms;
    while (get().length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} item(s)`);
      await sleep(10);
    }
    return get();
  }
});
