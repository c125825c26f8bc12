// /ask and /faq over signed HTTP, with the starter FAQ store.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SEED_FILE } from "../../src/faq/evaluate.ts";
import { importCsv } from "../../src/faq/service.ts";
import { startTestApp, type TestApp, waitForCalls } from "../kit/app.ts";
import { BACKENDS } from "../kit/db.ts";

const staff = { id: "USTAFF", name: "pedro" };
const admin = { id: "UADMIN", name: "ana" };

const actionIds = (blocks: { type: string; elements?: { action_id?: string; value?: string }[] }[]) =>
  blocks.flatMap((b) => (b.type === "actions" ? (b.elements ?? []) : [])).map((e) => e.action_id);

describe.each(BACKENDS)("/ask and /faq (%s)", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
    t.slack.addUser({ id: "USTAFF", name: "pedro", locale: "es-ES", tz: "Europe/Madrid" });
    t.slack.addUser({ id: "UADMIN", name: "ana", locale: "es-ES", tz: "Europe/Madrid" });
    const imported = await importCsv(t.db, readFileSync(SEED_FILE, "utf8"));
    expect(imported).toMatchObject({ ok: true, created: 64 });
  });
  afterAll(async () => t?.close());

  it("finds the Spanish entry for a query typed without accents, privately, with feedback and share buttons", async () => {
    const res = await t.sim.command("/ask", "como se cambian los beneficiarios de un seguro de vida", staff);
    expect(res.body.response_type).toBe("ephemeral");
    expect(res.body.text).toContain("¿Cómo se cambian los beneficiarios de un seguro de vida?");
    expect(actionIds(res.body.blocks)).toEqual(expect.arrayContaining(["faq.helpful", "faq.notHelpful", "faq.share"]));
    const logged = await t.db.faqQuery.findFirst({ where: { userId: "USTAFF" }, orderBy: { id: "desc" } });
    expect(logged?.entryId).toBe("faq-014");
  });

  it("finds it despite a typo and a synonym", async () => {
    const res = await t.sim.command("/ask", "cancelar polisa", staff);
    expect(res.body.text).toMatch(/anula/i);
  });

  it("abstains on an out-of-scope question, logs it and posts it to the admins with an Answer button", async () => {
    const res = await t.sim.command("/ask", "cuál es la capital de Australia", staff);
    expect(res.body.text).toContain("No lo sé");
    const query = await t.db.faqQuery.findFirstOrThrow({ where: { text: "cuál es la capital de Australia" } });
    expect(query.entryId).toBeNull();
    await expect
      .poll(() => t.db.outboxMessage.count({ where: { key: { startsWith: `faq:unanswered:${query.id}:` } } }))
      .toBe(1);
    await t.capacita.dispatcher.drain();
    await expect
      .poll(() => t.slack.callsTo("chat.postMessage").filter((c) => c.args.channel === "UADMIN").length)
      .toBe(1);
    const notice = t.slack.callsTo("chat.postMessage").find((c) => c.args.channel === "UADMIN");
    expect(notice?.args.text).toContain("capital de Australia");
    expect(JSON.stringify(notice?.args.blocks)).toContain('"action_id":"faq.answer"');
  });

  it("turns an admin's answer into a new entry and sends it to the person who asked", async () => {
    const query = await t.db.faqQuery.findFirstOrThrow({ where: { text: "cuál es la capital de Australia" } });
    const opened = await t.sim.action(admin, "faq.answer", String(query.id));
    expect(opened.status).toBe(200);
    const view = (await waitForCalls(t.slack, "views.open")).at(-1);
    expect(view?.args.view.callback_id).toBe("faq.answerQuestion");
    const res = await t.sim.viewSubmission(
      admin,
      "faq.answerQuestion",
      {
        question: { value: { type: "plain_text_input", value: "¿Cuál es la capital de Australia?" } },
        answer: { value: { type: "plain_text_input", value: "Canberra." } },
        tags: { value: { type: "plain_text_input", value: "geografía; curiosidades" } },
        locale: { value: { type: "static_select", selected_option: { value: "es" } } },
      },
      { privateMetadata: view?.args.view.private_metadata },
    );
    expect(res.status).toBe(200);
    const entry = await t.db.faqEntry.findFirstOrThrow({ where: { answer: "Canberra." } });
    expect(entry.tags).toEqual(["geografía", "curiosidades"]);
    expect((await t.db.faqQuery.findUniqueOrThrow({ where: { id: query.id } })).answeredAt).not.toBeNull();
    // The DM is stored after the modal is acknowledged: deliver once it is there.
    await expect
      .poll(async () => (await t.db.outboxMessage.count({ where: { key: `faq:answered:${query.id}` } })) === 1)
      .toBe(true);
    await t.capacita.dispatcher.drain();
    const dmTo = () => t.slack.callsTo("chat.postMessage").filter((c) => c.args.channel === "USTAFF" && !c.failed);
    await expect.poll(() => dmTo().length).toBe(1);
    expect(dmTo()[0]?.args.text).toContain("Canberra.");
    // Asked again, it is now known.
    const again = await t.sim.command("/ask", "capital de australia", staff);
    expect(again.body.text).toContain("Canberra.");
  });

  it("lets an admin answer with an entry the store has, and the search learns that way of asking", async () => {
    const asked = "mi cliente se ha quedado sin trabajo y no puede pagar";
    const first = await t.sim.command("/ask", asked, staff);
    expect(first.body.text).toContain("No lo sé");
    const query = await t.db.faqQuery.findFirstOrThrow({ where: { text: asked } });

    // The answer modal offers the entries closest to the question, each with "Usar esta".
    const opened = () => t.slack.callsTo("views.open").filter((c) => c.args.view.callback_id === "faq.answerQuestion");
    const before = opened().length;
    await t.sim.action(admin, "faq.answer", String(query.id));
    await expect.poll(() => opened().length).toBe(before + 1);
    const modal = [...t.slack.views.values()].filter((v) => v.callback_id === "faq.answerQuestion").at(-1);
    const blocks = (modal?.blocks ?? []) as { accessory?: { action_id: string; value: string } }[];
    const offered = blocks
      .map((b) => b.accessory)
      .filter((a) => a?.action_id === "faq.useEntry")
      .map((a) => JSON.parse(a?.value ?? "{}").entryId);
    expect(offered).toContain("faq-006");

    // A staff member's crafted click is refused and links nothing.
    const value = JSON.stringify({ queryId: query.id, entryId: "faq-006" });
    await t.sim.action(staff, "faq.useEntry", value, { view: modal });
    const refused = await waitForCalls(t.slack, "views.update");
    expect(JSON.stringify(refused.at(-1)?.args.view)).toContain("No tienes permiso");
    expect((await t.db.faqQuery.findUniqueOrThrow({ where: { id: query.id } })).entryId).toBeNull();

    const updates = t.slack.callsTo("views.update").length;
    const res = await t.sim.action(admin, "faq.useEntry", value, { view: modal });
    expect(res.status).toBe(200);
    await expect.poll(() => t.slack.callsTo("views.update").length).toBe(updates + 1);
    expect(JSON.stringify(t.slack.callsTo("views.update").at(-1)?.args.view)).toContain("faq-006");
    expect(await t.db.faqQuery.findUniqueOrThrow({ where: { id: query.id } })).toMatchObject({
      entryId: "faq-006",
      answeredBy: "UADMIN",
    });

    // The asker gets faq-006's answer by DM, once.
    await expect
      .poll(async () => (await t.db.outboxMessage.count({ where: { key: `faq:answered:${query.id}` } })) === 1)
      .toBe(true);
    await t.capacita.dispatcher.drain();
    const entry = await t.db.faqEntry.findUniqueOrThrow({ where: { id: "faq-006" } });
    const dm = () =>
      t.slack
        .callsTo("chat.postMessage")
        .filter((c) => c.args.channel === "USTAFF" && !c.failed && String(c.args.text).includes(asked));
    await expect.poll(() => dm().length).toBe(1);
    expect(dm()[0]?.args.text).toContain(entry.answer.slice(0, 40));

    // Answered once: a second click says so and changes nothing.
    await t.sim.action(admin, "faq.useEntry", JSON.stringify({ queryId: query.id, entryId: "faq-005" }), {
      view: modal,
    });
    await expect.poll(() => t.slack.callsTo("views.update").length).toBe(updates + 2);
    expect(JSON.stringify(t.slack.callsTo("views.update").at(-1)?.args.view)).toContain("ya tiene respuesta");
    expect((await t.db.faqQuery.findUniqueOrThrow({ where: { id: query.id } })).entryId).toBe("faq-006");

    // Asked that way again (by anyone), /ask now answers with faq-006.
    const again = await t.sim.command("/ask", "se ha quedado sin trabajo y no puede pagar", staff);
    expect(again.body.text).toContain(entry.question);
  });

  it("lets an admin mark a question as not for the FAQ: it leaves the list, and /ask says it doesn't know to questions like it", async () => {
    // Close to the entry on waiting periods, but about a treatment no entry mentions: answered wrongly today.
    const near = "carencias del seguro de salud para la hidroterapia";
    const wrong = await t.sim.command("/ask", near, staff);
    expect(wrong.body.text).not.toContain("No lo sé");

    const asked = "el seguro de salud paga las sesiones de hidroterapia";
    expect((await t.sim.command("/ask", asked, staff)).body.text).toContain("No lo sé");
    const query = await t.db.faqQuery.findFirstOrThrow({ where: { text: asked } });
    await expect
      .poll(() => t.db.outboxMessage.count({ where: { key: { startsWith: `faq:unanswered:${query.id}:` } } }))
      .toBe(1);
    await t.capacita.dispatcher.drain();
    const noticeOf = () => t.slack.callsTo("chat.postMessage").find((c) => String(c.args.text).includes(asked));
    await expect.poll(() => noticeOf() !== undefined).toBe(true);
    const posted = noticeOf();
    expect(actionIds(posted?.args.blocks)).toEqual(["faq.answer", "faq.outOfScope"]);

    let seq = 0;
    const click = async (user: typeof staff, actionId = "faq.outOfScope") => {
      const id = `oos${++seq}`;
      const res = await t.sim.action(user, actionId, String(query.id), { responseUrl: t.slack.responseUrl(id) });
      expect(res.status).toBe(200);
      await expect.poll(() => t.slack.calls.some((c) => c.method === "response_url" && c.responseId === id)).toBe(true);
      return t.slack.calls.find((c) => c.method === "response_url" && c.responseId === id)?.args ?? {};
    };
    const stored = () => t.db.faqQuery.findUniqueOrThrow({ where: { id: query.id } });
    // Staff may not; nothing changes.
    const refused = await click(staff);
    expect(refused).toMatchObject({ response_type: "ephemeral", replace_original: false });
    expect(String(refused.text)).toContain("No tienes permiso");
    expect(await stored()).toMatchObject({ outOfScope: false });

    // The admin's notice is replaced by what was done, with Undo; the question is no longer open.
    const marked = { outOfScope: true, answeredBy: "UADMIN", entryId: null };
    const done = await click(admin);
    expect(done.replace_original).toBe(true);
    expect(String(done.text)).toContain("no es de la FAQ");
    expect(JSON.stringify(done.blocks)).toContain('"action_id":"faq.reopen"');
    expect(await stored()).toMatchObject(marked);
    // Undo opens it again and gives the notice its buttons back; marked again, it stays so.
    const undone = await click(admin, "faq.reopen");
    expect(undone.replace_original).toBe(true);
    expect(actionIds(undone.blocks as never)).toEqual(["faq.answer", "faq.outOfScope"]);
    expect(await stored()).toMatchObject({ outOfScope: false, answeredBy: null, answeredAt: null });
    expect(JSON.stringify((await t.sim.command("/faq", "unanswered", admin)).body)).toContain("hidroterapia");
    expect(String((await click(admin, "faq.reopen")).text)).toContain("no está marcada");
    await click(admin);
    expect(await stored()).toMatchObject(marked);
    const list = await t.sim.command("/faq", "unanswered", admin);
    expect(JSON.stringify(list.body)).not.toContain("hidroterapia");
    // Once only: a second click (another admin's copy of the notice) says it was handled.
    expect(String((await click(admin)).text)).toContain("ya tiene respuesta");

    // The search now knows that question: the near one says "I don't know" rather than guess.
    expect((await t.sim.command("/ask", near, staff)).body.text).toContain("No lo sé");
  });

  it("lets an admin mark a question as not for the FAQ from /faq unanswered, and undo it there", async () => {
    // More open questions than a message's 50 blocks could show two blocks each.
    await t.db.faqQuery.createMany({
      data: Array.from({ length: 30 }, (_, i) => ({ text: `pregunta sin respuesta ${i}`, userId: "USTAFF" })),
    });
    const asked = "cuanto cuesta el aparcamiento de la oficina por meses";
    expect((await t.sim.command("/ask", asked, staff)).body.text).toContain("No lo sé");
    const query = await t.db.faqQuery.findFirstOrThrow({ where: { text: asked } });
    type Block = { type: string; block_id?: string; elements?: { action_id?: string; value?: string }[] };
    const rowOf = (blocks: Block[] = []) => blocks.find((b) => b.block_id === `faq.list.${query.id}`);
    const list = await t.sim.command("/faq", "unanswered", admin);
    expect(list.body.response_type).toBe("ephemeral");
    // All the open questions are counted; the 20 newest are shown, two blocks each, within a message's 50.
    const open = await t.db.faqQuery.count({ where: { entryId: null, answeredAt: null } });
    expect(open).toBeGreaterThan(30);
    expect(list.body.text).toContain(`Preguntas sin respuesta (${open})`);
    expect(JSON.stringify(list.body.blocks)).toContain(`Se muestran las 20 más recientes de ${open}`);
    expect(list.body.blocks.length).toBeLessThanOrEqual(50);
    expect(rowOf(list.body.blocks)?.elements?.map((e) => e.action_id)).toEqual(["faq.answer", "faq.list.outOfScope"]);

    let seq = 0;
    const click = async (user: typeof staff, actionId: string) => {
      const id = `list${++seq}`;
      const res = await t.sim.action(user, actionId, String(query.id), { responseUrl: t.slack.responseUrl(id) });
      expect(res.status).toBe(200);
      await expect.poll(() => t.slack.calls.some((c) => c.method === "response_url" && c.responseId === id)).toBe(true);
      return (t.slack.calls.find((c) => c.method === "response_url" && c.responseId === id)?.args ?? {}) as {
        text?: string;
        blocks?: Block[];
        replace_original?: boolean;
      };
    };
    const stored = () => t.db.faqQuery.findUniqueOrThrow({ where: { id: query.id } });
    expect(String((await click(staff, "faq.list.outOfScope")).text)).toContain("No tienes permiso");
    expect(await stored()).toMatchObject({ outOfScope: false });

    // The list comes back without the question, headed by what was done and its Undo.
    const done = await click(admin, "faq.list.outOfScope");
    expect(done.replace_original).toBe(true);
    expect(String(done.text)).toContain("no es de la FAQ");
    expect(rowOf(done.blocks)).toBeUndefined();
    expect(JSON.stringify(done.blocks)).toContain('"action_id":"faq.list.reopen"');
    expect(done.blocks?.length).toBeLessThanOrEqual(50);
    expect(await stored()).toMatchObject({ outOfScope: true, answeredBy: "UADMIN" });
    // A second click (an older copy of the list) says why nothing was done, over the list as it is now.
    const again = await click(admin, "faq.list.outOfScope");
    expect(again.replace_original).toBe(true);
    expect(String(again.text)).toContain("ya tiene respuesta");
    expect(rowOf(again.blocks)).toBeUndefined();

    // Undo: the question is open again and back in the list with its buttons.
    const undone = await click(admin, "faq.list.reopen");
    expect(undone.replace_original).toBe(true);
    expect(rowOf(undone.blocks)?.elements?.map((e) => e.action_id)).toEqual(["faq.answer", "faq.list.outOfScope"]);
    expect(await stored()).toMatchObject({ outOfScope: false, answeredBy: null });
  });

  it("records feedback once per person and question; clicking again changes it", async () => {
    const res = await t.sim.command("/ask", "cuantos dias de gracia hay para pagar un recibo", staff);
    const queryId = res.body.blocks
      .flatMap((b: { elements?: { action_id: string; value: string }[] }) => b.elements ?? [])
      .find((e: { action_id: string }) => e.action_id === "faq.helpful").value;
    // Each click answers through its response_url: wait for these three, not for earlier tests' replies.
    const replied = t.slack.callsTo("response_url").filter((c) => !c.failed).length;
    await t.sim.action(staff, "faq.helpful", queryId);
    await t.sim.action(staff, "faq.helpful", queryId);
    await t.sim.action(staff, "faq.notHelpful", queryId);
    await waitForCalls(t.slack, "response_url", replied + 3);
    const rows = await t.db.faqFeedback.findMany({ where: { queryId: Number(queryId) } });
    expect(rows).toEqual([expect.objectContaining({ userId: "USTAFF", helpful: false })]);
  });

  it("refuses /faq to staff and writes nothing", async () => {
    const before = await t.db.faqEntry.count();
    const res = await t.sim.command("/faq", "add Pregunta | Respuesta", staff);
    expect(res.body.text).toContain("No tienes permiso");
    const crafted = await t.sim.action(staff, "faq.answer", "1");
    expect(crafted.status).toBe(200);
    expect(await t.db.faqEntry.count()).toBe(before);
  });

  it("lets an admin give an entry other ways to ask in its form, and /ask then finds it by them", async () => {
    const asked = "se me acabó el tóner y no tengo cuartillas";
    const before = await t.sim.command("/ask", asked, staff);
    expect(before.body.text).toContain("No lo sé con seguridad");
    const opened = t.slack.callsTo("views.open").filter((c) => !c.failed).length;
    await t.sim.command("/faq", "edit faq-061", admin);
    const view = (await waitForCalls(t.slack, "views.open", opened + 1)).at(-1)?.args.view;
    expect(view?.callback_id).toBe("faq.edit");
    const field = view?.blocks.find((b: { block_id?: string }) => b.block_id === "variants");
    expect(field?.label.text).toBe("Otras formas de preguntarlo");
    const entry = await t.db.faqEntry.findUniqueOrThrow({ where: { id: "faq-061" } });
    const submit = (variants: string) =>
      t.sim.viewSubmission(
        admin,
        "faq.edit",
        {
          question: { value: { type: "plain_text_input", value: entry.question } },
          answer: { value: { type: "plain_text_input", value: entry.answer } },
          tags: { value: { type: "plain_text_input", value: entry.tags.join("; ") } },
          locale: { value: { type: "static_select", selected_option: { value: entry.locale } } },
          variants: { value: { type: "plain_text_input", value: variants } },
        },
        { privateMetadata: view?.private_metadata },
      );

    const tooMany = await submit(Array.from({ length: 31 }, (_, i) => `forma ${i}`).join("\n"));
    expect(tooMany.body).toEqual({
      response_action: "errors",
      errors: {
        variants: "Hasta 30 formas de preguntarlo, una por línea, de hasta 500 caracteres cada una y 3.000 en total.",
      },
    });
    expect((await t.db.faqEntry.findUniqueOrThrow({ where: { id: "faq-061" } })).variants).toEqual([]);

    const saved = await submit(`pedir cuartillas, bolígrafos o tóner\n\n  se acabó el material de oficina  \n`);
    expect(saved.status).toBe(200);
    expect((await t.db.faqEntry.findUniqueOrThrow({ where: { id: "faq-061" } })).variants).toEqual([
      "pedir cuartillas, bolígrafos o tóner",
      "se acabó el material de oficina",
    ]);
    const after = await t.sim.command("/ask", asked, staff);
    expect(after.body.blocks?.[0]?.text?.text).toContain(entry.question);
  });

  it("lets admins add, list by tag, and remove entries; bad input gets the right form", async () => {
    const added = await t.sim.command(
      "/faq",
      "add ¿Dónde aparco en la oficina? | En el parking de la planta -1. | parking; oficina",
      admin,
    );
    expect(added.body.text).toMatch(/Entrada \*faq-[0-9a-f]{8}\* creada/);
    const id = /faq-[0-9a-f]{8}/.exec(added.body.text)?.[0] as string;
    const listed = await t.sim.command("/faq", "list PARKING", admin);
    expect(listed.body.text).toContain("¿Dónde aparco en la oficina?");
    const bad = await t.sim.command("/faq", "add ? | ", admin);
    expect(bad.body.text).toContain("Forma correcta: `/faq add");
    const bare = await t.sim.command("/faq", "  ", admin);
    expect(bare.body.text).toContain("`/faq unanswered`");
    expect(bare.body.text).not.toContain("No conozco");
    const removed = await t.sim.command("/faq", `remove ${id}`, admin);
    expect(removed.body.text).toContain(id);
    expect(await t.db.faqEntry.findUnique({ where: { id } })).toBeNull();
  });
});
