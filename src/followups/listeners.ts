// /newhire, /followup, the "Log follow-up" button and its modal.
import type { BlockAction, ButtonAction } from "@slack/bolt";
import { z } from "zod";
import { dayString, officeDay, parseDay } from "../core/days.ts";
import { type MessageKey, translator, type Vars } from "../core/i18n/index.ts";
import { issueKey, userMention, viewMetadata } from "../core/parse.ts";
import type { Router } from "../core/router.ts";
import { type Actor, actorOf, type Deps, ephemeral, refusal, unescapeText, words } from "../core/slack.ts";
import { localesOf } from "../people/service.ts";
import { dueMessage, LOG_ACTION, LOG_VIEW, logModal, newHireListMessage, OUTCOMES } from "./blocks.ts";
import {
  closedSince,
  type DueCheckpoint,
  dueCheckpoints,
  logFollowup,
  mayLog,
  newHiresOf,
  type Outcome,
  recordLeft,
  registerNewHire,
} from "./service.ts";

const day = z.string({ message: "followups.error.date" }).transform((s, ctx) => {
  const d = parseDay(s);
  if (d) return d;
  ctx.addIssue({ code: "custom", message: "followups.error.date" });
  return z.NEVER;
});
const checkpointId = z
  .string()
  .regex(/^#?\d{1,9}$/, "followups.error.checkpoint")
  .transform((s) => Number(s.replace("#", "")));
const notes = z.string().max(2000, "followups.error.notes");
// Each word is checked in order, so the reply names the first one that is wrong.
const addArgs = z.tuple([userMention, day, userMention.optional()]);
const leftArgs = z.tuple([userMention, day]);
/** Parses command words against a tuple, naming the first wrong word; words beyond it are refused. */
function argsOf<S extends z.ZodTuple>(schema: S, tokens: string[], size: number) {
  const parsed = schema.safeParse(Array.from({ length: size }, (_, i) => tokens[i]));
  if (!parsed.success) return { success: false as const, key: issueKey(parsed.error) };
  if (tokens.length > size) return { success: false as const, key: "error.invalidInput" as const };
  return { success: true as const, data: parsed.data as z.output<S> };
}
const logSubmission = z.object({
  checkpointId: z.number().int().positive(),
  channel: z.string().optional(),
  ts: z.string().optional(),
});

export function register(app: Router, deps: Deps): void {
  const { db, clock, config, logger } = deps;
  const zone = config.APP_TIMEZONE;
  const today = () => officeDay(clock.now(), zone);

  app.command("/newhire", async ({ command, ack, context }) => {
    const actor = actorOf(context);
    const denied = refusal(actor, "training.manage");
    if (denied) return ack(ephemeral(denied));
    const [sub = "help", ...rest] = words(unescapeText(command.text));
    const usage = (which: "add" | "left", problem: string) =>
      ack(ephemeral(actor.t("error.usage", { problem, usage: actor.t(`usage.newhire.${which}`) })));
    // Someone else's new hire is a matter of who, not of form: no "right form" under it.
    const refused = (which: "add" | "left", r: { key: MessageKey; vars?: Vars }) =>
      r.key === "followups.error.notYourHire"
        ? ack(ephemeral(actor.t(r.key, r.vars)))
        : usage(which, actor.t(r.key, r.vars));
    switch (sub.toLowerCase()) {
      case "help":
      case "ayuda":
        return ack(ephemeral(actor.t("followups.help", { days: config.FOLLOWUP_DAYS.join(", ") })));
      case "list":
      case "lista": {
        // Trainers see their own new hires; admins see everyone's.
        const hires = await newHiresOf(db, actor.role === "admin" ? null : actor.id);
        const m = newHireListMessage(hires, today(), actor.t);
        return ack(ephemeral(m.text, m.blocks));
      }
      case "left":
      case "baja": {
        const args = argsOf(leftArgs, rest, 2);
        if (!args.success) return usage("left", actor.t(args.key));
        const [user, date] = args.data;
        const result = await recordLeft(db, clock, user, date, actor);
        if (!result.ok) return refused("left", result);
        return ack(ephemeral(actor.t("followups.left", { user, date: dayString(date) })));
      }
      default: {
        const args = argsOf(addArgs, [sub, ...rest], 3);
        if (!args.success) return usage("add", actor.t(args.key));
        const [user, start, trainer = actor.id] = args.data;
        const result = await registerNewHire(db, clock, zone, actor, {
          userId: user,
          startDate: start,
          trainerId: trainer,
          days: config.FOLLOWUP_DAYS,
        });
        if (!result.ok) return refused("add", result);
        const { hire, updated } = result.value;
        const checkpoints = hire.checkpoints.map((c) => `${c.day} (${dayString(c.dueOn)})`).join(", ");
        return ack(
          ephemeral(
            actor.t(updated ? "followups.updated" : "followups.registered", {
              user,
              start: dayString(start),
              trainer,
              checkpoints,
            }),
          ),
        );
      }
    }
  });

  /** What a person is to follow up: their own as trainer; a manager or admin sees all due. */
  const dueFor = (actor: Actor) => dueCheckpoints(db, today(), actor.role === "trainer" ? actor.id : null);

  app.command("/followup", async ({ command, ack, context }) => {
    const actor = actorOf(context);
    const denied = refusal(actor, "followups.manage");
    if (denied) return ack(ephemeral(denied));
    const [sub = "", ...rest] = words(unescapeText(command.text));
    if (sub === "") {
      const m = dueMessage(await dueFor(actor), today(), actor.t);
      return ack(ephemeral(m.text, m.blocks));
    }
    if (sub.toLowerCase() !== "done" && sub.toLowerCase() !== "hecho") {
      return ack(ephemeral(actor.t("error.unknownSubcommand", { sub, command: "/followup" })));
    }
    const args = z.tuple([checkpointId, notes]).safeParse([rest[0] ?? "", rest.slice(1).join(" ")]);
    if (!args.success) {
      return ack(
        ephemeral(
          actor.t("error.usage", { problem: actor.t(issueKey(args.error)), usage: actor.t("usage.followup.done") }),
        ),
      );
    }
    const [id, text] = args.data;
    return ack(ephemeral(await log(actor, id, "reached", text || null)));
  });

  async function log(actor: Actor, id: number, outcome: Outcome, text: string | null): Promise<string> {
    const result = await logFollowup(db, clock, zone, id, actor, outcome, text);
    switch (result.kind) {
      case "unknown":
        return actor.t("followups.error.checkpoint");
      case "forbidden":
        return actor.t("followups.error.forbidden");
      case "already":
        return actor.t("followups.already", {
          id,
          outcome: actor.t(`followups.outcome.${result.checkpoint.state as Outcome}`),
        });
      case "logged":
        return actor.t("followups.logged", {
          id,
          user: result.checkpoint.newHire.userId,
          outcome: actor.t(`followups.outcome.${outcome}`),
        });
    }
  }

  app.action<BlockAction<ButtonAction>>(LOG_ACTION, async ({ action, ack, body, client, respond, context }) => {
    await ack();
    const actor = actorOf(context);
    const refuse = (text: string) => respond({ ...ephemeral(text), replace_original: false });
    const denied = refusal(actor, "followups.manage");
    if (denied) return void (await refuse(denied));
    const id = checkpointId.safeParse(action.value ?? "");
    const checkpoint = id.success
      ? await db.checkpoint.findUnique({ where: { id: id.data }, include: { newHire: true } })
      : null;
    if (!checkpoint) return void (await refuse(actor.t("followups.error.checkpoint")));
    if (!(await mayLog(db, checkpoint, actor))) return void (await refuse(actor.t("followups.error.forbidden")));
    if (checkpoint.state !== "open") {
      return void (await refuse(
        actor.t("followups.already", {
          id: checkpoint.id,
          outcome: actor.t(`followups.outcome.${checkpoint.state as Outcome}`),
        }),
      ));
    }
    await client.views.open({
      trigger_id: body.trigger_id,
      // A DM can be updated in place once the follow-up is logged; an ephemeral list (from /followup) cannot.
      view: logModal(
        checkpoint as DueCheckpoint,
        actor.t,
        body.container?.is_ephemeral ? {} : { channel: body.container?.channel_id, ts: body.container?.message_ts },
      ),
    });
  });

  app.view(LOG_VIEW, async ({ ack, view, client, context }) => {
    const actor = actorOf(context);
    const inline = (block: "outcome" | "notes", text: string) =>
      ack({ response_action: "errors", errors: { [block]: text } });
    const denied = refusal(actor, "followups.manage");
    if (denied) return inline("outcome", denied);
    const meta = logSubmission.safeParse(viewMetadata(view.private_metadata));
    const outcome = z
      .enum(OUTCOMES as [Outcome, ...Outcome[]])
      .safeParse(view.state.values.outcome?.value?.selected_option?.value);
    const text = notes.safeParse(view.state.values.notes?.value?.value ?? "");
    if (!meta.success) return inline("outcome", actor.t("followups.error.checkpoint"));
    if (!outcome.success) return inline("outcome", actor.t("error.invalidInput"));
    if (!text.success) return inline("notes", actor.t("followups.error.notes"));
    const result = await logFollowup(db, clock, zone, meta.data.checkpointId, actor, outcome.data, text.data || null);
    if (result.kind === "forbidden") return inline("outcome", actor.t("followups.error.forbidden"));
    if (result.kind === "unknown") return inline("outcome", actor.t("followups.error.checkpoint"));
    if (result.kind === "already") {
      const state = result.checkpoint.state as Outcome;
      return inline(
        "outcome",
        actor.t("followups.already", { id: result.checkpoint.id, outcome: actor.t(`followups.outcome.${state}`) }),
      );
    }
    await ack();
    // The list the button came from is updated in place, in its reader's language: this one shows as done.
    const { channel, ts } = meta.data;
    if (!channel || !ts) return;
    const trainerId = result.checkpoint.newHire.trainerId;
    const locale = (await localesOf(db, [trainerId], config.DEFAULT_LOCALE)).get(trainerId) ?? config.DEFAULT_LOCALE;
    const due = await dueCheckpoints(db, today(), trainerId);
    const done = await closedSince(db, trainerId, new Date(clock.now().getTime() - 24 * 3600_000));
    try {
      await client.chat.update({ channel, ts, ...dueMessage(due, today(), translator(locale), done) });
    } catch (e) {
      // The follow-up is logged; an old or deleted list simply stays as it was.
      logger.warn("follow-up list not updated", { channel, ts, error: (e as Error).message });
    }
  });
}
