// Property-based tests over every button and modal the app registers (issue 9, SPEC §1, §11):
// crafted block_actions values and view_submission states/metadata, from every role. Never a
// 500 or a stack trace, public messages are never replaced, refusals and invalid submissions
// write nothing, and a modal acknowledged without errors did what it was for.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { en } from "../../src/core/i18n/en.ts";
import { es } from "../../src/core/i18n/es.ts";
import type { Permission } from "../../src/core/roles.ts";
import type { SlackCall } from "../../src/core/slack-double.ts";
import { importCsv } from "../../src/faq/service.ts";
import type { TestApp } from "../kit/app.ts";
import {
  anyText,
  changedTables,
  checkDenied,
  type Driver,
  dates,
  expectSound,
  fragment,
  numbers,
  pick,
  ROLE_NAMES,
  type RoleName,
  runs,
  sqlish,
  startRoleMatrix,
  type Table,
  userFor,
  words,
} from "../kit/fuzz.ts";

/**
 * Every action id the app listens to: what the features register with the Router's `app.action`
 * (src/core/router.ts), by id or pattern. Privileged ones name their permission.
 */
const ACTIONS: { id: string; permission?: Permission; opens?: string }[] = [
  { id: "training.rsvp.yes" },
  { id: "training.rsvp.no" },
  { id: "training.roster", permission: "training.manage" },
  { id: "training.cancel", permission: "training.manage" },
  ...[1, 2, 3, 4, 5].map((n) => ({ id: `training.rate.${n}` })),
  { id: "followups.log", permission: "followups.manage", opens: "followups.log" },
  { id: "faq.helpful" },
  { id: "faq.notHelpful" },
  { id: "faq.share" },
  ...[0, 1, 2].map((n) => ({ id: `faq.related.${n}` })),
  { id: "faq.answer", permission: "faq.manage", opens: "faq.answerQuestion" },
  { id: "faq.useEntry", permission: "faq.manage" },
];

type Field = "value" | "selected_option" | "selected_date" | "selected_time" | "selected_conversation";
interface Input {
  field: Field;
  type: string;
  valid: fc.Arbitrary<string | null>;
}
interface ModalCase {
  callbackId: string;
  permission: Permission;
  inputs: Record<string, Input>;
  metadata: fc.Arbitrary<string>;
  /** What an acknowledged (no errors) submission must have written. */
  writes: Table[];
  /** Fewer for the modals after which the Home is published again (a few hundred ms each). */
  runs: number;
}

/** A crafted element: what Slack would send, or any shape at all. */
function element(input: Input): fc.Arbitrary<object> {
  const wrap = (v: unknown) =>
    input.field === "selected_option"
      ? { type: input.type, selected_option: v === null ? null : { text: { type: "plain_text", text: "x" }, value: v } }
      : { type: input.type, [input.field]: v };
  return fc.oneof(
    { weight: 6, arbitrary: input.valid.map(wrap) },
    { weight: 2, arbitrary: fc.oneof(fragment, anyText, sqlish, dates, numbers).map(wrap) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(fc.constant(null), fc.integer(), fc.boolean(), fc.constant({}), fc.constant([]), fc.jsonValue())
        .map(wrap),
    },
    { weight: 1, arbitrary: fc.constant({ type: input.type }) },
    { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 })) },
  );
}

/** A view state: each known block present (mostly), missing, or under another action id; plus strangers. */
function stateValues(inputs: Record<string, Input>): fc.Arbitrary<Record<string, Record<string, object>>> {
  const blocks = Object.entries(inputs).map(([blockId, input]) =>
    fc
      .tuple(
        fc.oneof(
          { weight: 8, arbitrary: fc.constant("present") },
          { weight: 1, arbitrary: fc.constant("missing") },
          { weight: 1, arbitrary: fc.constant("elsewhere") },
        ),
        element(input),
      )
      .map(([how, el]) => [blockId, how, el] as const),
  );
  return fc
    .tuple(
      fc.tuple(...blocks),
      fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.constant({ value: { type: "x", value: "y" } }), {
        maxKeys: 2,
      }),
    )
    .map(([entries, strangers]) => {
      const values: Record<string, Record<string, object>> = { ...strangers };
      for (const [blockId, how, el] of entries) {
        if (how === "present") values[blockId] = { value: el };
        else if (how === "elsewhere") values[blockId] = { other: el };
      }
      return values;
    });
}

const jsonish = (valid: fc.Arbitrary<object>) =>
  fc.oneof(
    { weight: 6, arbitrary: valid.map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.constantFrom("", "null", "[]", "{}", '""', "0", "true") },
  );

describe("fuzzing buttons and modals (embedded)", () => {
  let t: TestApp;
  let d: Driver;
  let code = "ABCDEF";

  beforeAll(async () => {
    ({ t, d } = await startRoleMatrix(["C1", "CFORM"]));
    const trainer = userFor("trainer");
    const staff = userFor("staff");
    // Sessions 1 (trainer's, future) and 2 (admin's, open now, the staff member signed in), FAQ entries,
    // answered and unanswered questions, a new hire with open follow-ups.
    await d.command("/training", "new Producto Vida | 2026-12-03 09:30 | 90 | <#CFORM|formacion> | product", trainer);
    await d.command("/training", "new Inducción | 2026-11-20 10:05 | 60 | <#C1|general>", userFor("admin"));
    code = (await t.db.trainingSession.findFirstOrThrow({ where: { channelId: "C1" } })).code;
    await d.command("/signin", code, staff);
    const faq = await importCsv(
      t.db,
      "id,question,answer,tags,locale\n" +
        "faq-001,¿Cómo anulo una póliza?,Con el formulario A-12.,anulación;pólizas,es\n" +
        "faq-002,¿Cómo cambio un beneficiario de la póliza?,Con el formulario B-3.,beneficiarios,es\n" +
        "faq-003,¿Cuántos días de gracia hay para un recibo?,Treinta días.,recibos,es\n",
    );
    expect(faq.ok).toBe(true);
    await d.command("/ask", "como anulo una poliza", staff);
    await d.command("/ask", "capital de australia", staff);
    await d.command("/ask", "cuantos dias de gracia hay", userFor("manager"));
    await d.command("/newhire", "<@UHIRE1|nuevo> 2026-11-10", trainer);
    expect(await t.db.trainingSession.count()).toBe(2);
    expect(await t.db.faqQuery.count()).toBe(3);
    expect(await t.db.checkpoint.count()).toBeGreaterThan(0);
  });
  afterAll(async () => t?.close());

  const smallIds = fc.integer({ min: 1, max: 6 }).map(String);
  const values = () =>
    fc.oneof(
      { weight: 4, arbitrary: smallIds },
      { weight: 2, arbitrary: fc.tuple(smallIds, fc.integer({ min: 0, max: 6 })).map(([a, b]) => `${a}:${b}`) },
      { weight: 2, arbitrary: pick("faq-001", "faq-002", "faq-999", code, "", " 1", "1 ", "#1", "1:5:5", "-1") },
      { weight: 2, arbitrary: numbers },
      { weight: 2, arbitrary: fragment },
      { weight: 1, arbitrary: anyText },
    );

  it("block_actions: any value on any registered button, from any role", async () => {
    await fc.assert(
      fc.asyncProperty(
        pick(...ROLE_NAMES),
        pick(...ACTIONS),
        values(),
        pick("C1", "CFORM", "DUSTAFF", "CNOPE"),
        async (role: RoleName, action, value, channelId) => {
          const what = `${action.id} ${JSON.stringify(value)} in ${channelId} as ${role}`;
          const o = await d.action(userFor(role), action.id, value, { channelId });
          expectSound(o, what);
          expect(o.replies.length + o.opened.length, what).toBeGreaterThan(0);
          // The message a button sits on (a public notice) is never replaced; only the rating DM is.
          for (const r of o.replies.filter((r) => r.via === "response_url"))
            if (!action.id.startsWith("training.rate.")) expect(r.payload.replace_original, what).toBe(false);
          const changed = changedTables(o.before, o.after);
          if (checkDenied(role, action.permission, o, what)) expect(o.opened, what).toEqual([]);
          if (action.opens) for (const v of o.opened) expect(v.view.callback_id, what).toBe(action.opens);
          // Buttons that only show or open something write nothing.
          if (
            ["training.roster", "followups.log", "faq.share", "faq.answer"].includes(action.id) ||
            /related/.test(action.id)
          )
            expect(changed, what).toEqual([]);
        },
      ),
      runs(300),
    );
  }, 120_000);

  const day = fc
    .integer({ min: -3, max: 60 })
    .map((n) => new Date(Date.UTC(2026, 10, 20 + n)).toISOString().slice(0, 10));
  const text = (n: number) => fc.oneof(words(n), fc.constant(null));

  const modals = (): ModalCase[] => [
    {
      callbackId: "training.new",
      permission: "training.manage",
      inputs: {
        title: { field: "value", type: "plain_text_input", valid: words(150) },
        kind: {
          field: "selected_option",
          type: "static_select",
          valid: pick("induction", "product", "sales-skills", "pre-director", "other"),
        },
        date: { field: "selected_date", type: "datepicker", valid: day },
        time: { field: "selected_time", type: "timepicker", valid: pick("09:00", "16:30", "23:59", "00:00") },
        duration: { field: "value", type: "number_input", valid: fc.integer({ min: 5, max: 600 }).map(String) },
        place: { field: "value", type: "plain_text_input", valid: text(300) },
        channel: { field: "selected_conversation", type: "conversations_select", valid: pick("C1", "CFORM", "CNEW") },
        capacity: {
          field: "value",
          type: "number_input",
          valid: fc.oneof(fc.integer({ min: 1, max: 50 }).map(String), fc.constant(null)),
        },
        description: { field: "value", type: "plain_text_input", valid: text(2000) },
      },
      metadata: fc.oneof(fc.constant(""), fragment),
      writes: ["TrainingSession"],
      runs: 150,
    },
    {
      callbackId: "followups.log",
      permission: "followups.manage",
      inputs: {
        outcome: { field: "selected_option", type: "static_select", valid: pick("reached", "not_reached", "left") },
        notes: { field: "value", type: "plain_text_input", valid: text(2000) },
      },
      metadata: fc.oneof(
        jsonish(
          fc.record(
            {
              checkpointId: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer()),
              channel: pick("DUTRAIN", "C1"),
              ts: pick("1.2", "x"),
            },
            { requiredKeys: ["checkpointId"] },
          ),
        ),
        fragment,
      ),
      writes: ["Checkpoint", "NewHire"],
      runs: 70,
    },
    {
      callbackId: "faq.add",
      permission: "faq.manage",
      inputs: {
        question: {
          field: "value",
          type: "plain_text_input",
          valid: fc.string({ unit: "grapheme", minLength: 3, maxLength: 200 }),
        },
        answer: { field: "value", type: "plain_text_input", valid: words(500) },
        tags: {
          field: "value",
          type: "plain_text_input",
          valid: fc.oneof(pick("a; b", "pólizas,recibos", ""), text(60)),
        },
        locale: { field: "selected_option", type: "static_select", valid: pick("es", "en") },
      },
      metadata: fc.oneof(fc.constant(""), fragment),
      writes: ["FaqEntry"],
      runs: 150,
    },
    {
      callbackId: "faq.edit",
      permission: "faq.manage",
      inputs: {
        question: {
          field: "value",
          type: "plain_text_input",
          valid: fc.string({ unit: "grapheme", minLength: 3, maxLength: 200 }),
        },
        answer: { field: "value", type: "plain_text_input", valid: words(500) },
        tags: { field: "value", type: "plain_text_input", valid: text(60) },
        locale: { field: "selected_option", type: "static_select", valid: pick("es", "en") },
      },
      metadata: fc.oneof(
        jsonish(fc.record({ id: fc.oneof(pick("faq-001", "faq-002", "faq-003", "faq-404"), fragment) })),
        fragment,
      ),
      writes: ["FaqEntry"],
      runs: 150,
    },
    {
      callbackId: "faq.answerQuestion",
      permission: "faq.manage",
      inputs: {
        question: {
          field: "value",
          type: "plain_text_input",
          valid: fc.string({ unit: "grapheme", minLength: 3, maxLength: 200 }),
        },
        answer: { field: "value", type: "plain_text_input", valid: words(500) },
        tags: { field: "value", type: "plain_text_input", valid: text(60) },
        locale: { field: "selected_option", type: "static_select", valid: pick("es", "en") },
      },
      metadata: fc.oneof(
        jsonish(fc.record({ queryId: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer(), fc.double()) })),
        fragment,
      ),
      writes: ["FaqEntry", "FaqQuery"],
      runs: 70,
    },
  ];

  for (const m of modals()) {
    it(`view_submission ${m.callbackId}: any state and metadata, from any role`, async () => {
      await fc.assert(
        fc.asyncProperty(
          pick(...ROLE_NAMES),
          stateValues(m.inputs),
          m.metadata,
          async (role: RoleName, state, metadata) => {
            const what = `${m.callbackId} ${JSON.stringify({ state, metadata })} as ${role}`.slice(0, 2500);
            const o = await d.submit(userFor(role), m.callbackId, state, metadata);
            expectSound(o, what);
            const changed = changedTables(o.before, o.after);
            if (checkDenied(role, m.permission, o, what, "modal")) return;
            const acknowledged = o.body === "" && Object.keys(o.viewErrors).length === 0;
            // Errors name a field of the modal, and write nothing (checked by expectSound).
            for (const block of Object.keys(o.viewErrors)) expect(Object.keys(m.inputs), what).toContain(block);
            if (acknowledged) {
              // Closed without errors: it did its job, and nothing else.
              expect(changed.length, what).toBeGreaterThan(0);
              expect(
                changed.filter((table) => ![...m.writes, "OutboxMessage", "User"].includes(table)),
                what,
              ).toEqual([]);
            }
          },
        ),
        runs(m.runs),
      );
    }, 120_000);
  }

  // Were bugs: metadata that is not JSON threw in the listener (generic apology instead of an inline error).
  for (const callbackId of ["faq.edit", "faq.answerQuestion"]) {
    it(`${callbackId} with private_metadata "{" answers inline instead of failing`, async () => {
      const before = await t.db.faqEntry.count();
      const o = await d.submit(
        userFor("admin"),
        callbackId,
        {
          question: { value: { type: "plain_text_input", value: "¿Pregunta válida?" } },
          answer: { value: { type: "plain_text_input", value: "Respuesta." } },
          locale: { value: { type: "static_select", selected_option: { value: "es" } } },
        },
        "{",
      );
      expect(await t.db.faqEntry.count()).toBe(before);
      expectSound(o, `${callbackId} metadata "{"`);
    });
  }

  // Was a bug: a number as tags reached parseTags' split and threw.
  it("faq.add with a number as tags answers inline instead of failing", async () => {
    const before = await t.db.faqEntry.count();
    const o = await d.submit(userFor("admin"), "faq.add", {
      question: { value: { type: "plain_text_input", value: "¿Pregunta válida?" } },
      answer: { value: { type: "plain_text_input", value: "Respuesta." } },
      tags: { value: { type: "plain_text_input", value: 1 } },
      locale: { value: { type: "static_select", selected_option: { value: "es" } } },
    });
    expect(await t.db.faqEntry.count()).toBe(before);
    expectSound(o, "faq.add tags: 1");
  });

  describe("when a listener throws, the apology (src/app.ts error middleware)", () => {
    const boom = () => {
      throw new TypeError("boom at handler (/work/main/src/x.ts:1:2)");
    };
    const generic = (text: string) => [en["error.generic"], es["error.generic"]].includes(text);
    const toStaff = (c: SlackCall) =>
      (c.method === "chat.postMessage" && c.args.channel === "USTAFF") ||
      (c.method === "chat.postEphemeral" && c.args.user === "USTAFF");
    /** Whether each matching call since `mark` carries the generic apology. */
    const apologies = (mark: number, which: (c: SlackCall) => boolean) =>
      t.slack.calls
        .slice(mark)
        .filter(which)
        .map((c) => generic(String(c.args.text ?? "")));
    beforeAll(() => {
      const app = t.capacita.routes;
      app.view("test.crash.before", async () => boom());
      app.view("test.crash.after", async ({ ack }) => {
        await ack();
        boom();
      });
      app.action("test.crash.button", async ({ ack }) => {
        await ack();
        boom();
      });
    });

    it("goes under a modal's first input, never as a message body", async () => {
      const o = await d.submit(userFor("staff"), "test.crash.before", { first: {}, second: {} });
      expect(o.body).toEqual({ response_action: "errors", errors: { first: expect.any(String) } });
      expect(generic(o.body.errors.first)).toBe(true);
      expect(o.crashes).toHaveLength(1);
    });

    it("closes a modal without inputs, or one already acknowledged, and says it in a DM", async () => {
      for (const callbackId of ["test.crash.before", "test.crash.after"]) {
        const mark = t.slack.calls.length;
        const o = await d.submit(userFor("staff"), callbackId, callbackId.endsWith("after") ? { first: {} } : {});
        expect(o.body, callbackId).toBe("");
        // The apology leaves after the listener has failed, so it may land just after the request ends.
        await expect.poll(() => apologies(mark, toStaff), { message: callbackId }).toEqual([true]);
      }
    });

    it("answers a button through its response URL, or in a DM from the Home", async () => {
      const mark = t.slack.calls.length;
      const inMessage = await d.action(userFor("staff"), "test.crash.button", "1");
      expect(inMessage.replies.filter((r) => r.via !== "response_url")).toEqual([]);
      await expect.poll(() => apologies(mark, (c) => c.method === "response_url")).toEqual([true]);
      const calls = t.slack.calls.length;
      const res = await t.sim.action(userFor("staff"), "test.crash.button", "1", {
        view: { id: "VHOME", type: "home" },
      });
      expect(res.status).toBe(200);
      await expect
        .poll(() =>
          t.slack.calls.slice(calls).filter((c) => c.method === "chat.postMessage" && c.args.channel === "USTAFF"),
        )
        .toHaveLength(1);
      const dm = t.slack.calls.slice(calls).find((c) => c.method === "chat.postMessage");
      expect(generic(String(dm?.args.text))).toBe(true);
    });
  });
});
