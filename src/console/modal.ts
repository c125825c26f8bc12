// Modals in a terminal: each input block asked in turn, the answers turned into the
// `view.state.values` Slack would send with a `view_submission`, and the app's inline
// errors (`response_action: "errors"`) shown next to the fields, which are asked again.
import type { Paint, RenderedButton } from "./render.ts";

type Json = Record<string, any>;

/** One `state.values[block_id][action_id]` entry, shaped as Slack sends it for the element's type. */
export type StateValue = Json & { type: string };
export type StateValues = Record<string, Record<string, StateValue>>;

export interface Option {
  text: { type: string; text: string; emoji?: boolean };
  value: string;
}

export interface Named {
  id: string;
  name: string;
}

/** What answering a field needs to know about the workspace: channels and people by name. */
export interface Directory {
  channels: Named[];
  people: Named[];
}

export type Parsed = { ok: true; state: StateValue } | { ok: false; error: string };

const optionsOf = (el: Json): Option[] => [
  ...((el.options ?? []) as Option[]),
  ...((el.option_groups ?? []) as { options: Option[] }[]).flatMap((g) => g.options),
];
const label = (o: Option) => o.text?.text ?? o.value;
const MULTI: Record<string, [string, string]> = {
  multi_conversations_select: ["selected_conversations", "initial_conversations"],
  multi_channels_select: ["selected_channels", "initial_channels"],
  multi_users_select: ["selected_users", "initial_users"],
};
const SINGLE: Record<string, [string, string]> = {
  conversations_select: ["selected_conversation", "initial_conversation"],
  channels_select: ["selected_channel", "initial_channel"],
  users_select: ["selected_user", "initial_user"],
};
const TEXT = new Set(["plain_text_input", "email_text_input", "url_text_input", "number_input"]);

/** The input blocks of a view that the console can ask for. */
export function inputBlocks(view: Json): Json[] {
  return ((view.blocks ?? []) as Json[]).filter((b) => b.type === "input" && b.element && b.block_id);
}

/** What Slack puts in `state.values` for an element nobody touched: its initial value, or nothing. */
export function initialState(el: Json): StateValue {
  const type = String(el.type);
  if (TEXT.has(type)) return { type, value: el.initial_value ?? null };
  if (type === "static_select" || type === "radio_buttons" || type === "external_select")
    return { type, selected_option: el.initial_option ?? null };
  if (type === "multi_static_select" || type === "checkboxes" || type === "multi_external_select")
    return { type, selected_options: el.initial_options ?? [] };
  if (type === "datepicker") return { type, selected_date: el.initial_date ?? null };
  if (type === "timepicker") return { type, selected_time: el.initial_time ?? null };
  if (type === "datetimepicker") return { type, selected_date_time: el.initial_date_time ?? null };
  const single = SINGLE[type];
  if (single) return { type, [single[0]]: el[single[1]] ?? null };
  const multi = MULTI[type];
  if (multi) return { type, [multi[0]]: el[multi[1]] ?? [] };
  return { type, value: null };
}

/** True when the state holds no answer (what Slack calls an empty field). */
export function isEmpty(state: StateValue): boolean {
  const v = Object.entries(state).find(([k]) => k !== "type" && k !== "timezone")?.[1];
  return v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0);
}

/** The answer a state holds, as a person would type it (shown in [brackets] as what Enter keeps). */
export function shown(state: StateValue, dir: Directory): string | undefined {
  if (isEmpty(state)) return undefined;
  const chan = (id: string) => `#${dir.channels.find((c) => c.id === id)?.name ?? id}`;
  const person = (id: string) => `@${dir.people.find((p) => p.id === id)?.name ?? id}`;
  if ("value" in state) return String(state.value);
  if ("selected_option" in state) return label(state.selected_option);
  if ("selected_options" in state) return (state.selected_options as Option[]).map(label).join(", ");
  if ("selected_date" in state) return state.selected_date;
  if ("selected_time" in state) return state.selected_time;
  if ("selected_date_time" in state) return new Date(state.selected_date_time * 1000).toISOString();
  if ("selected_conversation" in state) return chan(state.selected_conversation);
  if ("selected_channel" in state) return chan(state.selected_channel);
  if ("selected_user" in state) return person(state.selected_user);
  if ("selected_conversations" in state) return (state.selected_conversations as string[]).map(chan).join(", ");
  if ("selected_channels" in state) return (state.selected_channels as string[]).map(chan).join(", ");
  if ("selected_users" in state) return (state.selected_users as string[]).map(person).join(", ");
  return undefined;
}

/** How to answer this element, in a few words, and (for choices) the numbered options. */
export function describe(el: Json, dir: Directory): { kind: string; choices?: string[] } {
  const type = String(el.type);
  const numbered = (names: string[]) => names.map((n, i) => `${i + 1}) ${n}`);
  switch (type) {
    case "plain_text_input": {
      const limits = [
        el.min_length ? `at least ${el.min_length}` : "",
        el.max_length ? `up to ${el.max_length} characters` : "",
      ].filter(Boolean);
      return {
        kind: `text${el.multiline ? ", \\n for a new line" : ""}${limits.length ? `, ${limits.join(", ")}` : ""}`,
      };
    }
    case "email_text_input":
      return { kind: "email address" };
    case "url_text_input":
      return { kind: "link (https://…)" };
    case "number_input": {
      const range =
        el.min_value !== undefined || el.max_value !== undefined
          ? ` ${el.min_value ?? "…"}–${el.max_value ?? "…"}`
          : "";
      return { kind: `${el.is_decimal_allowed ? "number" : "whole number"}${range}` };
    }
    case "datepicker":
      return { kind: "date YYYY-MM-DD" };
    case "timepicker":
      return { kind: "time HH:mm" };
    case "datetimepicker":
      return { kind: "date and time YYYY-MM-DD HH:mm (UTC)" };
    case "static_select":
    case "radio_buttons":
    case "external_select":
      return { kind: "pick one: number or name", choices: numbered(optionsOf(el).map(label)) };
    case "multi_static_select":
    case "checkboxes":
    case "multi_external_select":
      return { kind: "pick any: numbers or names, comma-separated", choices: numbered(optionsOf(el).map(label)) };
    case "conversations_select":
    case "channels_select":
      return { kind: "channel as #name", choices: dir.channels.map((c) => `#${c.name}`) };
    case "multi_conversations_select":
    case "multi_channels_select":
      return { kind: "channels as #name, comma-separated", choices: dir.channels.map((c) => `#${c.name}`) };
    case "users_select":
      return { kind: "person as @name" };
    case "multi_users_select":
      return { kind: "people as @name, comma-separated" };
    default:
      return { kind: type };
  }
}

/** Turns what was typed into the element's state, or says (as Slack's own form would) what is wrong. */
export function parseAnswer(el: Json, typed: string, dir: Directory): Parsed {
  const type = String(el.type);
  const answer = typed.trim();
  const ok = (state: Json): Parsed => ({ ok: true, state: { type, ...state } });
  const bad = (error: string): Parsed => ({ ok: false, error });
  const pickOne = (word: string, options: Option[]): Option | undefined => {
    const n = /^\d+$/.test(word) ? Number(word) : Number.NaN;
    if (n >= 1 && n <= options.length) return options[n - 1];
    const w = word.toLowerCase();
    return options.find((o) => o.value.toLowerCase() === w || label(o).toLowerCase() === w);
  };
  const channel = (word: string) => {
    const w = word.replace(/^#/, "").toLowerCase();
    return dir.channels.find((c) => c.id.toLowerCase() === w || c.name.toLowerCase() === w)?.id;
  };
  const person = (word: string) => {
    const w = word.replace(/^@/, "").toLowerCase();
    return dir.people.find((p) => p.id.toLowerCase() === w || p.name.toLowerCase() === w)?.id;
  };
  const many = <T>(find: (w: string) => T | undefined, what: string): T[] | string => {
    const words = answer
      .split(",")
      .map((w) => w.trim())
      .filter(Boolean);
    const found: T[] = [];
    for (const w of words) {
      const x = find(w);
      if (x === undefined) return `No ${what} “${w}”.`;
      if (!found.includes(x)) found.push(x);
    }
    return found;
  };

  switch (type) {
    case "plain_text_input": {
      const value = el.multiline ? answer.replace(/\\n/g, "\n") : answer;
      if (el.min_length && value.length < el.min_length) return bad(`At least ${el.min_length} characters, please.`);
      if (el.max_length && value.length > el.max_length) return bad(`At most ${el.max_length} characters, please.`);
      return ok({ value });
    }
    case "email_text_input":
      return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(answer) ? ok({ value: answer }) : bad("That is not an email address.");
    case "url_text_input":
      return /^https?:\/\/\S+$/.test(answer) ? ok({ value: answer }) : bad("That is not a link (https://…).");
    case "number_input": {
      const pattern = el.is_decimal_allowed ? /^-?\d+(\.\d+)?$/ : /^-?\d+$/;
      if (!pattern.test(answer)) return bad(el.is_decimal_allowed ? "Type a number." : "Type a whole number.");
      const n = Number(answer);
      if (el.min_value !== undefined && n < Number(el.min_value))
        return bad(`The number must be at least ${el.min_value}.`);
      if (el.max_value !== undefined && n > Number(el.max_value))
        return bad(`The number must be at most ${el.max_value}.`);
      return ok({ value: answer });
    }
    case "datepicker": {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(answer);
      const d = m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!)) : undefined;
      if (!m || !d || d.getUTCMonth() !== +m[2]! - 1 || d.getUTCDate() !== +m[3]!)
        return bad("Type a date as YYYY-MM-DD.");
      return ok({ selected_date: answer });
    }
    case "timepicker": {
      const m = /^(\d{1,2}):(\d{2})$/.exec(answer);
      if (!m || +m[1]! > 23 || +m[2]! > 59) return bad("Type a time as HH:mm.");
      return ok({
        selected_time: `${m[1]!.padStart(2, "0")}:${m[2]}`,
        ...(el.timezone ? { timezone: el.timezone } : {}),
      });
    }
    case "datetimepicker": {
      const at = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}$/.test(answer)
        ? new Date(`${answer.replace(" ", "T")}:00Z`)
        : undefined;
      if (!at || Number.isNaN(at.getTime())) return bad("Type a date and time as YYYY-MM-DD HH:mm.");
      return ok({ selected_date_time: Math.floor(at.getTime() / 1000) });
    }
    case "static_select":
    case "radio_buttons":
    case "external_select": {
      const options = optionsOf(el);
      const o = pickOne(answer, options);
      return o ? ok({ selected_option: o }) : bad(`Pick a number from 1 to ${options.length}.`);
    }
    case "multi_static_select":
    case "checkboxes": {
      const options = optionsOf(el);
      const found = many((w) => pickOne(w, options), "option");
      if (typeof found === "string") return bad(found);
      if (el.max_selected_items && found.length > el.max_selected_items)
        return bad(`Pick at most ${el.max_selected_items}.`);
      return ok({ selected_options: found });
    }
    case "conversations_select":
    case "channels_select": {
      const id = channel(answer);
      const key = SINGLE[type]![0];
      return id ? ok({ [key]: id }) : bad(`No channel “${answer}”. Channels: ${names(dir.channels, "#")}.`);
    }
    case "users_select": {
      const id = person(answer);
      return id ? ok({ selected_user: id }) : bad(`No person “${answer}”. People: ${names(dir.people, "@")}.`);
    }
    case "multi_conversations_select":
    case "multi_channels_select":
    case "multi_users_select": {
      const found = type === "multi_users_select" ? many(person, "person") : many(channel, "channel");
      if (typeof found === "string") return bad(found);
      return ok({ [MULTI[type]![0]]: found });
    }
    default:
      return ok({ value: answer || null });
  }
}

const names = (xs: Named[], prefix: string) => xs.map((x) => `${prefix}${x.name}`).join(", ");

type ConsoleUser = { id: string; name: string; teamId: string; teamDomain: string };

/** What every payload about an open view carries: the team, who acted, the app, and the view with its values. */
function aboutView(view: Json, values: StateValues, user: ConsoleUser, appId: string) {
  return {
    team: { id: user.teamId, domain: user.teamDomain },
    user: { id: user.id, username: user.name, name: user.name, team_id: user.teamId },
    api_app_id: appId,
    view: { ...view, state: { values: structuredClone(values) } },
    is_enterprise_install: false,
    enterprise: null,
  };
}

/** The `view_submission` payload Slack sends when `user` submits `view` with `values`. */
export function submissionBody(
  view: Json,
  values: StateValues,
  user: ConsoleUser,
  appId: string,
): Record<string, unknown> {
  return {
    type: "view_submission",
    token: "console",
    trigger_id: `console.${Date.now()}`,
    response_urls: [],
    ...aboutView(view, values, user, appId),
  };
}

/** The `view_closed` payload Slack sends for a view opened with `notify_on_close`. */
export function closedBody(view: Json, values: StateValues, user: ConsoleUser, appId: string): Record<string, unknown> {
  return { type: "view_closed", is_cleared: false, ...aboutView(view, values, user, appId) };
}

/** A clicked button as a `block_actions` payload lists it. */
export function clickedButton(button: RenderedButton) {
  return {
    type: "button",
    action_id: button.actionId,
    block_id: button.blockId,
    text: { type: "plain_text", text: button.label, emoji: true },
    value: button.value,
    action_ts: (Date.now() / 1000).toFixed(6),
  };
}

/** The `block_actions` payload Slack sends when a button inside an open modal is clicked. */
export function viewButtonBody(
  view: Json,
  values: StateValues,
  button: RenderedButton,
  user: ConsoleUser,
  appId: string,
): Record<string, unknown> {
  return {
    type: "block_actions",
    token: "console",
    trigger_id: `console.${Date.now()}`,
    container: { type: "view", view_id: view.id },
    actions: [clickedButton(button)],
    ...aboutView(view, values, user, appId),
  };
}

export interface ModalIO {
  say(line: string): void;
  /** The next line typed; undefined when the input has ended. */
  ask(): Promise<string | undefined>;
  /** Dispatches the payload; resolves with what the app acknowledged with. */
  dispatch(body: Record<string, unknown>): Promise<unknown>;
  /** Renders the non-input blocks of a view (context, sections) as message lines, its buttons numbered from 1. */
  render(blocks: Json[]): { lines: string[]; buttons: RenderedButton[] };
  /** The view the app put in place of view `viewId` (views.update) since it was last asked, once. */
  takeUpdate(viewId: string): Json | undefined;
  user: ConsoleUser;
  appId: string;
  dir: Directory;
  paint: Paint;
}

export type ModalOutcome = "submitted" | "cancelled" | "ended";

/**
 * Walks a modal field by field and submits it; asks again for the fields the app
 * says are wrong; follows `response_action: "update"` and `"push"`. `:cancel` closes it.
 */
export async function fillModal(io: ModalIO, opened: Json): Promise<ModalOutcome> {
  const p = io.paint;
  const bar = p.magenta("║");
  let view = opened;
  const stack: Json[] = [];
  for (;;) {
    const inputs = inputBlocks(view);
    const values: StateValues = {};
    for (const b of inputs) values[b.block_id] = { [b.element.action_id ?? b.block_id]: initialState(b.element) };
    const title = view.title?.text ?? "form";
    const submit = view.submit?.text;
    io.say(
      `${p.magenta("╔")} ${p.bold(p.magenta(title))} ${p.dim(
        inputs.length ? "(form: Enter keeps the [value] shown, - empties an optional field, :cancel closes it)" : "",
      )}`,
    );
    const shownBlocks = io.render((view.blocks ?? []).filter((b: Json) => b.type !== "input"));
    for (const line of shownBlocks.lines) io.say(`${bar} ${line}`);
    const buttons = shownBlocks.buttons;
    const keys = buttons.length > 1 ? `:1 to :${buttons.length}` : ":1";
    if (buttons.length && inputs.length && submit)
      io.say(`${bar} ${p.dim(`(typing ${keys} at any field clicks that button)`)}`);
    /** `:N` typed in the form clicks its button N: "moved" when the app put another view in its place. */
    const press = async (typed: string): Promise<"moved" | "stayed" | undefined> => {
      const n = /^:(\d+)$/.exec(typed);
      if (!n) return undefined;
      const button = buttons[Number(n[1]) - 1];
      if (!button) {
        io.say(`${bar} ${p.red("✗ No button with that number.")}`);
        return "stayed";
      }
      io.say(`${bar} ${p.dim("→")} ${p.bold(button.label)}`);
      io.takeUpdate(view.id); // only what this click brings
      await io.dispatch(viewButtonBody(view, values, button, io.user, io.appId));
      const updated = io.takeUpdate(view.id);
      if (!updated) {
        io.say(`${bar} ${p.dim("(the form stays as it was)")}`);
        return "stayed";
      }
      // Slack replaces the whole view; the console keeps walking it under the same id.
      view = { ...updated, id: view.id, root_view_id: view.root_view_id };
      return "moved";
    };
    if (inputs.length === 0 || !submit) {
      if (buttons.length) {
        io.say(`${bar} ${p.dim(`(typing ${keys} clicks that button, Enter closes)`)}`);
        let pressed: "moved" | "stayed" | undefined = "stayed";
        while (pressed === "stayed") {
          const typed = await io.ask();
          if (typed === undefined) return "ended";
          pressed = await press(typed.trim());
        }
        if (pressed === "moved") continue;
      }
      io.say(`${p.magenta("╚")} ${p.dim("(nothing to fill in)")}`);
      const back = stack.pop();
      if (!back) return "submitted";
      view = back;
      continue;
    }

    let ask = inputs;
    let outcome: ModalOutcome | "next" | undefined;
    while (!outcome) {
      for (const block of ask) {
        const got = await askField(io, block, values, `${inputs.indexOf(block) + 1}/${inputs.length}`, press);
        if (got === "moved") {
          outcome = "next";
          break;
        }
        if (got !== "ok") {
          if (got === "cancelled") {
            if (view.notify_on_close) await io.dispatch(closedBody(view, values, io.user, io.appId));
            io.say(`${p.magenta("╚")} Form closed without sending.`);
          }
          return got;
        }
      }
      if (outcome) break;
      io.say(`${bar} ${p.dim("→")} ${p.bold(submit)}`);
      const acked = (await io.dispatch(submissionBody(view, values, io.user, io.appId))) as Json | undefined;
      const action = acked?.response_action;
      if (action === "errors") {
        const errors = (acked?.errors ?? {}) as Record<string, string>;
        const wrong = inputs.filter((b) => b.block_id in errors);
        for (const [blockId, message] of Object.entries(errors)) {
          const block = inputs.find((b) => b.block_id === blockId);
          io.say(`${bar} ${p.red(`✗ ${block?.label?.text ?? blockId}: ${message}`)}`);
        }
        ask = wrong.length ? wrong : inputs;
      } else if (action === "update" && acked?.view) {
        view = { ...acked.view, id: view.id, root_view_id: view.root_view_id };
        outcome = "next";
      } else if (action === "push" && acked?.view) {
        stack.push(view);
        view = { ...acked.view, id: `${view.id}P${stack.length}`, root_view_id: view.root_view_id ?? view.id };
        outcome = "next";
      } else {
        io.say(`${p.magenta("╚")} Form sent.`);
        if (action === "clear") return "submitted";
        const back = stack.pop();
        if (!back) return "submitted";
        view = back;
        outcome = "next";
      }
    }
  }
}

async function askField(
  io: ModalIO,
  block: Json,
  values: StateValues,
  position: string,
  press: (typed: string) => Promise<"moved" | "stayed" | undefined>,
): Promise<"ok" | "cancelled" | "ended" | "moved"> {
  const p = io.paint;
  const bar = p.magenta("║");
  const el = block.element;
  const actionId = el.action_id ?? block.block_id;
  const { kind, choices } = describe(el, io.dir);
  for (;;) {
    const current = values[block.block_id]![actionId]!;
    const now = shown(current, io.dir);
    io.say(
      `${bar} ${p.dim(position)} ${p.bold(block.label?.text ?? block.block_id)}${block.optional && !/\((optional|opcional)\)/i.test(block.label?.text ?? "") ? p.dim(" (optional)") : ""} — ${p.dim(kind)}${now !== undefined ? ` ${p.cyan(`[${now}]`)}` : ""}`,
    );
    if (block.hint?.text) io.say(`${bar}   ${p.dim(block.hint.text)}`);
    if (choices?.length) io.say(`${bar}   ${choices.join("  ")}`);
    const typed = await io.ask();
    if (typed === undefined) return "ended";
    const answer = typed.trim();
    if (answer === ":cancel") return "cancelled";
    const pressed = await press(answer);
    if (pressed === "moved") return "moved";
    if (pressed) continue;
    if (answer === "") {
      if (now !== undefined || block.optional) return "ok";
      io.say(`${bar} ${p.red("✗ This field is required.")}`);
      continue;
    }
    if (answer === "-" && block.optional) {
      values[block.block_id]![actionId] = initialState({ type: el.type });
      return "ok";
    }
    const parsed = parseAnswer(el, typed, io.dir);
    if (!parsed.ok) {
      io.say(`${bar} ${p.red(`✗ ${parsed.error}`)}`);
      continue;
    }
    values[block.block_id]![actionId] = parsed.state;
    return "ok";
  }
}
