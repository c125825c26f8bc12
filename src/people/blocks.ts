import type { MessageKey } from "../core/i18n/index.ts";
import { can } from "../core/roles.ts";
import type { Actor } from "../core/slack.ts";

/** /capacita help: only the commands the reader's role may use. */
export function helpBlocks(actor: Actor) {
  const { t } = actor;
  const lines: MessageKey[] = ["help.signin", "help.ask"];
  if (can(actor.role, "training.manage")) lines.push("help.training", "help.newhire");
  if (can(actor.role, "followups.manage")) lines.push("help.followup");
  if (can(actor.role, "kpi.view")) lines.push("help.kpi");
  if (can(actor.role, "faq.manage")) lines.push("help.faq");
  if (can(actor.role, "roles.manage")) lines.push("help.admin");
  const text = `${t("help.intro", { user: actor.id, role: t(`role.${actor.role}`) })}\n${lines.map((k) => `• ${t(k)}`).join("\n")}`;
  return {
    text,
    blocks: [
      { type: "header", text: { type: "plain_text", text: t("help.title") } },
      { type: "section", text: { type: "mrkdwn", text } },
      { type: "context", elements: [{ type: "mrkdwn", text: t("help.footer") }] },
    ],
  };
}
