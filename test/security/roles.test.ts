// Every state-changing command, button and modal checks the actor's role on the server
// (SPEC §1, issue 9): a person whose role lacks the permission gets a private refusal and
// the database does not change — even with a well-formed request crafted by hand. Each case
// ends with the right role doing the same thing, so the refusal is known to be the role's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../kit/app.ts";
import {
  changedTables,
  type Driver,
  isRefusal,
  matchesAny,
  type Outcome,
  type RoleName,
  replyOf,
  startRoleMatrix,
  userFor,
} from "../kit/fuzz.ts";

type Send = (d: Driver, role: RoleName) => Promise<Outcome>;
interface Case {
  what: string;
  denied: RoleName[];
  allowed: RoleName;
  send: Send;
}

const command =
  (cmd: string, text: string | (() => string)): Send =>
  (d, role) =>
    d.command(cmd, typeof text === "function" ? text() : text, userFor(role));
const button =
  (actionId: string, value: string | (() => string)): Send =>
  (d, role) =>
    d.action(userFor(role), actionId, typeof value === "function" ? value() : value);
const modal =
  (callbackId: string, values: Record<string, object>, metadata?: string | (() => string)): Send =>
  (d, role) => {
    const state: Record<string, Record<string, object>> = {};
    for (const [block, element] of Object.entries(values)) state[block] = { value: element };
    return d.submit(userFor(role), callbackId, state, typeof metadata === "function" ? metadata() : metadata);
  };

const input = (value: string | null) => ({ type: "plain_text_input", value });
const select = (value: string) => ({
  type: "static_select",
  selected_option: { text: { type: "plain_text", text: value }, value },
});
const faqValues = (question: string) => ({
  question: input(question),
  answer: input("Con el formulario correspondiente."),
  tags: input("seguridad"),
  locale: select("es"),
});

/** Refused privately (in the reply, or inline in the modal), nothing written, nothing posted or opened. */
function expectRefused(o: Outcome, what: string): void {
  const texts = [...o.replies.map((r) => r.text), ...Object.values(o.viewErrors)];
  expect(texts.length, what).toBeGreaterThan(0);
  expect(texts.every(isRefusal), `${what}: ${JSON.stringify(texts)}`).toBe(true);
  for (const r of o.replies) expect(r.payload.response_type ?? "ephemeral", what).toBe("ephemeral");
  expect(o.opened, what).toEqual([]);
  expect(o.crashes, what).toEqual([]);
  expect(changedTables(o.before, o.after), what).toEqual([]);
}

describe("roles are checked on the server for every change (embedded)", () => {
  let t: TestApp;
  let d: Driver;
  /** Ids of the things the cases act on, found once the fixtures exist. */
  const ids = { session: 0, otherSession: 0, checkpoint: 0, unanswered: 0, answered: 0 };

  beforeAll(async () => {
    ({ t, d } = await startRoleMatrix(["C1", "CFORM", "CKPI"]));
    await d.command("/training", "new Producto | 2026-12-03 09:30 | 90 | <#CFORM|formacion>", userFor("trainer"));
    await d.command("/training", "new Cierre | 2026-12-04 09:30 | 60 | <#CFORM|formacion>", userFor("admin"));
    await d.command("/newhire", "<@UHIRE1|nuevo> 2026-11-10", userFor("trainer"));
    await d.command("/faq", "add ¿Cómo anulo una póliza? | Con el formulario A-12. | pólizas | es", userFor("admin"));
    await d.command("/ask", "cuál es la capital de Australia", userFor("staff"));
    await d.command("/ask", "cómo anulo una póliza", userFor("staff"));
    await d.command("/kpi", "subscribe <#CKPI|kpi>", userFor("admin"));
    ids.session = (await t.db.trainingSession.findFirstOrThrow({ where: { title: "Producto" } })).id;
    ids.otherSession = (await t.db.trainingSession.findFirstOrThrow({ where: { title: "Cierre" } })).id;
    ids.checkpoint = (await t.db.checkpoint.findFirstOrThrow({ orderBy: { id: "asc" } })).id;
    ids.unanswered = (await t.db.faqQuery.findFirstOrThrow({ where: { entryId: null } })).id;
    ids.answered = (await t.db.faqQuery.findFirstOrThrow({ where: { entryId: { not: null } } })).id;
  });
  afterAll(async () => t?.close());

  const faqId = async () => (await t.db.faqEntry.findFirstOrThrow({ orderBy: { createdAt: "asc" } })).id;
  let entryId = "";

  const cases: Case[] = [
    // /capacita (admin)
    {
      what: "/capacita role",
      denied: ["staff", "trainer", "manager"],
      allowed: "admin",
      send: command("/capacita", "role <@UHIRE1|nuevo> trainer"),
    },
    {
      what: "/capacita team",
      denied: ["staff", "trainer", "manager"],
      allowed: "admin",
      send: command("/capacita", "team <@UHIRE1|nuevo> Norte"),
    },
    {
      what: "/capacita manager",
      denied: ["staff", "trainer", "manager"],
      allowed: "admin",
      send: command("/capacita", "manager Norte <@UMGR|luis>"),
    },
    // training (trainer, admin)
    {
      what: "/training new",
      denied: ["staff", "manager"],
      allowed: "trainer",
      send: command("/training", "new Seguridad | 2026-12-10 16:00 | 60 | <#CFORM|formacion> | Sala 1 | other"),
    },
    {
      what: "training.new modal",
      denied: ["staff", "manager"],
      allowed: "trainer",
      send: modal("training.new", {
        title: input("Técnicas de cierre"),
        kind: select("sales-skills"),
        date: { type: "datepicker", selected_date: "2026-12-11" },
        time: { type: "timepicker", selected_time: "16:00" },
        duration: { type: "number_input", value: "60" },
        place: input(null),
        channel: { type: "conversations_select", selected_conversation: "CFORM" },
        capacity: { type: "number_input", value: null },
        description: input(null),
      }),
    },
    {
      what: "/training cancel",
      denied: ["staff", "manager"],
      allowed: "trainer",
      send: command("/training", () => `cancel ${ids.session}`),
    },
    {
      what: "training.cancel button",
      denied: ["staff", "manager"],
      allowed: "admin",
      send: button("training.cancel", () => String(ids.otherSession)),
    },
    // new hires (trainer, admin)
    {
      what: "/newhire add",
      denied: ["staff", "manager"],
      allowed: "trainer",
      send: command("/newhire", "<@UHIRE2|otro> 2026-11-16"),
    },
    {
      what: "/newhire left",
      denied: ["staff", "manager"],
      allowed: "trainer",
      send: command("/newhire", "left <@UHIRE2|otro> 2026-11-19"),
    },
    // follow-ups (trainer, manager, admin)
    {
      what: "/followup done",
      denied: ["staff"],
      allowed: "trainer",
      send: command("/followup", () => `done ${ids.checkpoint} llamada hecha`),
    },
    {
      what: "followups.log button",
      denied: ["staff"],
      allowed: "trainer",
      send: button("followups.log", () => String(ids.checkpoint + 1)),
    },
    {
      what: "followups.log modal",
      denied: ["staff"],
      allowed: "trainer",
      send: modal("followups.log", { outcome: select("reached"), notes: input("bien") }, () =>
        JSON.stringify({ checkpointId: ids.checkpoint + 1 }),
      ),
    },
    // FAQ (admin)
    {
      what: "/faq add",
      denied: ["staff", "trainer", "manager"],
      allowed: "admin",
      send: command("/faq", "add ¿Dónde aparco? | En la planta -1. | parking | es"),
    },
    {
      what: "faq.add modal",
      denied: ["staff", "trainer", "manager"],
      allowed: "admin",
      send: modal("faq.add", faqValues("¿Dónde está la sala 2?")),
    },
    {
      what: "faq.edit modal",
      denied: ["staff", "trainer", "manager"],
      allowed: "admin",
      send: modal("faq.edit", faqValues("¿Cómo se anula una póliza?"), () => JSON.stringify({ id: entryId })),
    },
    {
      what: "/faq edit",
      denied: ["staff", "trainer", "manager"],
      allowed: "admin",
      send: command("/faq", () => `edit ${entryId}`),
    },
    {
      what: "faq.answer button",
      denied: ["staff", "trainer", "manager"],
      allowed: "admin",
      send: button("faq.answer", () => String(ids.unanswered)),
    },
    {
      what: "faq.answerQuestion modal",
      denied: ["staff", "trainer", "manager"],
      allowed: "admin",
      send: modal("faq.answerQuestion", faqValues("¿Cuál es la capital de Australia?"), () =>
        JSON.stringify({ queryId: ids.unanswered }),
      ),
    },
    {
      what: "/faq remove",
      denied: ["staff", "trainer", "manager"],
      allowed: "admin",
      send: command("/faq", () => `remove ${entryId}`),
    },
    // KPI digest subscriptions (manager, admin)
    {
      what: "/kpi subscribe",
      denied: ["staff", "trainer"],
      allowed: "manager",
      send: command("/kpi", "subscribe <#C1|general>"),
    },
    {
      what: "/kpi unsubscribe",
      denied: ["staff", "trainer"],
      allowed: "manager",
      send: command("/kpi", "unsubscribe <#CKPI|kpi>"),
    },
  ];

  for (const c of cases) {
    it(`${c.what}: refused to ${c.denied.join(", ")}; done by ${c.allowed}`, async () => {
      entryId = await faqId();
      for (const role of c.denied) expectRefused(await c.send(d, role), `${c.what} as ${role}`);
      // The same request from the right role goes through: the refusal above was the role's.
      const ok = await c.send(d, c.allowed);
      const what = `${c.what} as ${c.allowed}: ${JSON.stringify(ok.replies.map((r) => r.text))} ${JSON.stringify(ok.viewErrors)}`;
      expect(ok.crashes, what).toEqual([]);
      expect(ok.replies.some((r) => isRefusal(r.text)) || Object.keys(ok.viewErrors).length > 0, what).toBe(false);
      expect(changedTables(ok.before, ok.after).length + ok.opened.length, what).toBeGreaterThan(0);
    });
  }

  // Beyond the role: the right role, but not their session or their new hire.
  it("a trainer cannot cancel another trainer's session, by command or by button", async () => {
    await d.command("/training", "new Ajena | 2026-12-05 09:30 | 60 | <#CFORM|formacion>", userFor("admin"));
    const id = (await t.db.trainingSession.findFirstOrThrow({ where: { title: "Ajena" } })).id;
    for (const o of [
      await d.command("/training", `cancel ${id}`, userFor("trainer")),
      await d.action(userFor("trainer"), "training.cancel", String(id)),
    ]) {
      expect(o.replies.map((r) => matchesAny(r.text, replyOf("training.error.notYours")))).toEqual([true]);
      expect(changedTables(o.before, o.after)).toEqual([]);
    }
  });

  it("a trainer cannot log another trainer's follow-up, by command or by modal", async () => {
    await d.command("/newhire", "<@UHIRE3|tercero> 2026-11-12 <@UADMIN|ana>", userFor("admin"));
    const hire = await t.db.newHire.findUniqueOrThrow({ where: { userId: "UHIRE3" }, include: { checkpoints: true } });
    const checkpoint = hire.checkpoints[0]!.id;
    const byCommand = await d.command("/followup", `done ${checkpoint}`, userFor("trainer"));
    expect(byCommand.replies.map((r) => matchesAny(r.text, replyOf("followups.error.forbidden")))).toEqual([true]);
    const byModal = await d.submit(
      userFor("trainer"),
      "followups.log",
      { outcome: { value: select("reached") } },
      JSON.stringify({ checkpointId: checkpoint }),
    );
    expect(Object.values(byModal.viewErrors).map((e) => matchesAny(e, replyOf("followups.error.forbidden")))).toEqual([
      true,
    ]);
    for (const o of [byCommand, byModal]) expect(changedTables(o.before, o.after)).toEqual([]);
  });

  it("nobody shares someone else's question in a channel", async () => {
    const o = await d.action(userFor("manager"), "faq.share", String(ids.answered));
    expect(o.replies.map((r) => matchesAny(r.text, replyOf("faq.error.noQuestion")))).toEqual([true]);
    expect(changedTables(o.before, o.after)).toEqual([]);
  });
});
