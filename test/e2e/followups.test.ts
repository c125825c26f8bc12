// New-hire follow-ups over signed HTTP (SPEC §4, §11): /newhire, the daily DM with its
// "Log follow-up" buttons, the modal, escalations, /followup and who may do what — as Slack sends them.
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forgetActor } from "../../src/core/slack.ts";
import type { SlackCall } from "../../src/core/slack-double.ts";
import type { Checkpoint } from "../../src/generated/prisma/client.ts";
import { startTestApp, type TestApp } from "../kit/app.ts";
import { BACKENDS } from "../kit/db.ts";
import type { Json, SimResponse, SimUser } from "../kit/signer.ts";

const ZONE = "Europe/Madrid";
const admin = { id: "UADMIN", name: "ana" };
const trainer = { id: "UTRAIN", name: "marta" }; // es
const otherTrainer = { id: "UTRAIN2", name: "luis" }; // en
const manager = { id: "UMGR", name: "mara" }; // en; manages team Norte, where marta is
const otherManager = { id: "UMGR2", name: "sol" }; // manages team Sur: nobody here
const staff = { id: "USTAFF", name: "pepe" };

/** Office time (Madrid) → instant. */
const madrid = (text: string) => DateTime.fromFormat(text, "yyyy-MM-dd HH:mm", { zone: ZONE }).toJSDate();
/** A calendar day as stored (UTC midnight). */
const day = (text: string) => new Date(`${text}T00:00:00.000Z`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Nothing internal reaches a person. */
const NO_LEAK = /\n\s+at |\w+Error\b|\.ts:\d+|prisma|invalid_type|\{"/i;
const USAGE_ADD = "Forma correcta: `/newhire @persona AAAA-MM-DD [@formador]`";
const USAGE_LEFT = "Forma correcta: `/newhire left @persona AAAA-MM-DD`";
/**
 * Runs a job, then delivers what it stored. The scheduler pokes the dispatcher after a run; that
 * delivery is awaited (stop() waits for it — nothing runs in the background in tests) before draining.
 */
async function deliverAfter<X>(t: TestApp, work: () => Promise<X>): Promise<X> {
  const result = await work();
  await t.capacita.dispatcher.stop();
  await t.capacita.dispatcher.drain();
  return result;
}

const LOG_VALUES = {
  outcome: { value: { type: "radio_buttons", selected_option: { value: "reached" } } },
  notes: { value: { type: "plain_text_input", value: "llamada ok" } },
};

describe.each(BACKENDS)("new-hire follow-ups over signed HTTP (%s)", (backend) => {
  let t: TestApp;
  let replySeq = 0;
  /** The trainer's and the other trainer's DMs of the 20 Nov run. */
  let dmTrainer: SlackCall;
  let dmOther: SlackCall;

  beforeAll(async () => {
    t = await startTestApp(backend, { APP_TIMEZONE: ZONE });
    t.clock.set(madrid("2026-11-19 10:00"));
    // The actor cache is per process: the previous backend's run may still hold these people.
    for (const u of [admin, trainer, otherTrainer, manager, otherManager, staff]) forgetActor(u.id);
    for (const [u, locale] of [
      [admin, "es-ES"],
      [trainer, "es-ES"],
      [otherTrainer, "en-US"],
      [manager, "en-GB"],
      [otherManager, "es-ES"],
      [staff, "es-ES"],
    ] as const) {
      t.slack.addUser({ id: u.id, name: u.name, tz: ZONE, locale });
    }
  });
  afterAll(async () => t?.close());

  // ---- helpers -------------------------------------------------------------------------------

  async function waitFor<X>(get: () => X[], count = 1, ms = 3000): Promise<X[]> {
    const deadline = Date.now() + ms;
    while (get().length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} item(s), saw ${get().length}`);
      await sleep(10);
    }
    return get();
  }

  async function responseTo(id: string): Promise<SlackCall> {
    const [call] = await waitFor(() => t.slack.calls.filter((c) => c.method === "response_url" && c.responseId === id));
    return call as SlackCall;
  }

  /** A slash command's private reply (in the HTTP body, or through its response_url after an empty ack). */
  async function command(cmd: string, text: string, user: SimUser) {
    const id = `cmd${++replySeq}`;
    const res = await t.sim.command(cmd, text, user, { responseUrl: t.slack.responseUrl(id) });
    expect(res.status).toBe(200);
    const reply = typeof res.body === "object" && res.body?.text ? res.body : (await responseTo(id)).args;
    expect(reply.response_type).toBe("ephemeral");
    expect(reply.text).not.toMatch(NO_LEAK);
    return reply as { response_type: string; text: string; blocks?: Json[] };
  }

  /** A "Log follow-up" click on a message (a DM by default); returns the HTTP answer. */
  function clickLog(
    user: SimUser,
    value: string,
    opts: { from?: SlackCall; triggerId?: string; container?: Json } = {},
  ) {
    const id = `act${++replySeq}`;
    const channelId = opts.from?.result.channel ?? "C1";
    const message = opts.from ? { ...opts.from.result.message, ts: opts.from.result.ts } : undefined;
    return {
      id,
      res: t.sim.action(user, "followups.log", value, {
        channelId,
        message,
        container: opts.container,
        triggerId: opts.triggerId,
        responseUrl: t.slack.responseUrl(id),
      }),
    };
  }

  /** A click refused with a private message through the response_url, and no modal opened. */
  async function refusedClick(user: SimUser, value: string): Promise<string> {
    const views = t.slack.callsTo("views.open").length;
    const { id, res } = clickLog(user, value);
    expect((await res).status).toBe(200);
    const reply = (await responseTo(id)).args;
    expect(reply.response_type).toBe("ephemeral");
    expect(reply.replace_original).toBe(false);
    expect(reply.text).not.toMatch(NO_LEAK);
    expect(t.slack.callsTo("views.open")).toHaveLength(views);
    return reply.text as string;
  }

  function submit(user: SimUser, meta: object | string, values: Json = LOG_VALUES): Promise<SimResponse> {
    return t.sim.viewSubmission(user, "followups.log", values, {
      privateMetadata: typeof meta === "string" ? meta : JSON.stringify(meta),
    });
  }

  const posts = () => t.slack.callsTo("chat.postMessage").filter((c) => !c.failed);
  const postsTo = (channel: string) => posts().filter((c) => c.args.channel === channel);
  const run = (at: Date) => deliverAfter(t, () => t.capacita.scheduler.runNow("followups", at));
  const hireOf = (userId: string) =>
    t.db.newHire.findUniqueOrThrow({ where: { userId }, include: { checkpoints: { orderBy: { day: "asc" } } } });
  const checkpoint = async (userId: string, d: number): Promise<Checkpoint> =>
    (await hireOf(userId)).checkpoints.find((c) => c.day === d) as Checkpoint;
  const buttons = (blocks: Json[]) =>
    blocks.filter((b) => b.accessory?.type === "button").map((b) => [b.accessory.action_id, b.accessory.value]);
  const snapshot = () => t.db.checkpoint.findMany({ orderBy: { id: "asc" } });

  // ---- roles and teams -----------------------------------------------------------------------

  it("sets up roles and teams through /capacita as an admin", async () => {
    // Everyone uses the app once before their role is set, so it learns their language from users.info.
    for (const u of [otherTrainer, manager, otherManager, staff]) await command("/capacita", "", u);
    for (const [u, role] of [
      [trainer, "trainer"],
      [otherTrainer, "trainer"],
      [manager, "manager"],
      [otherManager, "manager"],
    ] as const) {
      expect((await command("/capacita", `role <@${u.id}|${u.name}> ${role}`, admin)).text).toContain(`<@${u.id}>`);
    }
    expect((await command("/capacita", "team <@UTRAIN|marta> Norte", admin)).text).toContain("*Norte*");
    expect((await command("/capacita", "manager Norte <@UMGR|mara>", admin)).text).toContain("*Norte*");
    expect((await command("/capacita", "manager Sur <@UMGR2|sol>", admin)).text).toContain("*Sur*");
    const trainerRow = await t.db.user.findUniqueOrThrow({ where: { id: trainer.id }, include: { team: true } });
    expect(trainerRow.team).toMatchObject({ name: "Norte", managerId: manager.id });
    expect((await t.db.user.findUniqueOrThrow({ where: { id: manager.id } })).locale).toBe("en-GB");
  });

  // ---- /newhire ------------------------------------------------------------------------------

  it("registers a new hire with four checkpoints at start + 7/30/60/90 days", async () => {
    const reply = await command("/newhire", "<@U1|ana> 2026-11-02", trainer);
    expect(reply.text).toBe(
      "<@U1> registrado/a como nueva incorporación desde el 2026-11-02, con <@UTRAIN> como formador. " +
        "Seguimientos: 7 (2026-11-09), 30 (2026-12-02), 60 (2027-01-01), 90 (2027-01-31).",
    );
    const hire = await hireOf("U1");
    expect(hire).toMatchObject({ userId: "U1", trainerId: trainer.id, startDate: day("2026-11-02"), leftOn: null });
    expect(hire.checkpoints.map((c) => [c.day, c.dueOn, c.state])).toEqual([
      [7, day("2026-11-09"), "open"],
      [30, day("2026-12-02"), "open"],
      [60, day("2027-01-01"), "open"],
      [90, day("2027-01-31"), "open"],
    ]);
  });

  it("updates a person registered twice instead of adding a copy", async () => {
    const ids = (await hireOf("U1")).checkpoints.map((c) => c.id);
    const moved = await command("/newhire", "<@U1|ana> 2026-11-03", trainer);
    expect(moved.text).toBe(
      "Actualizado: <@U1> empieza el 2026-11-03, formador <@UTRAIN>. " +
        "Seguimientos: 7 (2026-11-10), 30 (2026-12-03), 60 (2027-01-02), 90 (2027-02-01).",
    );
    expect(await t.db.newHire.count({ where: { userId: "U1" } })).toBe(1);
    expect(await t.db.checkpoint.count({ where: { newHire: { userId: "U1" } } })).toBe(4);
    expect((await hireOf("U1")).checkpoints.map((c) => c.dueOn)).toEqual(
      ["2026-11-10", "2026-12-03", "2027-01-02", "2027-02-01"].map(day),
    );

    await command("/newhire", "<@U1|ana> 2026-11-02", trainer);
    const back = await hireOf("U1");
    expect(back.checkpoints.map((c) => c.id)).toEqual(ids);
    expect(back.checkpoints.map((c) => c.dueOn)).toEqual(
      ["2026-11-09", "2026-12-02", "2027-01-01", "2027-01-31"].map(day),
    );
    expect(await t.db.newHire.count()).toBe(1);
  });

  it("registers the rest of the cohort, with another trainer named by an admin", async () => {
    await command("/newhire", "<@U2|beto> 2026-11-10", trainer);
    await command("/newhire", "<@U5|eli> 2026-11-06", trainer);
    await command("/newhire", "<@U4|dani> 2026-11-30", trainer);
    const named = await command("/newhire", "<@U3|carla> 2026-10-01 <@UTRAIN2|luis>", admin);
    expect(named.text).toContain("con <@UTRAIN2> como formador");
    expect((await hireOf("U3")).trainerId).toBe(otherTrainer.id);
    expect(await t.db.newHire.count()).toBe(5);
    expect(await t.db.checkpoint.count()).toBe(20);
  });

  it("refuses a start date more than 120 days past or 60 days ahead, and writes nothing", async () => {
    // Today is 19 Nov 2026: 120 days back is 22 Jul, 60 days ahead is 18 Jan.
    const hires = await t.db.newHire.count();
    const old = await command("/newhire", "<@U6|fran> 2026-07-21", trainer);
    expect(old.text).toBe(`La fecha de inicio es de hace más de 120 días: revisa la fecha (AAAA-MM-DD).\n${USAGE_ADD}`);
    const far = await command("/newhire", "<@U6|fran> 2027-01-19", trainer);
    expect(far.text).toBe(
      `La fecha de inicio es dentro de más de 60 días: revisa la fecha (AAAA-MM-DD).\n${USAGE_ADD}`,
    );
    expect(await t.db.newHire.count()).toBe(hires);

    // Both limits themselves are accepted.
    expect((await command("/newhire", "<@U6|fran> 2026-07-22", trainer)).text).toContain("2026-07-22");
    expect((await command("/newhire", "<@U7|gema> 2027-01-18", trainer)).text).toContain("2027-01-18");
    await t.db.newHire.deleteMany({ where: { userId: { in: ["U6", "U7"] } } });
    expect(await t.db.newHire.count()).toBe(hires);
    expect(await t.db.checkpoint.count()).toBe(hires * 4);
  });

  it.each([
    ["no mention", "2026-11-02", "Menciona a una persona con @ (por ejemplo @ana)."],
    ["no date", "<@U8|hugo>", "La fecha debe tener la forma AAAA-MM-DD, por ejemplo 2026-12-01."],
    ["a day that does not exist", "<@U8|hugo> 2026-02-30", "La fecha debe tener la forma AAAA-MM-DD"],
    ["a date in another form", "<@U8|hugo> 02/11/2026", "La fecha debe tener la forma AAAA-MM-DD"],
    ["an emoji", "😀", "Menciona a una persona con @"],
    ["an emoji as the date", "<@U8|hugo> :tada:", "La fecha debe tener la forma AAAA-MM-DD"],
    ["SQL", `'; DROP TABLE "NewHire"; --`, "Menciona a una persona con @"],
    ["SQL as the date", '<@U8|hugo> 2026-11-02\'); DELETE FROM "Checkpoint"; --', "La fecha debe tener la forma"],
    [
      "a word too many",
      "<@U8|hugo> 2026-11-02 <@UTRAIN|marta> ya",
      "Faltan datos o alguno no tiene la forma esperada.",
    ],
    ["a trainer that is not a mention", "<@U8|hugo> 2026-11-02 marta", "Menciona a una persona con @"],
  ])("answers bad input (%s) privately with the right form", async (_name, text, problem) => {
    const [hires, checkpoints] = [await t.db.newHire.count(), await t.db.checkpoint.count()];
    const reply = await command("/newhire", text, trainer);
    expect(reply.text).toContain(problem);
    expect(reply.text).toContain(USAGE_ADD);
    expect(await t.db.newHire.count()).toBe(hires);
    expect(await t.db.checkpoint.count()).toBe(checkpoints);
  });

  it("refuses /newhire to staff and to managers, and another trainer's hire to a trainer", async () => {
    const hires = await t.db.newHire.findMany({ orderBy: { id: "asc" } });
    expect((await command("/newhire", "<@U8|hugo> 2026-11-02", staff)).text).toBe(
      "No tienes permiso para esto: hace falta el rol formador / administrador. Tu rol es personal.",
    );
    expect((await command("/newhire", "list", manager)).text).toContain("You are not allowed to do this");
    const steal = await command("/newhire", "<@U2|beto> 2026-11-12", otherTrainer);
    expect(steal.text).toBe("<@U2> is a new hire of <@UTRAIN>: only their trainer or an admin can change it.");
    expect(await t.db.newHire.findMany({ orderBy: { id: "asc" } })).toEqual(hires);
  });

  // ---- the daily run ---------------------------------------------------------------------------

  it("DMs each trainer once with what is due or overdue, each with a Log follow-up button", async () => {
    t.clock.set(madrid("2026-11-20 09:00"));
    expect(await run(t.clock.now())).toEqual({ key: "followups:2026-11-20", ran: true });

    // Due on 20 Nov: ana day 7 (9 Nov), eli day 7 (13 Nov), beto day 7 (17 Nov) for marta;
    // carla day 7 (8 Oct) and day 30 (31 Oct) for luis. dani starts on 30 Nov: nothing yet.
    expect(postsTo(trainer.id)).toHaveLength(1);
    expect(postsTo(otherTrainer.id)).toHaveLength(1);
    dmTrainer = postsTo(trainer.id)[0] as SlackCall;
    dmOther = postsTo(otherTrainer.id)[0] as SlackCall;
    expect(dmTrainer.result.channel).toBe("DUTRAIN");

    const [ana7, eli7, beto7] = [await checkpoint("U1", 7), await checkpoint("U5", 7), await checkpoint("U2", 7)];
    const blocks = dmTrainer.args.blocks as Json[];
    expect(blocks[0]).toMatchObject({ type: "header", text: { text: "Seguimientos pendientes" } });
    expect(blocks[1].text.text).toBe("Tienes 3 seguimientos de nuevas incorporaciones para hoy o vencidos:");
    expect(buttons(blocks)).toEqual([
      ["followups.log", String(ana7.id)],
      ["followups.log", String(eli7.id)],
      ["followups.log", String(beto7.id)],
    ]);
    expect(blocks.slice(2).map((b) => b.text.text)).toEqual([
      `*#${ana7.id}* <@U1> — día 7 (vencido hace 11 días)`,
      `*#${eli7.id}* <@U5> — día 7 (vencido hace 7 días)`,
      `*#${beto7.id}* <@U2> — día 7 (vencido hace 3 días)`,
    ]);
    expect(blocks[2].accessory.text.text).toBe("Registrar seguimiento");
    expect(dmTrainer.args.text).toContain(`*#${ana7.id}* <@U1>`);

    // luis reads English.
    const [carla7, carla30] = [await checkpoint("U3", 7), await checkpoint("U3", 30)];
    expect((dmOther.args.blocks as Json[]).slice(2).map((b) => b.text.text)).toEqual([
      `*#${carla7.id}* <@U3> — day 7 (overdue by 43 days)`,
      `*#${carla30.id}* <@U3> — day 30 (overdue by 20 days)`,
    ]);
    expect(buttons(dmOther.args.blocks)).toEqual([
      ["followups.log", String(carla7.id)],
      ["followups.log", String(carla30.id)],
    ]);
  });

  it("escalates what is overdue by more than 7 days to the admins and the trainer's manager, not exactly 7", async () => {
    const toAdmin = postsTo(admin.id);
    const toManager = postsTo(manager.id);
    expect(toAdmin).toHaveLength(1);
    expect(toManager).toHaveLength(1);
    // Nobody else hears of it: two trainers, one admin, one manager (luis has no team; sol manages nobody here).
    expect(posts()).toHaveLength(4);

    const adminText = toAdmin[0]!.args.text as string;
    expect(adminText.split("\n")).toEqual([
      "Seguimientos vencidos hace más de 7 días",
      "• <@U3> — día 7, vencido hace 43 días (formador <@UTRAIN2>)",
      "• <@U3> — día 30, vencido hace 20 días (formador <@UTRAIN2>)",
      "• <@U1> — día 7, vencido hace 11 días (formador <@UTRAIN>)",
    ]);
    // eli's day 7 is exactly 7 days overdue: not escalated; beto's (3 days) neither.
    expect(adminText).not.toContain("<@U5>");
    expect(adminText).not.toContain("<@U2>");
    // The manager reads only their team's, in their language.
    expect((toManager[0]!.args.text as string).split("\n")).toEqual([
      "Follow-ups overdue by more than 7 days",
      "• <@U1> — day 7, overdue by 11 days (trainer <@UTRAIN>)",
    ]);
    expect(JSON.stringify(toManager[0]!.args.blocks)).not.toContain("followups.log");
  });

  it("sends nothing new on a second run the same day", async () => {
    const before = posts().length;
    t.clock.set(madrid("2026-11-20 09:30"));
    expect(await run(t.clock.now())).toEqual({ key: "followups:2026-11-20", ran: false });
    expect(await deliverAfter(t, () => t.capacita.scheduler.runDue(["followups"]))).toEqual([]);
    expect(postsTo(trainer.id)).toHaveLength(1);
    expect(postsTo(admin.id)).toHaveLength(1);
    expect(posts()).toHaveLength(before);
    expect(await t.db.outboxMessage.count({ where: { key: { startsWith: "followups:2026-11-20" } } })).toBe(4);
  });

  it("/followup lists the same as the DM", async () => {
    const mine = await command("/followup", "", trainer);
    expect(mine.text).toBe(dmTrainer.args.text);
    expect(mine.blocks).toEqual(dmTrainer.args.blocks);
    const luis = await command("/followup", "", otherTrainer);
    expect(luis.blocks).toEqual(dmOther.args.blocks);
    // Staff have no list.
    expect((await command("/followup", "", staff)).text).toContain("No tienes permiso para esto");
  });

  // ---- the button and the modal -------------------------------------------------------------------

  it("opens the modal from the DM's button and closes the checkpoint on submit, updating the DM in place", async () => {
    t.clock.set(madrid("2026-11-20 10:00"));
    const ana7 = await checkpoint("U1", 7);
    const trigger = "trigger.555.followups";
    const { res } = clickLog(trainer, String(ana7.id), { from: dmTrainer, triggerId: trigger });
    expect((await res).status).toBe(200);
    const [open] = await waitFor(() => t.slack.callsTo("views.open"));
    expect(open!.args.trigger_id).toBe(trigger);
    const view = open!.args.view as Json;
    expect(view.callback_id).toBe("followups.log");
    expect(JSON.parse(view.private_metadata)).toEqual({
      checkpointId: ana7.id,
      channel: "DUTRAIN",
      ts: dmTrainer.result.ts,
    });
    expect(view.blocks.map((b: Json) => b.block_id).filter(Boolean)).toEqual(["outcome", "notes"]);
    const radio = view.blocks.find((b: Json) => b.block_id === "outcome").element;
    expect(radio).toMatchObject({ type: "radio_buttons", action_id: "value" });
    expect(radio.options.map((o: Json) => [o.value, o.text.text])).toEqual([
      ["reached", "contactado"],
      ["not_reached", "no contactado"],
      ["left", "ha dejado la empresa"],
    ]);
    expect(JSON.stringify(view.blocks)).toContain("<@U1> — día 7");

    const submitted = await submit(trainer, view.private_metadata);
    expect(submitted.status).toBe(200);
    expect(submitted.body).toBe("");
    const closed = await checkpoint("U1", 7);
    expect(closed).toMatchObject({ state: "reached", notes: "llamada ok", closedBy: trainer.id });
    // The test clock runs on from 10:00.
    expect(closed.closedAt!.getTime() - madrid("2026-11-20 10:00").getTime()).toBeGreaterThanOrEqual(0);
    expect(closed.closedAt!.getTime() - madrid("2026-11-20 10:00").getTime()).toBeLessThan(5_000);

    const [update] = await waitFor(() => t.slack.callsTo("chat.update"));
    expect(update!.args).toMatchObject({ channel: "DUTRAIN", ts: dmTrainer.result.ts });
    const blocks = update!.args.blocks as Json[];
    const [eli7, beto7] = [await checkpoint("U5", 7), await checkpoint("U2", 7)];
    // Done, without its button; the others keep theirs.
    expect(buttons(blocks)).toEqual([
      ["followups.log", String(eli7.id)],
      ["followups.log", String(beto7.id)],
    ]);
    expect(JSON.stringify(blocks)).toContain(`✅ *#${ana7.id}* <@U1> — día 7: contactado`);
    expect(blocks[1].text.text).toBe("Tienes 2 seguimientos de nuevas incorporaciones para hoy o vencidos:");

    // The same modal submitted again (a double click) changes nothing and says why.
    const again = await submit(trainer, view.private_metadata, {
      ...LOG_VALUES,
      outcome: { value: { type: "radio_buttons", selected_option: { value: "not_reached" } } },
    });
    expect(again.body).toEqual({
      response_action: "errors",
      errors: { outcome: `El seguimiento #${ana7.id} ya estaba cerrado (contactado).` },
    });
    expect((await checkpoint("U1", 7)).state).toBe("reached");
  });

  it("refuses a staff member's crafted button and modal submission, changing nothing", async () => {
    const beto7 = await checkpoint("U2", 7);
    const before = await snapshot();
    expect(await refusedClick(staff, String(beto7.id))).toBe(
      "No tienes permiso para esto: hace falta el rol formador / responsable / administrador. Tu rol es personal.",
    );
    const res = await submit(staff, { checkpointId: beto7.id, channel: "DUTRAIN", ts: dmTrainer.result.ts });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      response_action: "errors",
      errors: {
        outcome:
          "No tienes permiso para esto: hace falta el rol formador / responsable / administrador. Tu rol es personal.",
      },
    });
    // Nonsense from staff is refused the same way, before anything is read.
    expect((await submit(staff, "not json")).body.response_action).toBe("errors");
    expect(await refusedClick(staff, "1 OR 1=1")).toContain("No tienes permiso");
    expect(await snapshot()).toEqual(before);
  });

  it("refuses another trainer, and a manager of another team, on someone else's checkpoint", async () => {
    const beto7 = await checkpoint("U2", 7);
    const before = await snapshot();
    const updates = t.slack.callsTo("chat.update").length;
    expect(await refusedClick(otherTrainer, String(beto7.id))).toBe(
      "Only the assigned trainer, the team's manager or an admin can log this follow-up.",
    );
    expect((await submit(otherTrainer, { checkpointId: beto7.id })).body).toEqual({
      response_action: "errors",
      errors: { outcome: "Only the assigned trainer, the team's manager or an admin can log this follow-up." },
    });
    expect((await command("/followup", `done ${beto7.id} hecho`, otherTrainer)).text).toBe(
      "Only the assigned trainer, the team's manager or an admin can log this follow-up.",
    );
    expect(await refusedClick(otherManager, String(beto7.id))).toBe(
      "Solo el formador asignado, el responsable del equipo o un administrador puede registrar este seguimiento.",
    );
    expect((await submit(otherManager, { checkpointId: beto7.id })).body.response_action).toBe("errors");
    // An unknown checkpoint, and one that is not a number.
    expect(await refusedClick(trainer, "999999")).toBe(
      "No encuentro ese seguimiento. Usa el número que aparece en `/followup`.",
    );
    expect((await submit(trainer, { checkpointId: 999999 })).body).toEqual({
      response_action: "errors",
      errors: { outcome: "No encuentro ese seguimiento. Usa el número que aparece en `/followup`." },
    });
    expect((await submit(trainer, { checkpointId: "1; DROP" })).body.response_action).toBe("errors");
    expect(await snapshot()).toEqual(before);
    expect(t.slack.callsTo("chat.update")).toHaveLength(updates);
  });

  it("lets the trainer's team manager log it (from the ephemeral /followup list, which is not updated)", async () => {
    const beto7 = await checkpoint("U2", 7);
    const updates = t.slack.callsTo("chat.update").length;
    const opened = t.slack.callsTo("views.open").length;
    const { res } = clickLog(manager, String(beto7.id), {
      container: { type: "message", message_ts: "1700000000.000900", channel_id: "C1", is_ephemeral: true },
    });
    expect((await res).status).toBe(200);
    const views = await waitFor(() => t.slack.callsTo("views.open"), opened + 1);
    const view = views.at(-1)!.args.view as Json;
    expect(JSON.parse(view.private_metadata)).toEqual({ checkpointId: beto7.id });
    const submitted = await submit(manager, view.private_metadata, {
      outcome: { value: { type: "radio_buttons", selected_option: { value: "not_reached" } } },
      notes: { value: { type: "plain_text_input", value: null } },
    });
    expect(submitted.body).toBe("");
    expect(await checkpoint("U2", 7)).toMatchObject({ state: "not_reached", notes: null, closedBy: manager.id });
    await sleep(50);
    expect(t.slack.callsTo("chat.update")).toHaveLength(updates);
  });

  it("lets an admin close anyone's checkpoint with /followup done <id> notes", async () => {
    const carla7 = await checkpoint("U3", 7);
    const reply = await command("/followup", `done ${carla7.id} llamada hecha, todo bien`, admin);
    expect(reply.text).toBe(`Seguimiento #${carla7.id} de <@U3> registrado: contactado.`);
    expect(await checkpoint("U3", 7)).toMatchObject({
      state: "reached",
      notes: "llamada hecha, todo bien",
      closedBy: admin.id,
    });
    expect((await command("/followup", `done #${carla7.id}`, admin)).text).toBe(
      `El seguimiento #${carla7.id} ya estaba cerrado (contactado).`,
    );
    for (const bad of ["done", "done abc", "done -3", "done 1=1"]) {
      expect((await command("/followup", bad, admin)).text).toContain(
        "Forma correcta: `/followup done <número> [notas]`",
      );
    }
    expect((await command("/followup", "borrar 3", admin)).text).toContain("No conozco «borrar»");
  });

  // ---- /newhire list and left ------------------------------------------------------------------

  it("/newhire list shows each checkpoint as done, today, overdue or in N days", async () => {
    t.clock.set(madrid("2026-12-02 10:00"));
    const list = await command("/newhire", "list", trainer);
    const sections = (list.blocks as Json[]).filter((b) => b.type === "section").map((b) => b.text.text);
    // Newest start first; only marta's own (carla is luis's).
    expect(sections).toEqual([
      "*<@U4>* — inicio 2026-11-30\n" +
        "🗓️ día 7: 2026-12-07 (en 5 días)   🗓️ día 30: 2026-12-30 (en 28 días)   🗓️ día 60: 2027-01-29 (en 58 días)   🗓️ día 90: 2027-02-28 (en 88 días)",
      "*<@U2>* — inicio 2026-11-10\n" +
        "✅ día 7: no contactado   🗓️ día 30: 2026-12-10 (en 8 días)   🗓️ día 60: 2027-01-09 (en 38 días)   🗓️ día 90: 2027-02-08 (en 68 días)",
      "*<@U5>* — inicio 2026-11-06\n" +
        "⚠️ día 7: vencido hace 19 días   🗓️ día 30: 2026-12-06 (en 4 días)   🗓️ día 60: 2027-01-05 (en 34 días)   🗓️ día 90: 2027-02-04 (en 64 días)",
      "*<@U1>* — inicio 2026-11-02\n" +
        "✅ día 7: contactado   📞 día 30: hoy   🗓️ día 60: 2027-01-01 (en 30 días)   🗓️ día 90: 2027-01-31 (en 60 días)",
    ]);
    // An admin sees everyone's.
    const all = await command("/newhire", "list", admin);
    expect(all.text).toContain("*<@U3>* — inicio 2026-10-01");
    expect((all.blocks as Json[]).filter((b) => b.type === "section")).toHaveLength(5);
  });

  it("/newhire left closes the remaining checkpoints as left", async () => {
    const reply = await command("/newhire", "left <@U1|ana> 2026-12-01", trainer);
    expect(reply.text).toBe("Anotada la baja de <@U1> el 2026-12-01. Sus seguimientos pendientes se han cerrado.");
    const hire = await hireOf("U1");
    expect(hire.leftOn).toEqual(day("2026-12-01"));
    expect(hire.checkpoints.map((c) => [c.day, c.state, c.closedBy])).toEqual([
      [7, "reached", trainer.id],
      [30, "left", trainer.id],
      [60, "left", trainer.id],
      [90, "left", trainer.id],
    ]);
    const list = await command("/newhire", "list", trainer);
    expect(list.text).toContain(
      "*<@U1>* — inicio 2026-11-02 · baja el 2026-12-01\n✅ día 7: contactado   🚪 día 30: baja   🚪 día 60: baja   🚪 día 90: baja",
    );
    // Nothing of ana's is due any more.
    expect((await command("/followup", "", trainer)).text).not.toContain("<@U1>");
  });

  it("refuses bad /newhire left input and someone else's hire, changing nothing", async () => {
    const before = await snapshot();
    const hires = await t.db.newHire.findMany({ orderBy: { id: "asc" } });
    expect((await command("/newhire", "left <@U9|nadie> 2026-12-01", trainer)).text).toBe(
      `Esa persona no está registrada como nueva incorporación.\n${USAGE_LEFT}`,
    );
    expect((await command("/newhire", "left <@U2|beto> 2026-11-01", trainer)).text).toBe(
      `La fecha de baja es anterior a la de inicio.\n${USAGE_LEFT}`,
    );
    expect((await command("/newhire", "left <@U2|beto>", trainer)).text).toContain(USAGE_LEFT);
    expect((await command("/newhire", "left 2026-12-01", trainer)).text).toContain("Menciona a una persona con @");
    expect((await command("/newhire", "left <@U2|beto> 2026-12-01 ya", trainer)).text).toContain(USAGE_LEFT);
    expect((await command("/newhire", "left <@U2|beto> 2026-12-01", otherTrainer)).text).toBe(
      "<@U2> is a new hire of <@UTRAIN>: only their trainer or an admin can change it.",
    );
    expect(await snapshot()).toEqual(before);
    expect(await t.db.newHire.findMany({ orderBy: { id: "asc" } })).toEqual(hires);
  });
});

describe.each(BACKENDS)("follow-up escalations with ADMIN_CHANNEL (%s)", (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(backend, { APP_TIMEZONE: ZONE, ADMIN_CHANNEL: "CADMIN" });
    // Straight into the database: a trainer in a team with a manager, and one new hire 8 days late.
    await t.db.team.create({ data: { name: "Centro", manager: { create: { id: "UBOSS", role: "manager" } } } });
    const team = await t.db.team.findUniqueOrThrow({ where: { name: "Centro" } });
    await t.db.user.create({ data: { id: "UTEACH", role: "trainer", teamId: team.id } });
    await t.db.newHire.create({
      data: {
        userId: "UNEW",
        startDate: day("2026-11-01"),
        trainerId: "UTEACH",
        checkpoints: {
          create: [
            { day: 7, dueOn: day("2026-11-08") },
            { day: 30, dueOn: day("2026-12-01") },
          ],
        },
      },
    });
  });
  afterAll(async () => t?.close());

  const posts = () => t.slack.callsTo("chat.postMessage").filter((c) => !c.failed);
  const postsTo = (channel: string) => posts().filter((c) => c.args.channel === channel);
  const run = (at: Date) => deliverAfter(t, () => t.capacita.scheduler.runNow("followups", at));

  it("lists it once a day in the admin channel and to the team manager, not to each admin", async () => {
    // 15 Nov: day 7 is exactly 7 days overdue — the trainer is reminded, nobody else.
    await run(madrid("2026-11-15 09:00"));
    expect(posts().map((c) => c.args.channel)).toEqual(["UTEACH"]);

    // 16 Nov: 8 days — escalated.
    await run(madrid("2026-11-16 09:00"));
    await run(madrid("2026-11-16 18:00"));
    expect(postsTo("CADMIN")).toHaveLength(1);
    expect(postsTo("UBOSS")).toHaveLength(1);
    expect(postsTo("UADMIN")).toHaveLength(0);
    expect(postsTo("UTEACH")).toHaveLength(2);
    expect(postsTo("CADMIN")[0]!.args.text).toBe(
      "Seguimientos vencidos hace más de 7 días\n• <@UNEW> — día 7, vencido hace 8 días (formador <@UTEACH>)",
    );

    // Still overdue the next day: listed again, once.
    await run(madrid("2026-11-17 09:00"));
    expect(postsTo("CADMIN")).toHaveLength(2);
    expect(postsTo("UBOSS")).toHaveLength(2);
    expect(postsTo("CADMIN")[1]!.args.text).toContain("vencido hace 9 días");

    // Closed: no more escalations, and no DM when nothing is due.
    await t.db.checkpoint.updateMany({ where: { day: 7 }, data: { state: "reached", closedAt: new Date() } });
    const before = posts().length;
    await run(madrid("2026-11-18 09:00"));
    expect(posts()).toHaveLength(before);
  });
});
