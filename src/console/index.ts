// The local console (SPEC §9): the real app, driven from the keyboard, with a
// local stand-in for the Slack Web API whose calls are printed as Slack would show them.

import { readFile } from "node:fs/promises";
import readline from "node:readline";
import type { Readable, Writable } from "node:stream";
import { createCapacita } from "../app.ts";
import type { Config } from "../config.ts";
import { MovableClock } from "../core/clock.ts";
import { type DatabaseTarget, openDatabase } from "../core/db.ts";
import type { Logger } from "../core/logger.ts";
import { ROLES, type Role } from "../core/roles.ts";
import { forgetActor } from "../core/slack.ts";
import { type SlackCall, SlackDouble, TEAM_ID } from "../core/slack-double.ts";
import { importCsv } from "../faq/service.ts";
import { saveProfile, setTeam, setTeamManager } from "../people/service.ts";
import { DEMO_CHANNELS, DEMO_PEOPLE, seedDemoActivity } from "./demo.ts";
import { ConsoleReceiver } from "./receiver.ts";
import { plain, type RenderedButton, renderMessage } from "./render.ts";

export interface ConsoleOptions {
  config: Config;
  target: DatabaseTarget;
  logger: Logger;
  input: Readable;
  output: Writable;
  /** Prompt and colours only on a real terminal. */
  terminal: boolean;
}

interface Clickable extends RenderedButton {
  channel?: string;
  ts?: string;
  message?: unknown;
}

export async function runConsole(opts: ConsoleOptions): Promise<void> {
  const { output } = opts;
  const say = (line = "") => output.write(`${line}\n`);
  const double = await SlackDouble.start();
  for (const p of DEMO_PEOPLE)
    double.addUser({ id: p.id, name: p.name, real_name: p.realName, tz: opts.config.APP_TIMEZONE, locale: p.locale });
  for (const c of DEMO_CHANNELS) double.addChannel(c);
  const config: Config = { ...opts.config, SLACK_API_URL: double.url };
  const database = await openDatabase(opts.target);
  await database.migrate();
  const clock = new MovableClock();
  const db = database.prisma;
  if ((await db.user.count()) === 0) {
    for (const p of DEMO_PEOPLE) {
      await saveProfile(db, clock, p.id, {
        name: p.name,
        realName: p.realName,
        locale: p.locale,
        tz: config.APP_TIMEZONE,
      });
      // Seeding is nobody's action: set the role directly (setRole's last-admin guard would refuse self-demotion).
      await db.user.update({ where: { id: p.id }, data: { role: p.role } });
      if (p.team) await setTeam(db, p.id, p.team);
      if (p.role === "manager" && p.team) await setTeamManager(db, p.team, p.id);
    }
    await importCsv(db, await readFile(new URL("./demo-faq.csv", import.meta.url), "utf8"));
    await seedDemoActivity(db, clock.now(), config.APP_TIMEZONE);
  }
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

  const names = new Map<string, string>(DEMO_PEOPLE.map((p) => [p.id, p.name]));
  const channels = new Map<string, string>(DEMO_CHANNELS.map((c) => [c.id, c.name]));
  const nameOf = (id: string) => names.get(id) ?? id;
  let me = DEMO_PEOPLE[0]!.id;
  let buttons: Clickable[] = [];

  const where = (channel: string | undefined) => {
    if (!channel) return "?";
    if (channel.startsWith("D")) return `DM @${nameOf(channel.slice(1))}`;
    if (channel.startsWith("U")) return `DM @${nameOf(channel)}`;
    return `#${channels.get(channel) ?? channel}`;
  };
  const show = (
    header: string,
    message: { text?: string; blocks?: unknown[] },
    at?: { channel?: string; ts?: string },
    indent = "",
  ) => {
    const rendered = renderMessage(message as never, buttons.length + 1);
    buttons.push(...rendered.buttons.map((b) => ({ ...b, channel: at?.channel, ts: at?.ts, message })));
    say(`${indent}┌ ${header}`);
    for (const line of rendered.lines) say(`${indent}│ ${plain(line, nameOf, (id) => channels.get(id) ?? id)}`);
  };

  double.on("call", (call: SlackCall) => {
    if (call.failed) return;
    const a = call.args;
    switch (call.method) {
      case "chat.postMessage":
        show(
          `${where(a.channel)}${a.thread_ts ? " (in thread)" : ""}`,
          a,
          { channel: a.channel, ts: call.result?.ts },
          a.thread_ts ? "    " : "",
        );
        break;
      case "chat.postEphemeral":
        show(`${where(a.channel)} (only @${nameOf(a.user)} sees this)`, a);
        break;
      case "chat.update":
        show(`${where(a.channel)} (message updated)`, a, { channel: a.channel, ts: a.ts });
        break;
      case "response_url":
        show(`reply (only you see this)`, a);
        break;
      case "upload":
      case "files.completeUploadExternal":
        if (call.method === "files.completeUploadExternal")
          say(`┌ ${where(a.channel_id)}: file ${(a.files ?? []).map((f: { title?: string }) => f.title).join(", ")}`);
        break;
    }
  });

  const dispatchAndShow = async (body: Record<string, unknown>) => {
    const acked = (await receiver.dispatch(body)) as
      | { text?: string; blocks?: unknown[]; response_action?: string }
      | undefined;
    if (acked && typeof acked === "object" && (acked.text || acked.blocks)) show("reply (only you see this)", acked);
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

  const handle = async (line: string): Promise<boolean> => {
    const input = line.trim();
    if (!input) return true;
    if (input === ":quit" || input === ":q" || input === ":exit") return false;
    if (input === ":help") {
      say("Type a slash command as the current user, e.g. /capacita or /signin K7MQ2X.");
      say(":user <id|name> [role]  act as someone else (and give them a role)");
      say("<number>                click the button with that number");
      say(":who                    list the people you can act as");
      say(":quit                   leave");
      return true;
    }
    if (input === ":who") {
      for (const u of await db.user.findMany({ orderBy: { id: "asc" } }))
        say(`${u.id === me ? "*" : " "} ${u.id}  @${u.name ?? "?"}  ${u.role}`);
      return true;
    }
    if (input.startsWith(":user")) {
      const [, who, role] = input.split(/\s+/);
      const id = [...names].find(([k, v]) => k === who || v === who?.replace(/^@/, ""))?.[0] ?? who?.toUpperCase();
      if (!id || !/^[UW][A-Z0-9]{2,}$/.test(id)) {
        say("Usage: :user <U123|name> [staff|trainer|manager|admin]");
        return true;
      }
      if (role) {
        if (!ROLES.includes(role as Role)) {
          say("The role must be staff, trainer, manager or admin.");
          return true;
        }
        await db.user.upsert({ where: { id }, create: { id, role: role as Role }, update: { role: role as Role } });
        forgetActor(id);
      }
      me = id;
      say(`Now acting as @${nameOf(id)} (${id})${role ? ` with the role ${role}` : ""}.`);
      return true;
    }
    if (/^\d+$/.test(input)) {
      const b = buttons[Number(input) - 1];
      if (!b) {
        say("No button with that number.");
        return true;
      }
      await dispatchAndShow({
        type: "block_actions",
        user: { id: me, username: nameOf(me), name: nameOf(me), team_id: TEAM_ID },
        team: { id: TEAM_ID, domain: "capacita" },
        api_app_id: "ACONSOLE",
        trigger_id: `console.${Date.now()}`,
        container: b.channel ? { type: "message", channel_id: b.channel, message_ts: b.ts } : { type: "message" },
        channel: b.channel ? { id: b.channel, name: channels.get(b.channel) ?? b.channel } : undefined,
        message: b.message,
        response_url: double.responseUrl(`console-${Date.now()}`),
        actions: [
          {
            type: "button",
            action_id: b.actionId,
            block_id: b.blockId,
            value: b.value,
            action_ts: String(Date.now() / 1000),
          },
        ],
      });
      return true;
    }
    if (input.startsWith("/")) {
      const [command = "", ...rest] = input.split(/\s+/);
      await dispatchAndShow({
        token: "console",
        team_id: TEAM_ID,
        team_domain: "capacita",
        channel_id: "CGENERAL",
        channel_name: "general",
        user_id: me,
        user_name: nameOf(me),
        command,
        text: escapeLikeSlack(rest.join(" ")),
        api_app_id: "ACONSOLE",
        response_url: double.responseUrl(`console-${Date.now()}`),
        trigger_id: `console.${Date.now()}`,
      });
      return true;
    }
    say("Type a slash command (/capacita), a button number, or :help.");
    return true;
  };

  say("capacita — local console. No Slack tokens: the app runs here, and what it would post is shown below.");
  say(`You are @${nameOf(me)} (${me}). Type :help for help, /capacita to start.`);
  say(
    "Try: /signin (sessions open now) · /ask cómo anulo una póliza · :user luis then /training list · :user marta then /kpi",
  );
  const rl = readline.createInterface({
    input: opts.input,
    output: opts.terminal ? output : undefined,
    terminal: opts.terminal,
    prompt: "> ",
  });
  const prompt = () => opts.terminal && rl.prompt();
  prompt();
  try {
    for await (const line of rl) {
      buttons = buttons.slice(-50);
      try {
        if (!(await handle(line))) break;
      } catch (e) {
        say(`error: ${(e as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 50)); // let posts made after the ack reach the screen
      prompt();
    }
  } finally {
    rl.close();
    await capacita.stop();
    await database.close();
    await double.close();
  }
}
