// The console's modal walker on its own: answers become state.values shaped as Slack sends them,
// inline errors ask again for just those fields, :cancel closes (telling the app when it asked).
import { describe, expect, it } from "vitest";
import {
  type Directory,
  fillModal,
  initialState,
  type ModalIO,
  parseAnswer,
  type StateValues,
  submissionBody,
} from "../../src/console/modal.ts";
import { paint, renderMessage } from "../../src/console/render.ts";

const dir: Directory = {
  channels: [
    { id: "CFORMACION", name: "formacion" },
    { id: "CGENERAL", name: "general" },
  ],
  people: [{ id: "UPEDRO", name: "pedro" }],
};
const opt = (text: string, value: string) => ({ text: { type: "plain_text", text, emoji: true }, value });
const kinds = [opt("Producto", "product"), opt("Otra", "other")];

describe("state values", () => {
  it("start from each element's initial value, as Slack sends an untouched field", () => {
    expect(initialState({ type: "plain_text_input", action_id: "value" })).toEqual({
      type: "plain_text_input",
      value: null,
    });
    expect(initialState({ type: "static_select", options: kinds, initial_option: kinds[1] })).toEqual({
      type: "static_select",
      selected_option: kinds[1],
    });
    expect(initialState({ type: "radio_buttons", options: kinds })).toEqual({
      type: "radio_buttons",
      selected_option: null,
    });
    expect(initialState({ type: "datepicker", initial_date: "2026-12-01" })).toEqual({
      type: "datepicker",
      selected_date: "2026-12-01",
    });
    expect(initialState({ type: "timepicker", initial_time: "09:00" })).toEqual({
      type: "timepicker",
      selected_time: "09:00",
    });
    expect(initialState({ type: "number_input", initial_value: "60" })).toEqual({ type: "number_input", value: "60" });
    expect(initialState({ type: "conversations_select", initial_conversation: "CGENERAL" })).toEqual({
      type: "conversations_select",
      selected_conversation: "CGENERAL",
    });
    expect(initialState({ type: "checkboxes", options: kinds })).toEqual({ type: "checkboxes", selected_options: [] });
    expect(initialState({ type: "users_select" })).toEqual({ type: "users_select", selected_user: null });
  });

  it("are parsed from what is typed, per element type", () => {
    expect(parseAnswer({ type: "static_select", options: kinds }, "1", dir)).toEqual({
      ok: true,
      state: { type: "static_select", selected_option: kinds[0] },
    });
    expect(parseAnswer({ type: "radio_buttons", options: kinds }, "otra", dir)).toEqual({
      ok: true,
      state: { type: "radio_buttons", selected_option: kinds[1] },
    });
    expect(parseAnswer({ type: "static_select", options: kinds }, "3", dir)).toEqual({
      ok: false,
      error: "Pick a number from 1 to 2.",
    });
    expect(parseAnswer({ type: "checkboxes", options: kinds }, "2, 1", dir)).toEqual({
      ok: true,
      state: { type: "checkboxes", selected_options: [kinds[1], kinds[0]] },
    });
    expect(parseAnswer({ type: "datepicker" }, "2026-02-30", dir).ok).toBe(false);
    expect(parseAnswer({ type: "datepicker" }, "2026-02-28", dir)).toEqual({
      ok: true,
      state: { type: "datepicker", selected_date: "2026-02-28" },
    });
    expect(parseAnswer({ type: "timepicker" }, "9:05", dir)).toEqual({
      ok: true,
      state: { type: "timepicker", selected_time: "09:05" },
    });
    expect(parseAnswer({ type: "timepicker" }, "24:00", dir).ok).toBe(false);
    expect(parseAnswer({ type: "number_input", min_value: "5", max_value: "600" }, "3", dir)).toEqual({
      ok: false,
      error: "The number must be at least 5.",
    });
    expect(parseAnswer({ type: "number_input", is_decimal_allowed: false }, "1.5", dir).ok).toBe(false);
    expect(parseAnswer({ type: "number_input" }, "90", dir)).toEqual({
      ok: true,
      state: { type: "number_input", value: "90" },
    });
    expect(parseAnswer({ type: "conversations_select" }, "#formacion", dir)).toEqual({
      ok: true,
      state: { type: "conversations_select", selected_conversation: "CFORMACION" },
    });
    expect(parseAnswer({ type: "channels_select" }, "general", dir)).toEqual({
      ok: true,
      state: { type: "channels_select", selected_channel: "CGENERAL" },
    });
    expect(parseAnswer({ type: "conversations_select" }, "#nowhere", dir).ok).toBe(false);
    expect(parseAnswer({ type: "users_select" }, "@pedro", dir)).toEqual({
      ok: true,
      state: { type: "users_select", selected_user: "UPEDRO" },
    });
    expect(parseAnswer({ type: "plain_text_input", multiline: true }, "uno\\ndos", dir)).toEqual({
      ok: true,
      state: { type: "plain_text_input", value: "uno\ndos" },
    });
    expect(parseAnswer({ type: "plain_text_input", max_length: 3 }, "cuatro", dir).ok).toBe(false);
  });

  it("travel in a view_submission shaped like Slack's", () => {
    const view = { id: "V1", callback_id: "cb", private_metadata: "{}", hash: "h", blocks: [] };
    const values: StateValues = { title: { value: { type: "plain_text_input", value: "x" } } };
    const body = submissionBody(view, values, { id: "ULUIS", name: "luis", teamId: "T1", teamDomain: "d" }, "A1");
    expect(body).toMatchObject({
      type: "view_submission",
      team: { id: "T1", domain: "d" },
      user: { id: "ULUIS", name: "luis", team_id: "T1" },
      api_app_id: "A1",
      view: { id: "V1", callback_id: "cb", private_metadata: "{}", hash: "h", state: { values } },
    });
  });
});

describe("renderMessage", () => {
  it("shows a section's button beside it, an actions block's buttons in a row at the end", () => {
    const btn = (text: string, value: string) => ({
      type: "button",
      action_id: "a",
      value,
      text: { type: "plain_text", text },
    });
    const { lines, buttons } = renderMessage(
      {
        blocks: [
          {
            type: "section",
            block_id: "s1",
            text: { type: "mrkdwn", text: "*faq-1* first" },
            accessory: btn("Use", "1"),
          },
          {
            type: "section",
            block_id: "s2",
            text: { type: "mrkdwn", text: "*faq-2* second" },
            accessory: btn("Use", "2"),
          },
          { type: "actions", block_id: "row", elements: [btn("Yes", "y"), btn("No", "n")] },
        ],
      },
      1,
      { paint: paint(false), names: (id) => id, channels: (id) => id },
      ":",
    );
    expect(lines).toEqual(["*faq-1* first", "  [:1] Use", "*faq-2* second", "  [:2] Use", "[:3] Yes   [:4] No"]);
    expect(buttons.map((b) => b.value)).toEqual(["1", "2", "y", "n"]);
  });
});

describe("fillModal", () => {
  const view = {
    id: "V9",
    type: "modal",
    callback_id: "form",
    title: { type: "plain_text", text: "Form" },
    submit: { type: "plain_text", text: "Send" },
    blocks: [
      { type: "context", elements: [{ type: "mrkdwn", text: "about this form" }] },
      {
        type: "input",
        block_id: "title",
        label: { type: "plain_text", text: "Title" },
        element: { type: "plain_text_input", action_id: "value" },
      },
      {
        type: "input",
        block_id: "when",
        label: { type: "plain_text", text: "Date" },
        element: { type: "datepicker", action_id: "value", initial_date: "2026-12-01" },
      },
      {
        type: "input",
        block_id: "note",
        optional: true,
        label: { type: "plain_text", text: "Note" },
        element: { type: "plain_text_input", action_id: "value" },
      },
    ],
  };

  /** A form typed into; `updates` are the views the app puts in place of the form, one per dispatch. */
  function fakeIO(typed: string[], answers: unknown[], updates: (Record<string, any> | undefined)[] = []) {
    const said: string[] = [];
    const sent: Record<string, any>[] = [];
    let updated: Record<string, any> | undefined;
    const io: ModalIO = {
      say: (l) => said.push(l),
      ask: async () => typed.shift(),
      dispatch: async (body) => {
        sent.push(body);
        updated = updates.shift();
        return answers.shift();
      },
      render: (blocks) => ({
        lines: blocks.map((b) => `[${b.type}]`),
        buttons: blocks
          .filter((b) => b.type === "actions")
          .flatMap((b) =>
            b.elements.map((e: any) => ({
              actionId: e.action_id,
              blockId: b.block_id,
              value: e.value,
              label: e.text.text,
            })),
          ),
      }),
      takeUpdate: (viewId) => {
        const view = viewId === "V9" ? updated : undefined;
        updated = undefined;
        return view;
      },
      user: { id: "ULUIS", name: "luis", teamId: "T1", teamDomain: "d" },
      appId: "A1",
      dir,
      paint: paint(false),
    };
    return { io, said, sent };
  }

  it("asks every field, then only those the app says are wrong, keeping the other answers", async () => {
    const { io, said, sent } = fakeIO(
      ["", "Taller", "", "", "2026-12-02"],
      [{ response_action: "errors", errors: { when: "Too early." } }, undefined],
    );
    expect(await fillModal(io, view)).toBe("submitted");
    expect(said).toContain("║ ✗ This field is required.");
    expect(said).toContain("║ ✗ Date: Too early.");
    expect(said.filter((l) => l.includes("Title")).length).toBe(2); // asked twice, both before the first send
    expect(sent.map((b) => b.view.state.values)).toEqual([
      {
        title: { value: { type: "plain_text_input", value: "Taller" } },
        when: { value: { type: "datepicker", selected_date: "2026-12-01" } },
        note: { value: { type: "plain_text_input", value: null } },
      },
      {
        title: { value: { type: "plain_text_input", value: "Taller" } },
        when: { value: { type: "datepicker", selected_date: "2026-12-02" } },
        note: { value: { type: "plain_text_input", value: null } },
      },
    ]);
    expect(said.at(-1)).toBe("╚ Form sent.");
  });

  it(":cancel closes it, telling the app only when the view asked to be told", async () => {
    const quiet = fakeIO([":cancel"], []);
    expect(await fillModal(quiet.io, view)).toBe("cancelled");
    expect(quiet.sent).toEqual([]);
    const told = fakeIO(["Taller", ":cancel"], [undefined]);
    expect(await fillModal(told.io, { ...view, notify_on_close: true })).toBe("cancelled");
    expect(told.sent.map((b) => b.type)).toEqual(["view_closed"]);
    expect(told.said.at(-1)).toBe("╚ Form closed without sending.");
  });

  it("clicks a button of the form with :N, sending what Slack sends, and follows the view the app puts in its place", async () => {
    const withButtons = {
      ...view,
      blocks: [
        ...view.blocks,
        {
          type: "actions",
          block_id: "closest",
          elements: [
            { type: "button", action_id: "use", value: "faq-1", text: { type: "plain_text", text: "Use this one" } },
            { type: "button", action_id: "use", value: "faq-2", text: { type: "plain_text", text: "Use that one" } },
          ],
        },
      ],
    };
    const linked = {
      type: "modal",
      title: { type: "plain_text", text: "Answered" },
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "linked" } }],
    };
    // :3 is no button; the first click leaves the form as it was (the app did not replace it); the second replaces it.
    const { io, said, sent } = fakeIO(["Taller", ":3", ":1", ":2"], [undefined, undefined], [undefined, linked]);
    expect(await fillModal(io, withButtons)).toBe("submitted");
    expect(said).toContain("║ (typing :1 to :2 at any field clicks that button)");
    expect(said).toContain("║ ✗ No button with that number.");
    expect(said).toContain("║ (the form stays as it was)");
    expect(said.some((l) => l.startsWith("╔ Answered"))).toBe(true);
    expect(sent.map((b) => b.type)).toEqual(["block_actions", "block_actions"]);
    expect(sent[1]).toMatchObject({
      container: { type: "view", view_id: "V9" },
      user: { id: "ULUIS" },
      actions: [{ type: "button", action_id: "use", block_id: "closest", value: "faq-2" }],
      view: { id: "V9", state: { values: { title: { value: { type: "plain_text_input", value: "Taller" } } } } },
    });
  });

  it("lets a view with buttons and nothing to fill in be clicked, and closes it on Enter", async () => {
    const choice = {
      id: "V9",
      type: "modal",
      title: { type: "plain_text", text: "Pick" },
      blocks: [
        {
          type: "actions",
          block_id: "pick",
          elements: [{ type: "button", action_id: "go", value: "1", text: { type: "plain_text", text: "Go" } }],
        },
      ],
    };
    const done = { type: "modal", title: { type: "plain_text", text: "Done" }, blocks: [] };
    const clicked = fakeIO([":1"], [undefined], [done]);
    expect(await fillModal(clicked.io, choice)).toBe("submitted");
    expect(clicked.said).toContain("║ (typing :1 clicks that button, Enter closes)");
    expect(clicked.sent.map((b) => b.actions[0].action_id)).toEqual(["go"]);
    expect(clicked.said.some((l) => l.startsWith("╔ Done"))).toBe(true);
    const closed = fakeIO([""], []);
    expect(await fillModal(closed.io, choice)).toBe("submitted");
    expect(closed.sent).toEqual([]);
    expect(closed.said.at(-1)).toBe("╚ (nothing to fill in)");
  });

  it("follows response_action update to the new view", async () => {
    const done = {
      type: "modal",
      title: { type: "plain_text", text: "Done" },
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "saved" } }],
    };
    const { io, said } = fakeIO(["Taller", "", ""], [{ response_action: "update", view: done }]);
    expect(await fillModal(io, view)).toBe("submitted");
    expect(said).toContain("║ [section]");
    expect(said.some((l) => l.startsWith("╔ Done"))).toBe(true);
  });
});
