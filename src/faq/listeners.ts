// /ask for everyone; /faq, the "Answer" loop and the entry modals for admins.
import type { BlockAction, ButtonAction } from "@slack/bolt";
import type { KnownBlock } from "@slack/types";
import { z } from "zod";
import { esc, truncate } from "../core/blocks.ts";
import { translator } from "../core/i18n/index.ts";
import { enqueue } from "../core/outbox.ts";
import { issueKey, viewMetadata } from "../core/parse.ts";
import type { Result } from "../core/result.ts";
import type { Router } from "../core/router.ts";
import { type Actor, actorOf, type Deps, ephemeral, refusal, unescapeText, within } from "../core/slack.ts";
import { admins, localesOf } from "../people/service.ts";
import {
  ACTIONS,
  answerMessage,
  answerModal,
  dontKnowMessage,
  entryMessage,
  entryModal,
  listMessage,
  messageModal,
  outOfScopeDone,
  sharedMessage,
  unansweredMessage,
  unansweredNotice,
  VIEWS,
} from "./blocks.ts";
import {
  addEntry,
  answerQuestion,
  ask,
  closestEntries,
  editEntry,
  entrySchema,
  type FaqEntry,
  type FaqQuery,
  FaqSearch,
  getEntry,
  getQuery,
  isOpen,
  listEntries,
  markOutOfScope,
  parseTags,
  parseVariants,
  recordFeedback,
  removeEntry,
  reopenQuestion,
  unansweredList,
} from "./service.ts";

/** How long the "Answer" button waits for the entries closest to the question before opening the modal. */
const CLOSEST_WITHIN_MS = 1_000;

const question = z.string().trim().min(1, "faq.error.empty").max(500, "faq.error.tooLong");
const queryIdValue = z
  .string()
  .regex(/^\d{1,9}$/)
  .transform(Number);
const entryIdValue = z
  .string()
  .trim()
  .regex(/^[\w.-]{1,60}$/);
/** What replaces a message: its text, and its blocks if any. */
type Message = { text: string; blocks?: KnownBlock[] };
type Values = Record<string, Record<string, { value?: string | null; selected_option?: { value: string } | null }>>;

/**
 * A modal's entry; tags arrive as one text ("a; b"), other ways to ask one per line, and a crafted
 * payload's non-text is refused inline.
 */
const viewEntry = entrySchema.extend({
  tags: z.string({ message: "faq.error.tags" }).nullish().transform(parseTags).pipe(entrySchema.shape.tags),
  variants: z
    .string({ message: "faq.error.variants" })
    .nullish()
    .transform(parseVariants)
    .pipe(entrySchema.shape.variants.unwrap()),
});

/** A modal's inline error: on the field the first issue names (else `fallback`), in the person's language. */
const fieldError = (actor: Actor, error: z.ZodError, fallback: string) => ({
  response_action: "errors" as const,
  errors: { [String(error.issues[0]?.path[0] ?? fallback)]: actor.t(issueKey(error)) },
});

function entryFromView(values: Values) {
  return viewEntry.safeParse({
    question: values.question?.value?.value ?? "",
    answer: values.answer?.value?.value ?? "",
    tags: values.tags?.value?.value,
    locale: values.locale?.value?.selected_option?.value ?? "es",
    variants: values.variants?.value?.value,
  });
}

export function register(app: Router, deps: Deps): void {
  const { db, clock, config, outbox } = deps;
  const search = new FaqSearch(db, undefined, config.DEFAULT_LOCALE);

  app.command("/ask", async ({ command, ack, context }) => {
    const actor = actorOf(context);
    const parsed = question.safeParse(unescapeText(command.text));
    if (!parsed.success) return ack(ephemeral(actor.t(issueKey(parsed.error))));
    const result = await ask(db, search, actor.id, parsed.data, command.channel_id);
    if (result.entry) {
      const m = answerMessage(result.query, result.entry, result.related, actor.t);
      return ack(ephemeral(m.text, m.blocks));
    }
    const m = dontKnowMessage(result.query, result.related, actor.t);
    await ack(ephemeral(m.text, m.blocks));
    // The admins get the question with an "Answer" button (through the outbox: never lost, never twice).
    const t = translator(config.DEFAULT_LOCALE);
    const targets = config.ADMIN_CHANNEL ? [config.ADMIN_CHANNEL] : await admins(db);
    await enqueue(
      db,
      clock,
      targets.map((to) => ({
        key: `faq:unanswered:${result.query.id}:${to}`,
        method: "chat.postMessage",
        channel: to,
        payload: { channel: to, ...unansweredNotice(result.query, t) },
      })),
    );
    outbox.poke();
  });

  for (const [actionId, helpful] of [
    [ACTIONS.helpful, true],
    [ACTIONS.notHelpful, false],
  ] as const) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ action, ack, respond, context }) => {
      await ack();
      const actor = actorOf(context);
      const id = queryIdValue.safeParse(action.value ?? "");
      if (!id.success || !(await recordFeedback(db, id.data, actor.id, helpful))) {
        return void (await respond({ ...ephemeral(actor.t("faq.error.noQuestion")), replace_original: false }));
      }
      await respond({ ...ephemeral(actor.t("faq.feedback.thanks")), replace_original: false });
    });
  }

  app.action<BlockAction<ButtonAction>>(/^faq\.related\.\d$/, async ({ action, ack, respond, context }) => {
    await ack();
    const actor = actorOf(context);
    const id = entryIdValue.safeParse(action.value ?? "");
    const entry = id.success ? await getEntry(db, id.data) : null;
    if (!entry)
      return void (await respond({ ...ephemeral(actor.t("faq.error.notFound", { id: "" })), replace_original: false }));
    const m = entryMessage(entry, actor.t);
    await respond({ ...ephemeral(m.text, m.blocks), replace_original: false });
  });

  app.action<BlockAction<ButtonAction>>(ACTIONS.share, async ({ action, ack, respond, client, body, context }) => {
    await ack();
    const actor = actorOf(context);
    const id = queryIdValue.safeParse(action.value ?? "");
    const query = id.success ? await getQuery(db, id.data) : null;
    const entry = query?.entryId ? await getEntry(db, query.entryId) : null;
    // Only the person who asked shares their own question.
    if (!query || !entry || query.userId !== actor.id) {
      return void (await respond({ ...ephemeral(actor.t("faq.error.noQuestion")), replace_original: false }));
    }
    const channel = body.channel?.id ?? query.channelId;
    try {
      if (!channel) throw new Error("no channel");
      await client.chat.postMessage({ channel, ...sharedMessage(query, entry, translator(config.DEFAULT_LOCALE)) });
    } catch {
      return void (await respond({ ...ephemeral(actor.t("faq.error.share")), replace_original: false }));
    }
    await respond({ ...ephemeral(actor.t("faq.sharedDone")), replace_original: false });
  });

  /** Admins only, for commands, buttons and modals alike. */
  const adminOnly = (actor: Actor) => refusal(actor, "faq.manage");

  app.action<BlockAction<ButtonAction>>(ACTIONS.answer, async ({ action, ack, respond, client, body, context }) => {
    await ack();
    const actor = actorOf(context);
    const denied = adminOnly(actor);
    if (denied) return void (await respond({ ...ephemeral(denied), replace_original: false }));
    const id = queryIdValue.safeParse(action.value ?? "");
    const query = id.success ? await getQuery(db, id.data) : null;
    if (!query) return void (await respond({ ...ephemeral(actor.t("faq.error.noQuestion")), replace_original: false }));
    if (!isOpen(query))
      return void (await respond({ ...ephemeral(actor.t("faq.error.alreadyAnswered")), replace_original: false }));
    const [asker] = (await localesOf(db, [query.userId], config.DEFAULT_LOCALE)).values();
    // The trigger lasts 3 s: an index being rebuilt (a large store just edited) opens the modal without them.
    const closest = await within(closestEntries(search, query.text), CLOSEST_WITHIN_MS, []);
    await client.views.open({
      trigger_id: body.trigger_id,
      view: answerModal(actor.t, query, asker ?? config.DEFAULT_LOCALE, closest),
    });
  });

  /**
   * A button on an admin's notice about a question, or on a row of `/faq unanswered`: admins only;
   * the question's id crosses the schema, the service acts on it, and the message is replaced by
   * what it shows next.
   */
  function noticeButton(
    actionId: string,
    act: (id: number, actor: Actor) => Promise<Result<FaqQuery>>,
    next: (query: FaqQuery, actor: Actor) => Promise<Message> | Message,
    /** what replaces the message when nothing was done (a list shows itself again); else a private reply */
    failed?: (text: string, actor: Actor) => Promise<Message>,
  ) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ action, ack, respond, context }) => {
      await ack();
      const actor = actorOf(context);
      const privately = (text: string) => respond({ ...ephemeral(text), replace_original: false });
      const denied = adminOnly(actor);
      if (denied) return void (await privately(denied));
      const id = queryIdValue.safeParse(action.value ?? "");
      if (!id.success) return void (await privately(actor.t("faq.error.noQuestion")));
      const done = await act(id.data, actor);
      if (!done.ok && failed)
        return void (await respond({ ...(await failed(actor.t(done.key), actor)), replace_original: true }));
      if (!done.ok) return void (await privately(actor.t(done.key)));
      await respond({ ...(await next(done.value, actor)), replace_original: true });
    });
  }
  /** "Not for the FAQ": the question leaves the list and becomes an out-of-scope example. */
  noticeButton(
    ACTIONS.outOfScope,
    (id, actor) => markOutOfScope(db, id, actor.id, clock.now()),
    (query, actor) => outOfScopeDone(query, actor.id, actor.t),
  );
  /** "Undo": the question is open again, its notice back with its buttons. */
  noticeButton(
    ACTIONS.reopen,
    (id) => reopenQuestion(db, id),
    (query, actor) => unansweredNotice(query, actor.t),
  );
  /** The same on a row of `/faq unanswered`: the list again, headed by what was done, or why not. */
  const listAgain = async (failed: string, actor: Actor) =>
    unansweredMessage(await unansweredList(db), actor.t, { failed });
  noticeButton(
    ACTIONS.listOutOfScope,
    (id, actor) => markOutOfScope(db, id, actor.id, clock.now()),
    async (marked, actor) => unansweredMessage(await unansweredList(db), actor.t, { marked, adminId: actor.id }),
    listAgain,
  );
  noticeButton(
    ACTIONS.listReopen,
    (id) => reopenQuestion(db, id),
    async (_, actor) => unansweredMessage(await unansweredList(db), actor.t),
    listAgain,
  );

  const useEntryValue = z.object({ queryId: z.number().int(), entryId: entryIdValue });

  /** "Use this one" in the answer modal: the question is answered with an entry the store has. */
  app.action<BlockAction<ButtonAction>>(ACTIONS.useEntry, async ({ action, ack, respond, client, body, context }) => {
    await ack();
    const actor = actorOf(context);
    // In the modal the answer replaces the modal; anywhere else (a crafted payload) it is a private reply.
    const answer = async (text: string) => {
      if (!body.view?.id) return void (await respond({ ...ephemeral(text), replace_original: false }));
      // The modal may be closed by now: what was done stays done, and the asker is told anyway.
      await client.views
        .update({ view_id: body.view.id, view: messageModal(actor.t, text) })
        .catch((e: Error) => deps.logger.warn("views.update failed", { error: e.message }));
    };
    const denied = adminOnly(actor);
    if (denied) return answer(denied);
    const value = useEntryValue.safeParse(viewMetadata(action.value ?? ""));
    if (!value.success) return answer(actor.t("faq.error.noQuestion"));
    const { queryId, entryId } = value.data;
    const result = await answerQuestion(db, queryId, { entryId }, actor.id, clock.now());
    if (!result.ok) return answer(actor.t(result.key, { id: esc(entryId) }));
    const { entry, query } = result.value;
    await tellAsker(query, entry);
    await answer(actor.t("faq.answerModal.linked", { user: query.userId, id: esc(entry.id) }));
  });

  /** The person who asked gets the answer by DM (through the outbox: never lost, never twice). */
  async function tellAsker(query: FaqQuery, entry: FaqEntry) {
    const [locale] = (await localesOf(db, [query.userId], config.DEFAULT_LOCALE)).values();
    const t = translator(locale ?? config.DEFAULT_LOCALE);
    await enqueue(db, clock, [
      {
        key: `faq:answered:${query.id}`,
        method: "chat.postMessage",
        channel: query.userId,
        payload: {
          channel: query.userId,
          text: t("faq.answeredDm", {
            question: truncate(query.text, 300),
            entryQuestion: entry.question,
            answer: entry.answer,
          }),
        },
      },
    ]);
    outbox.poke();
  }

  app.view(VIEWS.answer, async ({ ack, view, context }) => {
    const actor = actorOf(context);
    const denied = adminOnly(actor);
    if (denied) return ack({ response_action: "errors", errors: { answer: denied } });
    const meta = z.object({ queryId: z.number().int() }).safeParse(viewMetadata(view.private_metadata));
    const input = entryFromView(view.state.values as Values);
    if (!input.success) return ack(fieldError(actor, input.error, "answer"));
    if (!meta.success) return ack({ response_action: "errors", errors: { answer: actor.t("faq.error.noQuestion") } });
    const result = await answerQuestion(db, meta.data.queryId, { newEntry: input.data }, actor.id, clock.now());
    if (!result.ok) return ack({ response_action: "errors", errors: { answer: actor.t(result.key) } });
    await ack();
    await tellAsker(result.value.query, result.value.entry);
  });

  app.command("/faq", async ({ command, ack, client, context }) => {
    const actor = actorOf(context);
    const denied = adminOnly(actor);
    if (denied) return ack(ephemeral(denied));
    const text = unescapeText(command.text).trim();
    const [sub = "help", ...words] = text.split(/\s+/).filter(Boolean);
    const rest = text.slice(sub.length).trim();
    const usage = (which: "add" | "edit" | "remove", problem: string) =>
      ack(ephemeral(actor.t("error.usage", { problem, usage: actor.t(`usage.faq.${which}`) })));
    switch (sub.toLowerCase()) {
      case "add":
      case "nueva": {
        if (!rest) {
          await ack();
          await client.views.open({ trigger_id: command.trigger_id, view: entryModal(actor.t, "add") });
          return;
        }
        const [q = "", a = "", tags, locale] = rest.split("|").map((p) => p.trim());
        const input = entrySchema.safeParse({
          question: q,
          answer: a,
          tags: parseTags(tags),
          locale: locale || actor.locale,
        });
        if (!input.success) return usage("add", actor.t(issueKey(input.error)));
        const entry = await addEntry(db, input.data, actor.id);
        return ack(ephemeral(actor.t("faq.added", { id: entry.id, question: entry.question })));
      }
      case "list":
      case "lista": {
        const tag = rest || undefined;
        const m = listMessage(await listEntries(db, tag), actor.t, tag);
        return ack(ephemeral(m.text, m.blocks));
      }
      case "edit":
      case "editar": {
        const id = entryIdValue.safeParse(words[0] ?? "");
        const entry = id.success ? await getEntry(db, id.data) : null;
        if (!entry) return usage("edit", actor.t("faq.error.notFound", { id: words[0] ?? "" }));
        await ack();
        await client.views.open({ trigger_id: command.trigger_id, view: entryModal(actor.t, "edit", entry) });
        return;
      }
      case "remove":
      case "borrar": {
        const id = entryIdValue.safeParse(words[0] ?? "");
        if (!id.success || !(await removeEntry(db, id.data)))
          return usage("remove", actor.t("faq.error.notFound", { id: words[0] ?? "" }));
        return ack(ephemeral(actor.t("faq.removed", { id: id.data })));
      }
      case "unanswered":
      case "pendientes": {
        const m = unansweredMessage(await unansweredList(db), actor.t);
        return ack(ephemeral(m.text, m.blocks));
      }
      case "help":
      case "ayuda":
        return ack(ephemeral(actor.t("faq.help")));
      default:
        return ack(ephemeral(actor.t("error.unknownSubcommand", { sub, command: "/faq" })));
    }
  });

  app.view(VIEWS.add, async ({ ack, view, context }) => {
    const actor = actorOf(context);
    const denied = adminOnly(actor);
    if (denied) return ack({ response_action: "errors", errors: { question: denied } });
    const input = entryFromView(view.state.values as Values);
    if (!input.success) return ack(fieldError(actor, input.error, "question"));
    await addEntry(db, input.data, actor.id);
    await ack();
  });

  app.view(VIEWS.edit, async ({ ack, view, context }) => {
    const actor = actorOf(context);
    const denied = adminOnly(actor);
    if (denied) return ack({ response_action: "errors", errors: { question: denied } });
    const meta = z.object({ id: entryIdValue }).safeParse(viewMetadata(view.private_metadata));
    const input = entryFromView(view.state.values as Values);
    if (!input.success) return ack(fieldError(actor, input.error, "question"));
    if (!meta.success || !(await editEntry(db, meta.data.id, input.data))) {
      return ack({ response_action: "errors", errors: { question: actor.t("faq.error.notFound", { id: "" }) } });
    }
    await ack();
  });
}
