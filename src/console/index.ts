// The local console (SPEC §9): the real app, driven from the keyboard, with a
// local stand-in for the Slack Web API whose calls are printed as Slack would show them.

import readline from "node:readline";
import type { Readable, Writable } from "node:stream";
import { createCapacita } from "../app.ts";
import type { Config } from "../config.ts";
import { MovableClock } from "../core/clock.ts";
import { type DatabaseTarget, openDatabase } from "../core/db.ts";
import type { Logger } from "../core/logger.ts";
import { ROLES, type Role } from "../core/roles.ts";
import { forgetActor } from "../core/slack.ts";
import { type SlackCall, SlackDouble, TEAM_ID, TEAM_NAME } from "../core/slack-double.ts";
import { DEMO_CHANNELS, DEMO_PEOPLE, seedDemo } from "../demo/seed.ts";
import { clickedButton, fillModal, type ModalIO } from "./modal.ts";
import { ConsoleReceiver } from "./receiver.ts";
import { fileSize, paint, type RenderedButton, renderMessage } from "./render.ts";
import { officeTime, parseClockMove } from "./time.ts";

export interface ConsoleOptions {
  config: Config;
  target: DatabaseTarget;
  logger: Logger;
  input: Readable;
  output: Writable;
  /** A real terminal: prompt, line editing and history. */
  terminal: boolean;
  /** Colours; by default only when `output` is a terminal (and NO_COLOR is not set). */
  colour?: boolean;
}

type Json = Record<string, any>;

/** A button on screen, with what Slack would send back about the message it sits on. */
interface Clickable extends RenderedButton {
  channel: string;
  ts?: string;
  message?: unknown;
  ephemeral: boolean;
  style?: string;
}

const APP_ID = "ACONSOLE";
const SLASH_COMMANDS = ["/capacita", "/training", "/signin", "/newhire", "/followup", "/ask", "/faq", "/kpi"];
/** How many numbered buttons stay clickable. */
const KEEP_BUTTONS = 200;

const HELP = [
  "Type what a person would type in Slack, as the current user:",
  "  /capacita, /training, /signin <code>, /ask <question>, /faq, /newhire, /followup, /kpi",
  "  (each with `help` for its own options; @name and #channel are sent as Slack mentions)",
  "<number>                 click the button shown with that number",
  ":user <name|U123> [role] act as someone else (and give them staff, trainer, manager or admin)",
  ":who                     the people you can act as, with their roles",
  ":channel <#name|dm>      where your slash commands are typed (now {here})",
  ":jobs [name]             run a scheduled job now (digest, followups, reminders, ratings) and show its posts",
  ":clock [+2h|+3d|-1d|2026-12-01 09:00|now]   show or move the app's clock (office time), then run what came due",
  ":cancel                  close the form being filled in without sending it",
  ":<number>                in a form, click its button shown as [:number]",
  ":help                    this list",
  ":quit                    leave (Ctrl-D too)",
  "Forms (modals) are asked field by field: Enter keeps the [value] shown, - empties an optional field.",
];

export async function runConsole(opts: ConsoleOptions): Promise<void> {
  const { output, terminal } = opts;
  const colour =
    opts.colour ?? (terminal && (output as { isTTY?: boolean }).isTTY === true && !("NO_COLOR" in process.env));
  const p = paint(colour);
  const zone = opts.config.APP_TIMEZONE;

  const double = await SlackDouble.start();
  for (const person of DEMO_PEOPLE)
    double.addUser({ id: person.id, name: person.name, real_name: person.realName, tz: zone, locale: person.locale });
  for (const c of DEMO_CHANNELS) double.addChannel(c);
  const config: Config = { ...opts.config, SLACK_API_URL: double.url };
  const database = await openDatabase(opts.target);
  await database.migrate();
  const clock = new MovableClock();
  const db = database.prisma;
  const seed = await seedDemo(db, clock, zone);
  const receiver = new ConsoleReceiver();
  const capacita = await createCapacita({
    config,
    database,
    clock,
    logger: opts.logger,
    receiver,
    token: "xoxb-console",
  });
  await capacita.start();

  const names = new Map<string, string>(DEMO_PEOPLE.map((person) => [person.id, person.name]));
  for (const u of await db.user.findMany({ select: { id: true, name: true } }))
    if (u.name && !names.has(u.id)) names.set(u.id, u.name);
  const channels = new Map<string, string>(DEMO_CHANNELS.map((c) => [c.id, c.name]));
  const nameOf = (id: string) => names.get(id) ?? id;
  const channelName = (id: string) => channels.get(id) ?? id;
  let me = DEMO_PEOPLE[0]!.id;
  /** Where slash commands are typed: a channel id, or "dm" for the app's DM with whoever is acting. */
  let here = "CGENERAL";
  const hereId = () => (here === "dm" ? `D${me}` : here);
  const buttons = new Map<number, Clickable>();
  let nextButton = 1;
  const pendingModals: Json[] = [];
  /** Views the app replaced with views.update, by view id, until the form walking it looks. */
  const viewUpdates = new Map<string, Json>();

  const rl = readline.createInterface({
    input: opts.input,
    output: terminal ? output : undefined,
    terminal,
    historySize: 500,
    removeHistoryDuplicates: true,
    completer: terminal ? (line: string) => complete(line) : undefined,
  });
  const mainPrompt = () =>
    `${p.bold(`@${nameOf(me)}`)} ${p.dim(here === "dm" ? "in DM" : `in #${channelName(here)}`)} > `;
  rl.setPrompt(mainPrompt());
  // Ctrl-C leaves, as Ctrl-D and :quit do (without a listener readline would only pause the input).
  rl.on("SIGINT", () => rl.close());
  /** The prompt is on screen, waiting: output must go above it. */
  let waiting = false;

  const say = (line = "") => {
    if (terminal && waiting) {
      readline.clearLine(output, 0);
      readline.cursorTo(output, 0);
      output.write(`${line}\n`);
      rl.prompt(true);
      return;
    }
    output.write(`${line}\n`);
  };

  const where = (channel: string | undefined) => {
    if (!channel) return "?";
    if (channel.startsWith("D")) return p.magenta(`DM @${nameOf(channel.slice(1))}`);
    if (channel.startsWith("U") || channel.startsWith("W")) return p.magenta(`DM @${nameOf(channel)}`);
    return p.cyan(`#${channelName(channel)}`);
  };

  const show = (
    header: string,
    message: Json,
    at: { channel: string; ts?: string; ephemeral: boolean },
    indent = "",
  ) => {
    const rendered = renderMessage(message, nextButton, { paint: p, names: nameOf, channels: channelName });
    for (const b of rendered.buttons) {
      buttons.set(nextButton, { ...b, ...at, message: at.ephemeral ? undefined : message });
      buttons.delete(nextButton - KEEP_BUTTONS);
      nextButton++;
    }
    say(`${indent}┌ ${header}`);
    for (const line of rendered.lines) say(`${indent}│ ${line}`);
  };

  double.on("call", (call: SlackCall) => {
    if (call.failed) return;
    const a = call.args;
    switch (call.method) {
      case "chat.postMessage": {
        const channel = String(call.result?.channel ?? a.channel);
        show(
          `${where(channel)}${a.thread_ts ? p.dim(" › in thread") : ""}`,
          a,
          { channel, ts: call.result?.ts, ephemeral: false },
          a.thread_ts ? "    " : "",
        );
        break;
      }
      case "chat.postEphemeral":
        show(`${where(a.channel)} ${p.yellow(`(only @${nameOf(a.user)} sees this)`)}`, a, {
          channel: a.channel,
          ts: call.result?.message_ts,
          ephemeral: true,
        });
        break;
      case "chat.update":
        show(`${where(a.channel)} ${p.dim("(message updated)")}`, a, {
          channel: a.channel,
          ts: a.ts,
          ephemeral: false,
        });
        break;
      case "chat.delete":
        say(`┌ ${where(a.channel)} ${p.dim("(message deleted)")}`);
        break;
      case "response_url": {
        if (a.delete_original === true || a.delete_original === "true") {
          say(`┌ reply ${p.dim("(the message it came from was deleted)")}`);
          if (!a.text && !a.blocks) break;
        }
        const inChannel = a.response_type === "in_channel";
        const replaces = a.replace_original === true || a.replace_original === "true";
        const header = inChannel
          ? `${where(hereId())} ${p.dim("(reply, everyone sees it)")}`
          : p.yellow("reply (only you see this)");
        show(`${header}${replaces ? p.dim(" — replaces the message") : ""}`, a, {
          channel: hereId(),
          ephemeral: !inChannel,
        });
        break;
      }
      case "views.open":
      case "views.push":
        if (call.result?.view?.type === "modal") pendingModals.push(call.result.view);
        break;
      case "views.update":
        // The view as stored (by view_id or external_id), with Slack's defaults: it replaces the form.
        if (call.result?.view?.id) viewUpdates.set(String(call.result.view.id), call.result.view);
        break;
      case "views.publish":
        say(p.dim(`┌ App Home of @${nameOf(String(a.user_id))} updated`));
        break;
      case "files.completeUploadExternal": {
        const to = String(a.channel_id ?? a.channels ?? "");
        const files = (call.result?.files ?? []) as { name: string; title?: string; size: number }[];
        say(`┌ ${where(to)}`);
        if (a.initial_comment) say(`│ ${a.initial_comment}`);
        for (const f of files)
          say(
            `│ 📎 ${p.bold(f.name)} (${fileSize(f.size)})${f.title && f.title !== f.name ? p.dim(` — ${f.title}`) : ""}`,
          );
        break;
      }
    }
  });

  const user = () => ({ id: me, name: nameOf(me), teamId: TEAM_ID, teamDomain: TEAM_NAME });

  const dispatchAndShow = async (body: Record<string, unknown>) => {
    const acked = (await receiver.dispatch(body)) as Json | undefined;
    if (acked && typeof acked === "object" && (acked.text || acked.blocks))
      show(
        acked.response_type === "in_channel"
          ? `${where(hereId())} ${p.dim("(reply, everyone sees it)")}`
          : p.yellow("reply (only you see this)"),
        acked,
        { channel: hereId(), ephemeral: acked.response_type !== "in_channel" },
      );
    return acked;
  };

  // Mentions typed the way people type them (@luis, #formacion) are escaped the way Slack escapes them.
  const escapeLikeSlack = (text: string) =>
    text
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/@([a-z0-9._-]+)/gi, (m, n: string) => {
        const id = [...names].find(([, v]) => v === n.toLowerCase())?.[0];
        return id ? `<@${id}|${n}>` : m;
      })
      .replace(/#([a-z0-9_-]+)/gi, (m, n: string) => {
        const id = [...channels].find(([, v]) => v === n.toLowerCase())?.[0];
        return id ? `<#${id}|${n}>` : m;
      });

  function complete(line: string): [string[], string] {
    const words = [
      ...SLASH_COMMANDS,
      ...[":help", ":who", ":quit", ":cancel", ":clock", ":clock +1h", ":clock +1d", ":clock now", ":channel dm"],
      ...[...names.values()].map((n) => `:user ${n}`),
      ...capacita.scheduler.jobNames().map((n) => `:jobs ${n}`),
      ...[...channels.values()].map((n) => `:channel #${n}`),
    ];
    const hits = words.filter((w) => w.startsWith(line));
    return [hits, line];
  }

  const lines = rl[Symbol.asyncIterator]();
  let ended = false;
  const nextLine = async (): Promise<string | undefined> => {
    if (ended) return undefined;
    const r = await lines.next();
    if (r.done) ended = true;
    return r.done ? undefined : String(r.value);
  };
  const settle = () => new Promise((r) => setTimeout(r, 50)); // posts made after the ack reach the screen

  const modalIO: ModalIO = {
    say,
    ask: async () => {
      if (terminal) {
        rl.setPrompt(p.magenta("║ › "));
        rl.prompt();
        waiting = true;
      }
      try {
        return await nextLine();
      } finally {
        waiting = false;
        rl.setPrompt(mainPrompt());
      }
    },
    dispatch: async (body) => {
      const acked = await receiver.dispatch(body);
      await settle();
      return acked;
    },
    render: (blocks) => renderMessage({ blocks }, 1, { paint: p, names: nameOf, channels: channelName }, ":"),
    takeUpdate: (viewId) => {
      const view = viewUpdates.get(viewId);
      viewUpdates.delete(viewId);
      return view;
    },
    get user() {
      return user();
    },
    appId: APP_ID,
    get dir() {
      return {
        channels: [...channels].map(([id, name]) => ({ id, name })),
        people: [...names].map(([id, name]) => ({ id, name })),
      };
    },
    paint: p,
  };

  const jobs = async (name: string | undefined) => {
    const known = capacita.scheduler.jobNames();
    if (!name || !known.includes(name)) {
      if (name) say(`No job “${name}”.`);
      say(`Jobs: ${known.join(", ")}. \`:jobs digest\` runs the weekly digest now.`);
      return;
    }
    say(p.dim(`Running ${name}…`));
    let done: string;
    if (capacita.scheduler.isPeriodic(name)) {
      const run = await capacita.scheduler.runNow(name, clock.now(), true);
      done = run.ran ? `Ran ${run.key}.` : `${run.key} did not run (see the log).`;
    } else {
      const ran = await capacita.scheduler.runDue([name]);
      done = ran.length ? `Ran ${ran.join(", ")}.` : `Nothing was due for ${name} at this time.`;
    }
    // What the run stored in the outbox is delivered (and shown) before the console says it is done.
    await capacita.dispatcher.drain();
    say(done);
  };

  const moveClock = async (arg: string) => {
    if (!arg) {
      say(`Office time: ${officeTime(clock.now(), zone, config.DEFAULT_LOCALE)}.`);
      return;
    }
    const move = parseClockMove(arg, zone);
    if (!move) {
      say("Usage: :clock +2h | +3d | -30m | 2026-12-01 09:00 | now");
      return;
    }
    if (move.kind === "by") clock.advance(move.ms);
    else clock.set(move.kind === "to" ? move.at : new Date());
    say(`Office time is now ${officeTime(clock.now(), zone, config.DEFAULT_LOCALE)}.`);
    // What the minutely check would find at the new time runs now, and its posts are shown.
    const ran = await capacita.scheduler.runDue();
    await capacita.dispatcher.drain();
    if (ran.length) say(`Came due and ran: ${ran.join(", ")}.`);
  };

  const handle = async (line: string): Promise<boolean> => {
    const input = line.trim();
    if (!input) return true;
    if (input === ":quit" || input === ":q" || input === ":exit") return false;
    const [word = "", ...args] = input.split(/\s+/);
    switch (word) {
      case ":help":
      case ":h":
      case ":?":
        for (const h of HELP) say(h.replace("{here}", here === "dm" ? "DM" : `#${channelName(here)}`));
        return true;
      case ":who":
        for (const u of await db.user.findMany({
          where: { id: { not: { startsWith: "UDEMO" } } },
          orderBy: { id: "asc" },
        }))
          say(`${u.id === me ? "*" : " "} ${u.id}  @${u.name ?? "?"}  ${u.role}`);
        {
          const demo = await db.user.count({ where: { id: { startsWith: "UDEMO" } } });
          if (demo) say(p.dim(`  (and ${demo} more demo staff: @demo1, @demo2, …)`));
        }
        return true;
      case ":user":
        await switchUser(args[0], args[1]);
        return true;
      case ":channel": {
        const want = (args[0] ?? "").replace(/^#/, "").toLowerCase();
        const id = want === "dm" ? "dm" : [...channels].find(([k, v]) => v === want || k.toLowerCase() === want)?.[0];
        if (!id) {
          say(`Usage: :channel <${[...channels.values()].map((c) => `#${c}`).join("|")}|dm>`);
          return true;
        }
        here = id;
        rl.setPrompt(mainPrompt());
        say(`Slash commands are now typed ${id === "dm" ? "in your DM with the app" : `in #${channelName(id)}`}.`);
        return true;
      }
      case ":jobs":
      case ":job":
        await jobs(args[0]);
        return true;
      case ":clock":
        await moveClock(args.join(" "));
        return true;
      case ":cancel":
        say("No form is open.");
        return true;
    }
    if (/^\d+$/.test(input)) {
      await click(Number(input));
      return true;
    }
    if (input.startsWith("/")) {
      const m = /^(\S+)\s*([\s\S]*)$/.exec(input)!;
      await dispatchAndShow({
        token: "console",
        team_id: TEAM_ID,
        team_domain: TEAM_NAME,
        channel_id: hereId(),
        channel_name: here === "dm" ? "directmessage" : channelName(here),
        user_id: me,
        user_name: nameOf(me),
        command: m[1],
        text: escapeLikeSlack(m[2] ?? ""),
        api_app_id: APP_ID,
        is_enterprise_install: "false",
        response_url: double.responseUrl(`console-${Date.now()}`),
        trigger_id: `console.${Date.now()}`,
      });
      return true;
    }
    say(
      input.startsWith(":")
        ? `Unknown console command ${word}: type :help.`
        : "Type a slash command (/capacita), a button number, or :help.",
    );
    return true;
  };

  async function switchUser(who: string | undefined, role: string | undefined) {
    const id =
      [...names].find(([k, v]) => k === who || v === who?.replace(/^@/, "").toLowerCase())?.[0] ?? who?.toUpperCase();
    if (!id || !/^[UW][A-Z0-9]{2,}$/.test(id)) {
      say("Usage: :user <name|U123> [staff|trainer|manager|admin]");
      return;
    }
    if (role) {
      if (!ROLES.includes(role as Role)) {
        say("The role must be staff, trainer, manager or admin.");
        return;
      }
      await db.user.upsert({ where: { id }, create: { id, role: role as Role }, update: { role: role as Role } });
      forgetActor(id);
    }
    me = id;
    rl.setPrompt(mainPrompt());
    say(`Now acting as @${nameOf(id)} (${id})${role ? ` with the role ${role}` : ""}.`);
  }

  async function click(n: number) {
    const b = buttons.get(n);
    if (!b) {
      say("No button with that number.");
      return;
    }
    say(p.dim(`(@${nameOf(me)} clicks “${b.label}”)`));
    const ts = b.ts ?? `${Math.floor(Date.now() / 1000)}.000100`;
    await dispatchAndShow({
      type: "block_actions",
      token: "console",
      user: { id: me, username: nameOf(me), name: nameOf(me), team_id: TEAM_ID },
      api_app_id: APP_ID,
      team: { id: TEAM_ID, domain: TEAM_NAME },
      enterprise: null,
      is_enterprise_install: false,
      trigger_id: `console.${Date.now()}`,
      container: { type: "message", message_ts: ts, channel_id: b.channel, is_ephemeral: b.ephemeral },
      channel: { id: b.channel, name: b.channel.startsWith("D") ? "directmessage" : channelName(b.channel) },
      ...(b.message ? { message: { ...(b.message as Json), ts } } : {}),
      state: { values: {} },
      response_url: double.responseUrl(`console-${Date.now()}`),
      actions: [clickedButton(b)],
    });
  }

  say("capacita — local console. No Slack tokens: the app runs here, and what it would post is shown below.");
  say(`You are @${nameOf(me)} (${me}). Type :help for help, /capacita to start.`);
  say(p.dim(`Office time: ${officeTime(clock.now(), zone, config.DEFAULT_LOCALE)}.`));
  if (seed.kind === "occupied") say(p.dim("This database already holds data, so no demo data was added to it."));
  say(
    p.dim(
      "Try: /signin (sessions open now) · /ask cómo anulo una póliza · :user luis then /training · :user marta then :jobs digest",
    ),
  );
  const prompt = () => {
    if (!terminal) return;
    rl.prompt();
    waiting = true;
  };
  prompt();
  try {
    for (;;) {
      const line = await nextLine();
      waiting = false;
      if (line === undefined) break;
      try {
        if (!(await handle(line))) break;
        await settle();
        while (pendingModals.length) {
          const view = pendingModals.shift()!;
          if ((await fillModal(modalIO, view)) === "ended") break;
          await settle();
        }
      } catch (e) {
        say(`error: ${(e as Error).message}`);
      }
      if (ended) break;
      prompt();
    }
  } finally {
    rl.close();
    await capacita.stop();
    await database.close();
    await double.close();
  }
}
