// /training, /signin, the RSVP buttons, the trainer's buttons and the new-session modal.
import type { BlockAction, ButtonAction } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import { stringify } from "csv-stringify/sync";
import { DateTime } from "luxon";
import { groupCommit } from "../core/batch.ts";
import { truncate } from "../core/blocks.ts";
import { translator } from "../core/i18n/index.ts";
import { issueKey } from "../core/parse.ts";
import type { Router } from "../core/router.ts";
import { type Actor, actorOf, type Deps, ephemeral, refusal, unescapeText } from "../core/slack.ts";
import { formatOffice, monthRange } from "../core/time.ts";
import { localesOf } from "../people/service.ts";
import {
  ACTIONS,
  codeMessage,
  esc,
  listMessage,
  NEW_SESSION_VIEW,
  newSessionModal,
  noticeMessage,
  type Office,
  openSessionsMessage,
  ratingMessage,
  rosterMessage,
} from "./blocks.ts";
import {
  type NewSessionFields,
  newSessionSchema,
  ratingValue,
  sessionIdValue,
  splitOneLine,
  toNewSession,
} from "./input.ts";
import {
  type AttendanceRow,
  attendance,
  cancelSession,
  createSession,
  discardSession,
  findSession,
  getSession,
  KINDS,
  mayManage,
  openSessions,
  rate,
  roster,
  rsvp,
  rsvpCounts,
  type SignInOutcome,
  type SignInRequest,
  setNotice,
  signInMany,
  type TrainingSession,
  upcomingSessions,
} from "./service.ts";

interface NoticeRefresh {
  /** Refreshes asked for so far. */
  asked: number;
  waiting: { asked: number; done: () => void; failed: (e: unknown) => void }[];
}

/** Errors that mean "the bot cannot post there", shown to the trainer as such. */
const CHANNEL_ERRORS = new Set([
  "channel_not_found",
  "not_in_channel",
  "is_archived",
  "restricted_action",
  "no_permission",
]);
const slackError = (e: unknown) => (e as { data?: { error?: string } }).data?.error;
/** Text people typed (titles, Slack names) that a spreadsheet would run as a formula stays text. */
const cell = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

export function register(app: Router, deps: Deps): void {
  const { db, clock, config } = deps;
  const office: Office = { zone: config.APP_TIMEZONE, locale: config.DEFAULT_LOCALE };
  // The notice is public: it speaks the office's language.
  const officeT = translator(config.DEFAULT_LOCALE);
  const mine = (actor: Actor): Office => ({ zone: config.APP_TIMEZONE, locale: actor.locale });

  async function announce(
    client: WebClient,
    actor: Actor,
    fields: NewSessionFields,
  ): Promise<{ ok: true; session: TrainingSession } | { ok: false; field: string; message: string }> {
    const parsed = newSessionSchema(config.APP_TIMEZONE).safeParse(fields);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        ok: false,
        field: String(issue?.path[0] ?? "title"),
        message: actor.t(issueKey(parsed.error), { kinds: KINDS.join(", ") }),
      };
    }
    const created = await createSession(db, clock, actor.id, toNewSession(parsed.data));
    if (!created.ok) return { ok: false, field: "when", message: actor.t(created.key, created.vars) };
    const session = created.value;
    try {
      const posted = await client.chat.postMessage({
        channel: session.channelId,
        ...noticeMessage(session, { yes: 0, no: 0 }, officeT, office),
      });
      await setNotice(db, session.id, posted.ts as string);
    } catch (e) {
      await discardSession(db, session.id);
      if (CHANNEL_ERRORS.has(slackError(e) ?? ""))
        return { ok: false, field: "channel", message: actor.t("training.error.channel") };
      throw e;
    }
    await client.chat.postMessage({ channel: actor.id, ...codeMessage(session, actor.t, mine(actor)) });
    return { ok: true, session };
  }

  /**
   * Brings a notice up to date after an RSVP or a cancellation. Updates sent at once (a burst of
   * RSVPs, Slack's retries, other processes) can land out of order, so one refresh per session runs
   * here at a time: it reads the counts, updates the notice, and reads again until the notice shows
   * what is stored. Each caller waits for the first update made after its change.
   */
  const refreshes = new Map<number, NoticeRefresh>();
  function refreshNotice(client: WebClient, session: TrainingSession): Promise<void> {
    return new Promise((done, failed) => {
      const running = refreshes.get(session.id);
      const r = running ?? { asked: 0, waiting: [] };
      r.asked += 1;
      r.waiting.push({ asked: r.asked, done, failed });
      if (running) return;
      refreshes.set(session.id, r);
      void runRefresh(client, session.id, r);
    });
  }

  async function runRefresh(client: WebClient, id: number, r: NoticeRefresh): Promise<void> {
    let shown = "";
    try {
      for (;;) {
        // Every change asked for so far is in what this read sees.
        const covered = r.asked;
        const [current, counts] = await Promise.all([getSession(db, id), rsvpCounts(db, id)]);
        const state = current?.noticeTs ? `${current.status}:${counts.yes}:${counts.no}` : shown;
        const changed = state !== shown;
        if (changed && current?.noticeTs) {
          await client.chat.update({
            channel: current.channelId,
            ts: current.noticeTs,
            ...noticeMessage(current, counts, officeT, office),
          });
        }
        shown = state;
        const served = r.waiting.filter((w) => w.asked <= covered);
        r.waiting = r.waiting.filter((w) => w.asked > covered);
        for (const w of served) w.done();
        if (!changed && r.waiting.length === 0) return;
      }
    } catch (e) {
      for (const w of r.waiting) w.failed(e);
    } finally {
      refreshes.delete(id);
    }
  }

  async function dmTo(client: WebClient, userId: string): Promise<string> {
    const opened = await client.conversations.open({ users: userId });
    return opened.channel?.id as string;
  }

  async function exportCsv(client: WebClient, actor: Actor, rows: AttendanceRow[], what: string, filename: string) {
    const csv = stringify(
      rows.map((r) => [
        r.sessionId,
        cell(r.title),
        r.kind,
        formatOffice(r.startsAt, config.APP_TIMEZONE, "en", "yyyy-MM-dd HH:mm"),
        r.userId,
        cell(r.userName),
        r.rsvp,
        r.signedInAt ? formatOffice(r.signedInAt, config.APP_TIMEZONE, "en", "yyyy-MM-dd HH:mm:ss") : "",
        r.late === null ? "" : r.late ? "yes" : "no",
        r.rating ?? "",
      ]),
      {
        header: true,
        columns: [
          "session id",
          "title",
          "kind",
          "date",
          "user id",
          "user name",
          "RSVP",
          "signed in at",
          "late",
          "rating",
        ],
      },
    );
    await client.filesUploadV2({
      channel_id: await dmTo(client, actor.id),
      content: csv,
      filename,
      title: filename,
      initial_comment: actor.t("training.export.comment", { what }),
    });
  }

  app.command("/training", async ({ command, ack, respond, client, context }) => {
    const actor = actorOf(context);
    const denied = refusal(actor, "training.manage");
    if (denied) return ack(ephemeral(denied));
    const text = unescapeText(command.text).trim();
    const [sub = "new", ...restWords] = text.split(/\s+/).filter(Boolean);
    const rest = text.slice(text.indexOf(sub) + sub.length).trim();
    const usage = (which: "new" | "roster" | "export" | "cancel", problem: string) =>
      ack(ephemeral(actor.t("error.usage", { problem, usage: actor.t(`usage.training.${which}`) })));

    switch (sub.toLowerCase()) {
      case "new":
      case "nueva": {
        if (!rest) {
          await ack();
          const today = DateTime.fromJSDate(clock.now(), { zone: config.APP_TIMEZONE })
            .plus({ days: 1 })
            .toISODate() as string;
          try {
            await client.views.open({
              trigger_id: command.trigger_id,
              view: newSessionModal(actor.t, mine(actor), {
                channelId: command.channel_id.startsWith("C") ? command.channel_id : undefined,
                date: today,
              }),
            });
          } catch (e) {
            // An expired trigger (a slow moment) leaves the person the one-line form, not a generic error.
            deps.logger.warn("views.open failed", { error: slackError(e) ?? (e as Error).message });
            await respond(ephemeral(actor.t("training.modal.needsTrigger", { usage: actor.t("usage.training.new") })));
          }
          return;
        }
        const fields = splitOneLine(rest);
        // Validate before acknowledging so a mistake comes straight back with the right form.
        const check = newSessionSchema(config.APP_TIMEZONE).safeParse(fields);
        if (!check.success) return usage("new", actor.t(issueKey(check.error), { kinds: KINDS.join(", ") }));
        await ack();
        const result = await announce(client, actor, fields);
        if (!result.ok)
          return void (await respond(
            ephemeral(actor.t("error.usage", { problem: result.message, usage: actor.t("usage.training.new") })),
          ));
        const s = result.session;
        await respond(
          ephemeral(actor.t("training.created", { title: esc(s.title), channel: s.channelId, code: s.code })),
        );
        return;
      }
      case "list":
      case "lista": {
        const m = listMessage(await upcomingSessions(db, clock), actor.t, mine(actor), (s) => mayManage(s, actor));
        return ack(ephemeral(m.text, m.blocks));
      }
      case "roster":
      case "asistentes": {
        if (!restWords[0]) return usage("roster", actor.t("training.error.notFound", { ref: "" }));
        const session = await findSession(db, restWords[0]);
        if (!session) return usage("roster", actor.t("training.error.notFound", { ref: esc(restWords[0]) }));
        const m = rosterMessage(await roster(db, session), actor.t, mine(actor));
        return ack(ephemeral(m.text, m.blocks));
      }
      case "export":
      case "exportar": {
        const ref = restWords[0];
        if (!ref) return usage("export", actor.t("training.error.month"));
        const month = /^\d{4}-\d{2}$/.test(ref) ? monthRange(ref, config.APP_TIMEZONE) : null;
        if (/^\d{4}-\d{2}$/.test(ref) && !month) return usage("export", actor.t("training.error.month"));
        const session = month ? null : await findSession(db, ref);
        if (!month && !session) return usage("export", actor.t("training.error.notFound", { ref: esc(ref) }));
        await ack();
        const rows = await attendance(db, month ?? { sessionId: (session as TrainingSession).id });
        const what = month ? ref : `${esc(session?.title ?? "")} (#${session?.id})`;
        if (rows.length === 0) return void (await respond(ephemeral(actor.t("training.export.empty", { what }))));
        await exportCsv(
          client,
          actor,
          rows,
          what,
          month ? `asistencia-${ref}.csv` : `asistencia-sesion-${session?.id}.csv`,
        );
        await respond(ephemeral(actor.t("training.export.sent", { rows: rows.length })));
        return;
      }
      case "cancel":
      case "cancelar": {
        const id = sessionIdValue.safeParse(restWords[0] ?? "");
        if (!id.success) return usage("cancel", actor.t("training.error.notFound", { ref: esc(restWords[0] ?? "") }));
        await ack();
        await respond(ephemeral(await cancel(client, actor, id.data)));
        return;
      }
      case "help":
      case "ayuda":
        return ack(ephemeral(actor.t("training.help", { kinds: KINDS.join(", ") })));
      default:
        return ack(ephemeral(actor.t("error.unknownSubcommand", { sub: esc(sub), command: "/training" })));
    }
  });

  async function cancel(client: WebClient, actor: Actor, id: number): Promise<string> {
    const outcome = await cancelSession(db, clock, id, actor);
    switch (outcome.kind) {
      case "unknown":
        return actor.t("training.error.notFound", { ref: String(id) });
      case "forbidden":
        return actor.t("training.error.notYours");
      case "already":
        return actor.t("training.cancel.already", { title: esc(outcome.session.title) });
      case "cancelled": {
        const s = outcome.session;
        await refreshNotice(client, s);
        const locales = await localesOf(db, outcome.notify, config.DEFAULT_LOCALE);
        for (const userId of outcome.notify) {
          const locale = locales.get(userId) ?? config.DEFAULT_LOCALE;
          const when = formatOffice(s.startsAt, config.APP_TIMEZONE, locale);
          await client.chat.postMessage({
            channel: userId,
            text: translator(locale)("training.cancel.dm", { title: esc(s.title), when }),
          });
        }
        return actor.t("training.cancel.done", { title: esc(s.title), count: outcome.notify.length });
      }
    }
  }

  // Sign-ins arriving while a batch is being written share the next round trip.
  const signIns = groupCommit<SignInRequest, SignInOutcome>((requests) => signInMany(db, clock, requests), 200);

  app.command("/signin", async ({ command, ack, context }) => {
    const actor = actorOf(context);
    const code = unescapeText(command.text).trim();
    if (!code) return ack(ephemeral(openSessionsMessage(await openSessions(db, clock), actor.t, mine(actor)).text));
    const outcome = await signIns.load({ userId: actor.id, code });
    const time = (at: Date) => formatOffice(at, config.APP_TIMEZONE, actor.locale, "HH:mm");
    switch (outcome.kind) {
      case "signedIn":
        return ack(
          ephemeral(
            actor.t(outcome.late ? "training.signin.late" : "training.signin.ok", {
              title: esc(outcome.session.title),
              time: time(outcome.at),
            }),
          ),
        );
      case "already":
        return ack(
          ephemeral(
            actor.t("training.signin.already", {
              title: esc(outcome.session.title),
              time: time(outcome.at),
              late: outcome.late ? actor.t("training.signin.alreadyLate") : "",
            }),
          ),
        );
      case "notOpen":
        return ack(
          ephemeral(
            actor.t("training.signin.notOpen", {
              title: esc(outcome.session.title),
              opens: formatOffice(outcome.opensAt, config.APP_TIMEZONE, actor.locale),
            }),
          ),
        );
      case "closed":
        return ack(ephemeral(actor.t("training.signin.closed", { title: esc(outcome.session.title) })));
      case "cancelled":
        return ack(ephemeral(actor.t("training.signin.cancelled", { title: esc(outcome.session.title) })));
      case "unknown":
        return ack(ephemeral(actor.t("training.signin.unknown", { code: esc(truncate(code, 20)) })));
    }
  });

  for (const [actionId, attending] of [
    [ACTIONS.rsvpYes, true],
    [ACTIONS.rsvpNo, false],
  ] as const) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ action, ack, respond, client, context }) => {
      await ack();
      const actor = actorOf(context);
      // Always a new private message: the public notice the button sits on must never be replaced.
      const answer = (text: string) => respond({ ...ephemeral(text), replace_original: false });
      const id = sessionIdValue.safeParse(action.value);
      if (!id.success) return void (await answer(actor.t("training.error.notFound", { ref: "" })));
      const outcome = await rsvp(db, clock, id.data, actor.id, attending);
      if (outcome.kind === "unknown")
        return void (await answer(actor.t("training.error.notFound", { ref: String(id.data) })));
      const title = esc(outcome.session.title);
      if (outcome.kind !== "recorded") return void (await answer(actor.t(`training.rsvp.${outcome.kind}`, { title })));
      await refreshNotice(client, outcome.session);
      await answer(actor.t(attending ? "training.rsvp.yes" : "training.rsvp.no", { title }));
    });
  }

  /** The trainer's buttons: same role guard as the commands, plus "your own session". */
  async function managedSession(actor: Actor, value: string | undefined): Promise<TrainingSession | string> {
    const denied = refusal(actor, "training.manage");
    if (denied) return denied;
    const id = sessionIdValue.safeParse(value ?? "");
    const session = id.success ? await findSession(db, String(id.data)) : null;
    if (!session) return actor.t("training.error.notFound", { ref: esc(value ?? "") });
    if (!mayManage(session, actor)) return actor.t("training.error.notYours");
    return session;
  }

  app.action<BlockAction<ButtonAction>>(ACTIONS.roster, async ({ action, ack, respond, context }) => {
    await ack();
    const actor = actorOf(context);
    const session = await managedSession(actor, action.value);
    if (typeof session === "string") return void (await respond({ ...ephemeral(session), replace_original: false }));
    const m = rosterMessage(await roster(db, session), actor.t, mine(actor));
    await respond({ ...ephemeral(m.text, m.blocks), replace_original: false });
  });

  app.action<BlockAction<ButtonAction>>(ACTIONS.cancel, async ({ action, ack, respond, client, context }) => {
    await ack();
    const actor = actorOf(context);
    const session = await managedSession(actor, action.value);
    if (typeof session === "string") return void (await respond({ ...ephemeral(session), replace_original: false }));
    await respond({ ...ephemeral(await cancel(client, actor, session.id)), replace_original: false });
  });

  app.view(NEW_SESSION_VIEW, async ({ ack, view, client, context }) => {
    const actor = actorOf(context);
    const denied = refusal(actor, "training.manage");
    if (denied) return ack({ response_action: "errors", errors: { title: denied } });
    const v = view.state.values;
    const value = (block: string) => v[block]?.value;
    const fields: NewSessionFields = {
      title: value("title")?.value ?? "",
      kind: value("kind")?.selected_option?.value ?? "other",
      when: `${value("date")?.selected_date ?? ""} ${value("time")?.selected_time ?? ""}`,
      minutes: value("duration")?.value ?? "",
      channel: value("channel")?.selected_conversation ?? "",
      place: value("place")?.value ?? null,
      capacity: value("capacity")?.value ?? null,
      description: value("description")?.value ?? null,
    };
    // Errors go back inline, next to the field; the session exists only once its notice is posted.
    const blockOf: Record<string, string> = { when: "date", minutes: "duration" };
    const result = await announce(client, actor, fields);
    if (!result.ok)
      return ack({ response_action: "errors", errors: { [blockOf[result.field] ?? result.field]: result.message } });
    await ack();
  });

  // Rating buttons (1–5) in the DM sent when a session ends: one rating per person, changeable.
  app.action<BlockAction<ButtonAction>>(/^training\.rate\.[1-5]$/, async ({ action, ack, respond, context }) => {
    await ack();
    const actor = actorOf(context);
    const parsed = ratingValue.safeParse(action.value);
    if (!parsed.success)
      return void (await respond({
        ...ephemeral(actor.t("training.error.notFound", { ref: "" })),
        replace_original: false,
      }));
    const outcome = await rate(db, parsed.data.sessionId, actor.id, parsed.data.stars);
    if (outcome.kind !== "rated") {
      const text =
        outcome.kind === "notSignedIn"
          ? actor.t("training.rating.notSignedIn")
          : actor.t("training.error.notFound", { ref: String(parsed.data.sessionId) });
      return void (await respond({ ...ephemeral(text), replace_original: false }));
    }
    await respond({ ...ratingMessage(outcome.session, actor.t, outcome.stars), replace_original: true });
  });
}
