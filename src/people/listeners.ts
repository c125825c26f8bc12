// /capacita: help for everyone; roles, teams and team managers for admins.

import { z } from "zod";
import { issueKey, userMention } from "../core/parse.ts";
import { ROLES } from "../core/roles.ts";
import type { Router } from "../core/router.ts";
import { actorOf, type Deps, ephemeral, forgetActor, refusal, unescapeText, words } from "../core/slack.ts";
import { helpBlocks } from "./blocks.ts";
import { setRole, setTeam, setTeamManager } from "./service.ts";

const teamName = z.string().trim().min(1, "error.teamName").max(60, "error.teamName");
const roleArgs = z.tuple([userMention, z.enum(ROLES, { message: "error.roleName" })]);

export function register(app: Router, { db, clock }: Deps): void {
  app.command("/capacita", async ({ command, ack, context }) => {
    const actor = actorOf(context);
    const [sub = "help", ...rest] = words(unescapeText(command.text));
    const usage = (which: "role" | "team" | "manager", problem: string) =>
      ack(ephemeral(actor.t("error.usage", { problem, usage: actor.t(`usage.capacita.${which}`) })));

    switch (sub.toLowerCase()) {
      case "help":
      case "ayuda": {
        const help = helpBlocks(actor);
        return ack(ephemeral(help.text, help.blocks));
      }
      case "role":
      case "rol": {
        const denied = refusal(actor, "roles.manage");
        if (denied) return ack(ephemeral(denied));
        const args = roleArgs.safeParse(rest);
        if (!args.success) return usage("role", actor.t(issueKey(args.error)));
        const [user, role] = args.data;
        const result = await setRole(db, actor.id, user, role);
        forgetActor(user);
        if (!result.ok) return ack(ephemeral(actor.t(result.key, result.vars)));
        return ack(ephemeral(actor.t("roles.set", { user, role: actor.t(`role.${role}`) })));
      }
      case "team":
      case "equipo": {
        const denied = refusal(actor, "roles.manage");
        if (denied) return ack(ephemeral(denied));
        const args = z.tuple([userMention, teamName]).safeParse([rest[0], rest.slice(1).join(" ")]);
        if (!args.success) return usage("team", actor.t(issueKey(args.error)));
        const [user, team] = args.data;
        await setTeam(db, user, team);
        return ack(ephemeral(actor.t("teams.member", { user, team })));
      }
      case "manager":
      case "responsable": {
        const denied = refusal(actor, "roles.manage");
        if (denied) return ack(ephemeral(denied));
        const args = z.tuple([teamName, userMention]).safeParse([rest.slice(0, -1).join(" "), rest.at(-1)]);
        if (!args.success) return usage("manager", actor.t(issueKey(args.error)));
        const [team, user] = args.data;
        await setTeamManager(db, clock, team, user);
        return ack(ephemeral(actor.t("teams.manager", { user, team })));
      }
      default:
        return ack(ephemeral(actor.t("error.unknownSubcommand", { sub, command: "/capacita" })));
    }
  });
}
