// The App Home tab: published when a person opens it, and again after they change
// what it shows (an RSVP, a follow-up logged, a question answered).
import type { AnyMiddlewareArgs } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { Router } from "../core/router.ts";
import { type Actor, actorOf, type Deps } from "../core/slack.ts";
import { VIEWS as FAQ_VIEWS } from "../faq/blocks.ts";
import { LOG_VIEW } from "../followups/blocks.ts";
import { ACTIONS as TRAINING_ACTIONS } from "../training/blocks.ts";
import { homeView } from "./blocks.ts";
import { homeOf } from "./service.ts";

const CHANGING_ACTIONS = new Set<string>([TRAINING_ACTIONS.rsvpYes, TRAINING_ACTIONS.rsvpNo]);
const CHANGING_VIEWS = new Set<string>([LOG_VIEW, FAQ_VIEWS.answer]);

/** An interaction whose handler (in another feature) changes what the person's Home shows. */
function changesHome(body: AnyMiddlewareArgs["body"]): boolean {
  const b = body as { type?: string; actions?: { action_id?: string }[]; view?: { callback_id?: string } };
  if (b.type === "block_actions") return (b.actions ?? []).some((a) => CHANGING_ACTIONS.has(a.action_id ?? ""));
  if (b.type === "view_submission") return CHANGING_VIEWS.has(b.view?.callback_id ?? "");
  return false;
}

export function register({ app }: Router, deps: Deps): void {
  const { db, clock, config, logger } = deps;
  // One publish at a time per person, so the last one out carries the newest state.
  const queues = new Map<string, Promise<void>>();

  async function publish(client: WebClient, actor: Actor): Promise<void> {
    const home = await homeOf(db, clock, { userId: actor.id, role: actor.role, zone: config.APP_TIMEZONE });
    const view = homeView(home, { t: actor.t, locale: actor.locale, zone: config.APP_TIMEZONE, role: actor.role });
    await client.views.publish({ user_id: actor.id, view });
  }

  function refresh(client: WebClient, actor: Actor): Promise<void> {
    const run = (queues.get(actor.id) ?? Promise.resolve())
      .then(() => publish(client, actor))
      .catch((e) => logger.warn("home not published", { user: actor.id, error: (e as Error).message }))
      .finally(() => {
        if (queues.get(actor.id) === run) queues.delete(actor.id);
      });
    queues.set(actor.id, run);
    return run;
  }

  app.event("app_home_opened", async ({ event, client, context }) => {
    if (event.tab !== "home") return;
    await refresh(client, actorOf(context));
  });

  // A middleware, not a second listener: Bolt runs listeners side by side, so a listener could read
  // the Home before training's own listener has written the RSVP. `next()` returns after all of them.
  app.use(async ({ body, client, context, next }) => {
    try {
      await next();
    } finally {
      if (context.actor && changesHome(body)) await refresh(client, actorOf(context));
    }
  });
}
