// The App Home tab over signed HTTP (issue 8): app_home_opened → views.publish, one section
// per role, the other features' buttons, trimmed lists, a refresh after an RSVP, both languages.
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { en } from "../../src/core/i18n/en.ts";
import { es } from "../../src/core/i18n/es.ts";
import { type Locale, type MessageKey, t as tr, type Vars } from "../../src/core/i18n/index.ts";
import { forgetActor } from "../../src/core/slack.ts";
import type { SlackCall } from "../../src/core/slack-double.ts";
import { SHOWN } from "../../src/home/service.ts";
import { importFigures } from "../../src/kpi/service.ts";
import { createSession } from "../../src/training/service.ts";
import { startTestApp, type TestApp } from "../kit/app.ts";
import { BACKENDS } from "../kit/db.ts";
import type { Json, SimUser } from "../kit/signer.ts";

const ZONE = "Europe/Madrid";
const admin = { id: "UADMIN", name: "ana" }; // es
const trainer = { id: "UTRAIN", name: "marta" }; // en
const manager = { id: "UMGR", name: "mara" }; // es, manages team Norte
const alice = { id: "UALICE", name: "alice" }; // en, staff
const bruno = { id: "UBRUNO", name: "bruno" }; // es, staff
const EVERYONE = [admin, trainer, manager, alice, bruno];

const madrid = (text: string) => DateTime.fromFormat(text, "yyyy-MM-dd HH:mm", { zone: ZONE }).toJSDate();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const NO_LEAK = /\n\s+at |\w+Error\b|\.ts:\d+|prisma|invalid_type|\{"/i;

/** Each role's section headers, by the key of their text. */
const SECTIONS = {
  staff: ["home.staff.title", "home.attendance.title"],
  trainer: ["followups.due.title", "home.sessions.title"],
  manager: [["home.kpi.title", "home.kpi.titleTeam"]],
  admin: ["home.faq.title", "home.outbox.title"],
} as const satisfies Record<string, readonly (MessageKey | readonly MessageKey[])[]>;
type Section = keyof typeof SECTIONS;

// ---- reading a published view --------------------------------------------------------------

/** Every string a person reads in the view (texts of blocks, fields, buttons). */
function texts(node: Json, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const x of node) texts(x, out);
  else if (node && typeof node === "object") {
    if (typeof node.text === "string") out.push(node.text);
    for (const [k, v] of Object.entries(node)) if (k !== "text" || typeof v !== "string") texts(v, out);
  }
  return out;
}
const headers = (view: Json): string[] =>
  view.blocks.filter((b: Json) => b.type === "header").map((b: Json) => b.text.text);
const buttons = (view: Json): { action_id: string; value: string; text: string }[] =>
  view.blocks.flatMap((b: Json) =>
    [...(b.elements ?? []), ...(b.accessory ? [b.accessory] : [])]
      .filter((e: Json) => e.type === "button")
      .map((e: Json) => ({ action_id: e.action_id, value: e.value, text: e.text.text })),
  );
const sectionOf = (view: Json, blockId: string): string =>
  view.blocks.find((b: Json) => b.block_id === blockId)?.text?.text ?? "";

/** The text of a header, with its placeholders as a pattern (a week, a team). */
function headerPattern(locale: Locale, key: MessageKey): RegExp {
  const text = (locale === "es" ? es : en)[key];
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\\\{\w+\\\}/g, ".+");
  return new RegExp(`^${escaped}$`);
}
/** A header that one of the keys (alternatives: a team's title or the office's) reads as. */
const shows = (view: Json, locale: Locale, keys: MessageKey | readonly MessageKey[]) =>
  headers(view).some((h) => (typeof keys === "string" ? [keys] : keys).some((k) => headerPattern(locale, k).test(h)));
const hasSection = (view: Json, locale: Locale, section: Section) =>
  SECTIONS[section].every((keys) => shows(view, locale, keys));
const hasAnyOf = (view: Json, locale: Locale, section: Section) =>
  SECTIONS[section].some((keys) => shows(view, locale, keys));

/**
 * What Slack checks before it accepts a Home view (Block Kit limits): otherwise views.publish
 * fails with invalid_blocks and the person sees nothing.
 */
function expectValidHome(view: Json): void {
  expect(view.type).toBe("home");
  expect(view.blocks.length).toBeGreaterThan(0);
  expect(view.blocks.length).toBeLessThanOrEqual(100);
  const ids = view.blocks.map((b: Json) => b.block_id).filter(Boolean);
  expect(new Set(ids).size).toBe(ids.length);
  for (const b of view.blocks as Json[]) {
    if (b.block_id) expect(b.block_id.length).toBeLessThanOrEqual(255);
    switch (b.type) {
      case "header":
        expect(b.text.type).toBe("plain_text");
        expect(b.text.text.length).toBeGreaterThan(0);
        expect(b.text.text.length).toBeLessThanOrEqual(150);
        break;
      case "section":
        expect(b.text || b.fields).toBeTruthy();
        if (b.text) expect(b.text.text.length).toBeGreaterThan(0);
        if (b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
        if (b.fields) expect(b.fields.length).toBeLessThanOrEqual(10);
        for (const f of b.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(2000);
        break;
      case "actions":
        expect(b.elements.length).toBeGreaterThan(0);
        expect(b.elements.length).toBeLessThanOrEqual(25);
        break;
      case "context":
        expect(b.elements.length).toBeLessThanOrEqual(10);
        for (const e of b.elements) expect(e.text.length).toBeLessThanOrEqual(3000);
        break;
      case "divider":
        break;
      default:
        throw new Error(`unexpected block ${b.type}`);
    }
  }
  for (const btn of buttons(view)) {
    expect(btn.text.length).toBeGreaterThan(0);
    expect(btn.text.length).toBeLessThanOrEqual(75);
    expect(btn.value.length).toBeLessThanOrEqual(2000);
  }
  for (const text of texts(view)) expect(text).not.toMatch(NO_LEAK);
}

/**
 * Nothing of the other language: no Home string of the other catalogue (its words between
 * placeholders, where the two languages differ) appears in the view.
 */
function expectOnlyLanguage(view: Json, locale: Locale): void {
  const [mine, other] = locale === "es" ? [es, en] : [en, es];
  const all = texts(view).join("\n");
  const keys = Object.keys(other).filter(
    (k) => k.startsWith("home.") || k.startsWith("training.button") || k.startsWith("followups.due"),
  ) as MessageKey[];
  for (const key of keys) {
    if (other[key] === mine[key]) continue;
    for (const words of other[key].split(/\{\w+\}/).map((s) => s.trim())) {
      if (words.length >= 6 && !mine[key].includes(words)) expect(all, `${key}: “${words}”`).not.toContain(words);
    }
  }
}

describe.each(BACKENDS)("App Home over signed HTTP (%s)", (backend) => {
  let t: TestApp;
  let replySeq = 0;
  const ids = { s1: 0, s2: 0, past: 0, checkpoint: 0, question: 0 };

  const publishes = (userId: string): SlackCall[] =>
    t.slack.callsTo("views.publish").filter((c) => !c.failed && c.args.user_id === userId);

  async function waitFor<X>(get: () => X[], count: number, ms = 5000): Promise<X[]> {
    const deadline = Date.now() + ms;
    while (get().length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} item(s), saw ${get().length}`);
      await sleep(10);
    }
    return get();
  }

  /** Opens the Home tab as Slack does; returns the view the app published. */
  async function openHome(user: SimUser): Promise<Json> {
    const before = publishes(user.id).length;
    const res = await t.sim.event({ type: "app_home_opened", user: user.id, tab: "home", channel: `D${user.id}` });
    expect(res.status).toBe(200);
    const calls = await waitFor(() => publishes(user.id), before + 1);
    const view = (calls.at(-1) as SlackCall).args.view;
    expectValidHome(view);
    return view;
  }

  async function command(cmd: string, text: string, user: SimUser): Promise<string> {
    const id = `cmd${++replySeq}`;
    const res = await t.sim.command(cmd, text, user, { responseUrl: t.slack.responseUrl(id) });
    expect(res.status).toBe(200);
    if (typeof res.body === "object" && res.body?.text) return res.body.text;
    const [call] = await waitFor(
      () => t.slack.calls.filter((c) => c.method === "response_url" && c.responseId === id),
      1,
    );
    return (call as SlackCall).args.text;
  }

  const es_ = (key: MessageKey, vars?: Vars) => tr("es", key, vars);
  const en_ = (key: MessageKey, vars?: Vars) => tr("en", key, vars);

  beforeAll(async () => {
    t = await startTestApp(backend, { APP_TIMEZONE: ZONE });
    t.clock.set(madrid("2026-11-18 10:00"));
    for (const u of EVERYONE) forgetActor(u.id);
    for (const [u, locale] of [
      [admin, "es-ES"],
      [trainer, "en-US"],
      [manager, "es-ES"],
      [alice, "en-US"],
      [bruno, "es-ES"],
    ] as const) {
      t.slack.addUser({ id: u.id, name: u.name, tz: ZONE, locale });
    }
  });
  afterAll(async () => t?.close());

  // ---- roles -----------------------------------------------------------------------------------

  it("publishes a staff Home to someone it has never seen, and nothing for the Messages tab", async () => {
    const view = await openHome(alice);
    expect(hasSection(view, "en", "staff")).toBe(true);
    for (const s of ["trainer", "manager", "admin"] as const) expect(hasAnyOf(view, "en", s)).toBe(false);
    expect(texts(view)).toContain(en_("home.staff.none"));
    const before = t.slack.callsTo("views.publish").length;
    await t.sim.event({ type: "app_home_opened", user: alice.id, tab: "messages", channel: `D${alice.id}` });
    await sleep(150);
    expect(t.slack.callsTo("views.publish").length).toBe(before);
  });

  it("sets up people, sessions, a sign-in, a follow-up, a question, a failed delivery and figures", async () => {
    // Everyone opens the Home once, so the app learns their language before their role is set.
    for (const u of EVERYONE) await openHome(u);
    for (const [u, role] of [
      [trainer, "trainer"],
      [manager, "manager"],
    ] as const) {
      expect(await command("/capacita", `role <@${u.id}|${u.name}> ${role}`, admin)).toContain(`<@${u.id}>`);
    }
    expect(await command("/capacita", "manager Norte <@UMGR|mara>", admin)).toContain("*Norte*");

    for (const line of [
      "Bienvenida | 2026-11-18 10:30 | 60 | <#CFORM|formacion>",
      "Producto Vida Ahorro | 2026-11-25 09:30 | 90 | <#CFORM|formacion> | Sala 2 | product",
      "Técnicas de cierre | 2026-11-26 16:00 | 60 | <#CFORM|formacion>",
    ]) {
      expect(await command("/training", `new ${line}`, trainer)).toContain("CFORM");
    }
    const byTitle = (title: string) => t.db.trainingSession.findFirstOrThrow({ where: { title } });
    const past = await byTitle("Bienvenida");
    ids.past = past.id;
    ids.s1 = (await byTitle("Producto Vida Ahorro")).id;
    ids.s2 = (await byTitle("Técnicas de cierre")).id;
    // Alice signs in to the first session, which then ends.
    t.clock.set(madrid("2026-11-18 10:20"));
    expect(await command("/signin", past.code, alice)).toContain("Signed in");
    t.clock.set(madrid("2026-11-18 12:30"));

    expect(await command("/newhire", "<@UNEW|nuevo> 2026-11-01", trainer)).toContain("<@UNEW>");
    ids.checkpoint = (await t.db.checkpoint.findFirstOrThrow({ where: { newHire: { userId: "UNEW" }, day: 7 } })).id;

    await command("/ask", "cuál es la capital de Australia", bruno);
    ids.question = (await t.db.faqQuery.findFirstOrThrow({ where: { text: "cuál es la capital de Australia" } })).id;

    await t.db.outboxMessage.create({
      data: {
        key: "test:gone",
        method: "chat.postMessage",
        channel: "CGONE",
        payload: { channel: "CGONE", text: "hola" },
        status: "failed",
        attempts: 1,
        nextAttemptAt: t.clock.now(),
        lastError: "channel_not_found",
      },
    });
    const figures = await importFigures(
      t.db,
      "week start,metric,value,target,team\n2026-11-09,premium_achievement,92,95,\n2026-11-02,premium_achievement,88,95,\n",
    );
    expect(figures.ok).toBe(true);
  });

  it("shows staff the upcoming sessions with RSVP buttons and their own sign-ins, in English", async () => {
    const view = await openHome(alice);
    expect(hasSection(view, "en", "staff")).toBe(true);
    for (const s of ["trainer", "manager", "admin"] as const) expect(hasAnyOf(view, "en", s)).toBe(false);
    // The ended session is no longer upcoming; the two others are, soonest first, with both answers.
    const s1 = sectionOf(view, `home.session.${ids.s1}`);
    expect(s1).toContain("*Producto Vida Ahorro*");
    expect(s1).toContain("Product · Sala 2");
    expect(s1).toContain(en_("home.rsvp.none"));
    expect(sectionOf(view, `home.session.${ids.past}`)).toBe("");
    expect(buttons(view)).toEqual([
      { action_id: "training.rsvp.yes", value: String(ids.s1), text: "I'll attend" },
      { action_id: "training.rsvp.no", value: String(ids.s1), text: "Can't attend" },
      { action_id: "training.rsvp.yes", value: String(ids.s2), text: "I'll attend" },
      { action_id: "training.rsvp.no", value: String(ids.s2), text: "Can't attend" },
    ]);
    const all = texts(view).join("\n");
    expect(all).toContain(en_("home.attendance.summary", { count: 1, late: 0, days: 90 }));
    expect(all).toMatch(/• \*Bienvenida\* — <!date\^\d+\^[^|]+\|[^>]+>, on time/);
    expectOnlyLanguage(view, "en");
  });

  it("shows another staff member the same sessions in Spanish, with no sign-ins of their own", async () => {
    const view = await openHome(bruno);
    expect(hasSection(view, "es", "staff")).toBe(true);
    for (const s of ["trainer", "manager", "admin"] as const) expect(hasAnyOf(view, "es", s)).toBe(false);
    expect(headers(view)).toEqual([es_("home.title"), es_("home.staff.title"), es_("home.attendance.title")]);
    expect(sectionOf(view, `home.session.${ids.s1}`)).toContain("Producto · Sala 2");
    expect(buttons(view).map((b) => b.text)).toEqual(["Asistiré", "No puedo asistir", "Asistiré", "No puedo asistir"]);
    expect(texts(view)).toContain(es_("home.attendance.none", { days: 90 }));
    expectOnlyLanguage(view, "es");
  });

  it("shows a trainer their follow-ups due, with the Log button, and their sessions with counts", async () => {
    const view = await openHome(trainer);
    expect(hasSection(view, "en", "trainer")).toBe(true);
    for (const s of ["staff", "manager", "admin"] as const) expect(hasAnyOf(view, "en", s)).toBe(false);
    expect(buttons(view)).toEqual([
      { action_id: "followups.log", value: String(ids.checkpoint), text: "Log follow-up" },
    ]);
    expect(sectionOf(view, `home.followup.${ids.checkpoint}`)).toBe(
      `*#${ids.checkpoint}* <@UNEW> — day 7 (overdue by 10 days)`,
    );
    const all = texts(view).join("\n");
    expect(all).toContain(`*#${ids.s1} Producto Vida Ahorro* — `);
    expect(all).toContain("0 attending · 0 signed in");
    expect(all).not.toContain("Bienvenida");
    expectOnlyLanguage(view, "en");
  });

  it("shows a manager last week's headline KPIs for their team, with value and change, and no buttons", async () => {
    const view = await openHome(manager);
    expect(hasSection(view, "es", "manager")).toBe(true);
    for (const s of ["staff", "trainer", "admin"] as const) expect(hasAnyOf(view, "es", s)).toBe(false);
    expect(headers(view)).toContain("KPI de la semana pasada — Norte — 9 nov – 15 nov 2026");
    const fields: string[] = view.blocks.find((b: Json) => b.block_id === "home.kpi").fields.map((f: Json) => f.text);
    expect(fields.length).toBeGreaterThanOrEqual(3);
    expect(fields.length).toBeLessThanOrEqual(6);
    expect(fields).toContain("*Cumplimiento de prima estándar*\n92,0 %  ▲ +4 pts");
    expect(fields[0]).toMatch(/^\*Sesiones impartidas\*\n\d+/);
    expect(buttons(view)).toEqual([]);
    expect(texts(view)).toContain(es_("home.kpi.footer"));
    expectOnlyLanguage(view, "es");
  });

  it("shows an admin every section, with the Answer button and the failed delivery, in Spanish", async () => {
    const view = await openHome(admin);
    for (const s of ["staff", "trainer", "manager", "admin"] as const) expect(hasSection(view, "es", s)).toBe(true);
    // An admin's KPI headline is the office's (no team); their follow-ups are everyone's.
    expect(headers(view)).toContain("KPI de la semana pasada — 9 nov – 15 nov 2026");
    expect(sectionOf(view, `home.followup.${ids.checkpoint}`)).toContain("formador <@UTRAIN>");
    expect(buttons(view)).toEqual(
      expect.arrayContaining([
        { action_id: "training.rsvp.yes", value: String(ids.s1), text: "Asistiré" },
        { action_id: "followups.log", value: String(ids.checkpoint), text: "Registrar seguimiento" },
        { action_id: "faq.answer", value: String(ids.question), text: "Responder" },
      ]),
    );
    expect(sectionOf(view, `home.question.${ids.question}`)).toContain("<@UBRUNO> — _cuál es la capital de Australia_");
    const all = texts(view).join("\n");
    expect(all).toMatch(/\*1 fallidos\* · \d+ pendientes de envío/);
    expect(all).toMatch(/• chat\.postMessage a <#CGONE> — `channel_not_found` \(<!date\^\d+/);
    expectOnlyLanguage(view, "es");
  });

  // ---- refresh ---------------------------------------------------------------------------------

  it("re-publishes after a follow-up is logged and a question answered through the Home's buttons", async () => {
    // The trainer's "Log follow-up" opens the follow-ups modal; submitting it empties their list.
    const opened = t.slack.callsTo("views.open").length;
    await t.sim.action(trainer, "followups.log", String(ids.checkpoint), { view: t.slack.views.get("VHOMEUTRAIN") });
    const [logModal] = (await waitFor(() => t.slack.callsTo("views.open"), opened + 1)).slice(-1);
    const before = publishes(trainer.id).length;
    const logged = await t.sim.viewSubmission(
      trainer,
      "followups.log",
      {
        outcome: { value: { type: "radio_buttons", selected_option: { value: "reached" } } },
        notes: { value: { type: "plain_text_input", value: "ok" } },
      },
      { privateMetadata: logModal?.args.view.private_metadata },
    );
    expect(logged.status).toBe(200);
    const trainerView = (await waitFor(() => publishes(trainer.id), before + 1)).at(-1)?.args.view;
    expect(texts(trainerView)).toContain(en_("followups.due.none"));
    expect(buttons(trainerView)).toEqual([]);

    // The admin's "Answer" opens the FAQ answer form; submitting it takes the question off their Home.
    await t.sim.action(admin, "faq.answer", String(ids.question), { view: t.slack.views.get("VHOMEUADMIN") });
    const [answerModal] = (await waitFor(() => t.slack.callsTo("views.open"), opened + 2)).slice(-1);
    const adminBefore = publishes(admin.id).length;
    const answered = await t.sim.viewSubmission(
      admin,
      "faq.answerQuestion",
      {
        question: { value: { type: "plain_text_input", value: "¿Cuál es la capital de Australia?" } },
        answer: { value: { type: "plain_text_input", value: "Canberra." } },
        locale: { value: { type: "static_select", selected_option: { value: "es" } } },
      },
      { privateMetadata: answerModal?.args.view.private_metadata },
    );
    expect(answered.status).toBe(200);
    const adminView = (await waitFor(() => publishes(admin.id), adminBefore + 1)).at(-1)?.args.view;
    expectValidHome(adminView);
    expect(sectionOf(adminView, `home.question.${ids.question}`)).toBe("");
    expect(texts(adminView)).toContain(es_("faq.unanswered.none"));
    expect(buttons(adminView).some((b) => b.action_id === "faq.answer")).toBe(false);
  });

  it("re-publishes the Home with the new state after an RSVP click from the Home", async () => {
    const home = t.slack.views.get(`VHOME${alice.id}`);
    const before = publishes(alice.id).length;
    const res = await t.sim.action(alice, "training.rsvp.yes", String(ids.s1), { view: home });
    expect(res.status).toBe(200);
    const view = (await waitFor(() => publishes(alice.id), before + 1)).at(-1)?.args.view;
    expectValidHome(view);
    expect(
      await t.db.rsvp.findUnique({ where: { sessionId_userId: { sessionId: ids.s1, userId: alice.id } } }),
    ).toMatchObject({ attending: true });
    expect(sectionOf(view, `home.session.${ids.s1}`)).toContain(en_("home.rsvp.yes"));
    // Only the answer that would change something is left for that session.
    expect(buttons(view).filter((b) => b.value === String(ids.s1))).toEqual([
      { action_id: "training.rsvp.no", value: String(ids.s1), text: "Can't attend" },
    ]);
    // The public notice was updated by training's own handler.
    await waitFor(() => t.slack.callsTo("chat.update"), 1);
    // …and the trainer's Home counts it next time.
    expect(texts(await openHome(trainer)).join("\n")).toContain("1 attending · 0 signed in");
  });

  it("re-publishes it too after an RSVP from the channel notice, and after a second click, last state wins", async () => {
    const before = publishes(alice.id).length;
    const id = `act${++replySeq}`;
    await t.sim.action(alice, "training.rsvp.no", String(ids.s2), {
      channelId: "CFORM",
      responseUrl: t.slack.responseUrl(id),
    });
    await t.sim.action(alice, "training.rsvp.no", String(ids.s1), { view: t.slack.views.get(`VHOME${alice.id}`) });
    const view = (await waitFor(() => publishes(alice.id), before + 2)).at(-1)?.args.view;
    expect(sectionOf(view, `home.session.${ids.s1}`)).toContain(en_("home.rsvp.no"));
    expect(sectionOf(view, `home.session.${ids.s2}`)).toContain(en_("home.rsvp.no"));
    expect(buttons(view).map((b) => `${b.action_id}:${b.value}`)).toEqual([
      `training.rsvp.yes:${ids.s1}`,
      `training.rsvp.yes:${ids.s2}`,
    ]);
  });

  // ---- Block Kit limits ------------------------------------------------------------------------

  it("trims 200 upcoming sessions (and long admin lists) to a valid view with a “see more” line", async () => {
    for (let i = 0; i < 200; i++) {
      const created = await createSession(t.db, t.clock, trainer.id, {
        title: `Sesión ${String(i + 1).padStart(3, "0")} — ${"x".repeat(120)}`,
        kind: "other",
        startsAt: madrid(
          `2026-12-${String((i % 28) + 1).padStart(2, "0")} ${String(8 + (i % 10)).padStart(2, "0")}:00`,
        ),
        durationMin: 60,
        channelId: "CFORM",
        place: "y".repeat(300),
      });
      expect(created.ok).toBe(true);
    }
    for (let i = 0; i < 40; i++)
      await t.db.faqQuery.create({ data: { text: `pregunta ${i} ${"z".repeat(480)}`, userId: bruno.id } });
    for (let i = 0; i < 12; i++)
      await t.db.outboxMessage.create({
        data: {
          key: `test:gone:${i}`,
          method: "chat.postMessage",
          channel: `UGONE${i}`,
          payload: {},
          status: "failed",
          nextAttemptAt: t.clock.now(),
          lastError: "account_inactive",
        },
      });
    const upcoming = await t.db.trainingSession.count({
      where: { status: "scheduled", closesAt: { gte: t.clock.now() } },
    });
    expect(upcoming).toBe(202);

    const staffView = await openHome(alice);
    expect(staffView.blocks.filter((b: Json) => b.block_id?.startsWith("home.session.")).length).toBe(SHOWN.upcoming);
    expect(texts(staffView)).toContain(en_("home.more.sessions", { count: upcoming - SHOWN.upcoming }));

    const trainerView = await openHome(trainer);
    expect(texts(trainerView)).toContain(en_("home.more.training", { count: upcoming - SHOWN.ownSessions }));

    const started = performance.now();
    const adminView = await openHome(admin);
    const adminMs = performance.now() - started;
    expect(adminView.blocks.length).toBeLessThanOrEqual(100);
    const all = texts(adminView);
    expect(all).toContain(es_("home.more.training", { count: upcoming - SHOWN.upcoming }));
    expect(all).toContain(es_("home.faq.more", { count: 40 - SHOWN.unanswered }));
    expect(all).toContain(es_("home.outbox.more", { count: 13 - SHOWN.failed }));
    expect(adminMs).toBeLessThan(3000);
  });
});
