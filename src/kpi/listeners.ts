// /kpi: the digest on demand, a past week's, and which channels get it every Monday.

import { ErrorCode, type WebClient } from "@slack/web-api";
import { parseDay } from "../core/days.ts";
import { channelMention, issueKey } from "../core/parse.ts";
import type { Router } from "../core/router.ts";
import { actorOf, type Deps, ephemeral, refusal, unescapeText, within, words } from "../core/slack.ts";
import { digestMessages } from "./blocks.ts";
import { computeDigest, previousWeek, subscribe, unsubscribe, weekOf } from "./service.ts";

/**
 * How long the person waits at most for Slack's answer about a channel: the client would retry for
 * half an hour, and the response URL (the only way to answer) lasts 30 minutes.
 */
const CHECK_DEADLINE_MS = 20_000;

/**
 * Why the digest cannot go to a channel: Slack refused ("refused": unknown, archived, no access) or
 * never gave an answer ("unanswered": a timeout, 429s and 5xx past the client's retries, or the deadline).
 */
export async function cannotPost(
  client: Pick<WebClient, "conversations">,
  channel: string,
  deadlineMs = CHECK_DEADLINE_MS,
): Promise<"refused" | "unanswered" | null> {
  const asked = client.conversations.info({ channel }).then(
    () => null,
    (e: { code?: string }) => (e.code === ErrorCode.PlatformError ? ("refused" as const) : ("unanswered" as const)),
  );
  return within(asked, deadlineMs, "unanswered" as const);
}

export function register(app: Router, deps: Deps): void {
  const { db, clock, config } = deps;
  const zone = config.APP_TIMEZONE;

  app.command("/kpi", async ({ command, ack, respond, client, context }) => {
    const actor = actorOf(context);
    const denied = refusal(actor, "kpi.view");
    if (denied) return ack(ephemeral(denied));
    const [sub = "", arg] = words(unescapeText(command.text));
    const usage = (problem: string) => ack(ephemeral(actor.t("error.usage", { problem, usage: actor.t("usage.kpi") })));
    switch (sub.toLowerCase()) {
      case "":
      case "week":
      case "semana": {
        let weekStart = previousWeek(clock.now(), zone);
        if (sub) {
          const day = parseDay(arg ?? "");
          if (!day) return usage(actor.t("kpi.error.week"));
          weekStart = weekOf(day);
        }
        // A year of data takes a moment: acknowledge first, answer through the response URL.
        await ack();
        const team =
          actor.role === "manager"
            ? ((await db.team.findFirst({ where: { managerId: actor.id } }))?.name ?? null)
            : null;
        const digest = await computeDigest(db, zone, clock.now(), weekStart, team);
        for (const m of digestMessages(digest, actor.t, actor.locale, zone)) await respond(ephemeral(m.text, m.blocks));
        return;
      }
      case "subscribe":
      case "suscribir":
      case "unsubscribe":
      case "desuscribir": {
        const channel = channelMention.safeParse(arg);
        if (!channel.success) return usage(actor.t(issueKey(channel.error)));
        if (!sub.toLowerCase().startsWith("s")) {
          const removed = await unsubscribe(db, channel.data);
          return ack(ephemeral(actor.t(removed ? "kpi.unsubscribed" : "kpi.notSubscribed", { channel: channel.data })));
        }
        // Asking Slack about the channel may wait out its retries: acknowledge first, answer through the response URL.
        await ack();
        const problem = await cannotPost(client, channel.data);
        if (problem) {
          if (problem === "unanswered") deps.logger.warn("conversations.info failed", { channel: channel.data });
          const key = problem === "refused" ? "kpi.error.channel" : "kpi.error.slack";
          return void (await respond(ephemeral(actor.t(key, { channel: channel.data }))));
        }
        const added = await subscribe(db, channel.data, actor.id);
        const key = added ? "kpi.subscribed" : "kpi.alreadySubscribed";
        return void (await respond(ephemeral(actor.t(key, { channel: channel.data }))));
      }
      case "help":
      case "ayuda":
        return ack(ephemeral(actor.t("kpi.help")));
      default:
        return ack(ephemeral(actor.t("error.unknownSubcommand", { sub, command: "/kpi" })));
    }
  });
}
