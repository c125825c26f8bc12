// Block Kit for the FAQ: answers, abstentions, the admins' notice, modals, lists.
import type { KnownBlock, ModalView } from "@slack/types";
import { clip, confirmDialog, esc, mrkdwn, plain, truncate } from "../core/blocks.ts";
import type { T } from "../core/i18n/index.ts";
import type { FaqEntry, FaqQuery } from "./service.ts";

export const ACTIONS = {
  helpful: "faq.helpful",
  notHelpful: "faq.notHelpful",
  share: "faq.share",
  related: "faq.related",
  answer: "faq.answer",
  useEntry: "faq.useEntry",
  outOfScope: "faq.outOfScope",
  reopen: "faq.reopen",
  /** the same two, on a row of `/faq unanswered`: the list is shown again, not the notice */
  listOutOfScope: "faq.list.outOfScope",
  listReopen: "faq.list.reopen",
} as const;
export const VIEWS = { add: "faq.add", edit: "faq.edit", answer: "faq.answerQuestion" } as const;

function relatedButtons(related: FaqEntry[], queryId: number): KnownBlock[] {
  if (related.length === 0) return [];
  return [
    {
      type: "actions",
      block_id: `faq.related.${queryId}`,
      elements: related.slice(0, 3).map((e, i) => ({
        type: "button" as const,
        action_id: `${ACTIONS.related}.${i}`,
        value: e.id,
        text: plain(clip(e.question, 75)),
      })),
    },
  ];
}

/** The private answer to /ask. */
export function answerMessage(query: FaqQuery, entry: FaqEntry, related: FaqEntry[], t: T) {
  const blocks: KnownBlock[] = [
    { type: "section", text: mrkdwn(clip(`*${esc(entry.question)}*\n${esc(entry.answer)}`)) },
    {
      type: "actions",
      block_id: `faq.feedback.${query.id}`,
      elements: [
        {
          type: "button",
          action_id: ACTIONS.helpful,
          value: String(query.id),
          text: plain(`👍 ${t("faq.button.helpful")}`),
        },
        {
          type: "button",
          action_id: ACTIONS.notHelpful,
          value: String(query.id),
          text: plain(`👎 ${t("faq.button.notHelpful")}`),
        },
        { type: "button", action_id: ACTIONS.share, value: String(query.id), text: plain(t("faq.button.share")) },
      ],
    },
  ];
  if (related.length)
    blocks.push({ type: "context", elements: [mrkdwn(t("faq.answer.related"))] }, ...relatedButtons(related, query.id));
  blocks.push({ type: "context", elements: [mrkdwn(t("faq.answer.footer", { id: entry.id }))] });
  return { text: `${entry.question}\n${entry.answer}`, blocks };
}

/** Another entry opened from a "related" button (no feedback: it was not what was asked). */
export function entryMessage(entry: FaqEntry, t: T) {
  return {
    text: `${entry.question}\n${entry.answer}`,
    blocks: [
      { type: "section", text: mrkdwn(clip(`*${esc(entry.question)}*\n${esc(entry.answer)}`)) },
      { type: "context", elements: [mrkdwn(t("faq.answer.footer", { id: entry.id }))] },
    ] as KnownBlock[],
  };
}

export function dontKnowMessage(query: FaqQuery, related: FaqEntry[], t: T) {
  const blocks: KnownBlock[] = [{ type: "section", text: mrkdwn(t("faq.dontKnow")) }];
  if (related.length)
    blocks.push(
      { type: "context", elements: [mrkdwn(t("faq.dontKnowRelated"))] },
      ...relatedButtons(related, query.id),
    );
  return { text: t("faq.dontKnow"), blocks };
}

export function sharedMessage(query: FaqQuery, entry: FaqEntry, t: T) {
  return {
    text: `${entry.question}\n${entry.answer}`,
    blocks: [
      {
        type: "context",
        elements: [mrkdwn(t("faq.shared", { user: query.userId, question: esc(clip(query.text, 300)) }))],
      },
      { type: "section", text: mrkdwn(clip(`*${esc(entry.question)}*\n${esc(entry.answer)}`)) },
    ] as KnownBlock[],
  };
}

/** An unanswered question's "Answer" and "Not for the FAQ" (confirmed first) buttons. */
function questionActions(query: FaqQuery, t: T, blockId: string, outOfScope: string): KnownBlock {
  return {
    type: "actions",
    block_id: blockId,
    elements: [
      {
        type: "button",
        action_id: ACTIONS.answer,
        value: String(query.id),
        style: "primary",
        text: plain(t("faq.button.answer")),
      },
      {
        type: "button",
        action_id: outOfScope,
        value: String(query.id),
        text: plain(t("faq.button.outOfScope")),
        confirm: confirmDialog(t, "faq.outOfScope.confirm"),
      },
    ],
  };
}

/** Who marked the question "not for the FAQ", with "Undo" (`undo`: the notice's or the list's). */
function outOfScopeSection(query: FaqQuery, adminId: string, t: T, undo: string) {
  const text = t("faq.outOfScope.done", { admin: adminId, user: query.userId, question: esc(clip(query.text, 500)) });
  const block: KnownBlock = {
    type: "section",
    text: mrkdwn(text),
    accessory: { type: "button", action_id: undo, value: String(query.id), text: plain(t("faq.button.undo")) },
  };
  return { text, block };
}

/** Posted to the admins: an unanswered question with its "Answer" and "Not for the FAQ" buttons. */
export function unansweredNotice(query: FaqQuery, t: T) {
  const text = t("faq.unanswered.notice", { user: query.userId, question: esc(clip(query.text, 500)) });
  return {
    text,
    blocks: [
      { type: "section", text: mrkdwn(text) },
      questionActions(query, t, `faq.unanswered.${query.id}`, ACTIONS.outOfScope),
    ] as KnownBlock[],
  };
}

/** The admin's notice once the question was marked "not for the FAQ", with "Undo". */
export function outOfScopeDone(query: FaqQuery, adminId: string, t: T) {
  const { text, block } = outOfScopeSection(query, adminId, t, ACTIONS.reopen);
  return { text, blocks: [block] };
}

function entryInputs(t: T, initial: Partial<FaqEntry>): KnownBlock[] {
  return [
    {
      type: "input",
      block_id: "question",
      label: plain(t("faq.modal.question")),
      element: {
        type: "plain_text_input",
        action_id: "value",
        max_length: 500,
        ...(initial.question ? { initial_value: initial.question } : {}),
      },
    },
    {
      type: "input",
      block_id: "answer",
      label: plain(t("faq.modal.answer")),
      element: {
        type: "plain_text_input",
        action_id: "value",
        multiline: true,
        max_length: 3000,
        ...(initial.answer ? { initial_value: initial.answer } : {}),
      },
    },
    {
      type: "input",
      block_id: "tags",
      optional: true,
      label: plain(t("faq.modal.tags")),
      element: {
        type: "plain_text_input",
        action_id: "value",
        ...(initial.tags?.length ? { initial_value: initial.tags.join("; ") } : {}),
      },
    },
    {
      type: "input",
      block_id: "locale",
      label: plain(t("faq.modal.locale")),
      element: {
        type: "static_select",
        action_id: "value",
        options: [
          { text: plain("Español"), value: "es" },
          { text: plain("English"), value: "en" },
        ],
        initial_option:
          initial.locale === "en" ? { text: plain("English"), value: "en" } : { text: plain("Español"), value: "es" },
      },
    },
    {
      type: "input",
      block_id: "variants",
      optional: true,
      label: plain(t("faq.modal.variants")),
      hint: plain(t("faq.modal.variantsHint")),
      element: {
        type: "plain_text_input",
        action_id: "value",
        multiline: true,
        max_length: 3000,
        ...(initial.variants?.length ? { initial_value: initial.variants.join("\n") } : {}),
      },
    },
  ];
}

export function entryModal(t: T, mode: "add" | "edit", entry?: FaqEntry): ModalView {
  return {
    type: "modal",
    callback_id: mode === "add" ? VIEWS.add : VIEWS.edit,
    private_metadata: JSON.stringify({ id: entry?.id }),
    title: plain(t(mode === "add" ? "faq.modal.addTitle" : "faq.modal.editTitle")),
    submit: plain(t("faq.modal.save")),
    close: plain(t("faq.modal.cancel")),
    blocks: entryInputs(t, entry ?? {}),
  };
}

/**
 * The admin's answer to an unanswered question: one of the entries closest to it (the search's
 * first candidates, each with a "Use this one" button), or a new entry.
 */
export function answerModal(t: T, query: FaqQuery, locale: "es" | "en", closest: FaqEntry[] = []): ModalView {
  const existing: KnownBlock[] = closest.length
    ? [
        { type: "section", text: mrkdwn(t("faq.answerModal.existing")) },
        ...closest.map(
          (e): KnownBlock => ({
            type: "section",
            text: mrkdwn(clip(`*${e.id}* ${esc(e.question)}\n${esc(clip(e.answer, 200))}`, 3000)),
            accessory: {
              type: "button",
              action_id: ACTIONS.useEntry,
              value: JSON.stringify({ queryId: query.id, entryId: e.id }),
              text: plain(t("faq.button.useEntry")),
            },
          }),
        ),
        { type: "divider" },
        { type: "section", text: mrkdwn(t("faq.answerModal.orNew")) },
      ]
    : [];
  return {
    type: "modal",
    callback_id: VIEWS.answer,
    private_metadata: JSON.stringify({ queryId: query.id }),
    title: plain(t("faq.answerModal.title")),
    submit: plain(t("faq.answerModal.submit")),
    close: plain(t("faq.modal.cancel")),
    blocks: [
      {
        type: "context",
        elements: [mrkdwn(t("faq.answerModal.asked", { user: query.userId, question: esc(clip(query.text, 500)) }))],
      },
      ...existing,
      ...entryInputs(t, { question: truncate(query.text, 500), locale }),
    ],
  };
}

/** What the answer modal becomes after "Use this one": what was done, or why not. */
export function messageModal(t: T, text: string): ModalView {
  return {
    type: "modal",
    title: plain(t("faq.answerModal.title")),
    close: plain(t("faq.modal.close")),
    blocks: [{ type: "section", text: mrkdwn(clip(text, 3000)) }],
  };
}

export function listMessage(entries: FaqEntry[], t: T, tag?: string) {
  const tagText = tag ? t("faq.list.tag", { tag: esc(tag) }) : "";
  if (entries.length === 0) return { text: t("faq.list.none", { tag: tagText }) };
  const shown = entries.slice(0, 40);
  const lines = shown.map(
    (e) => `*${e.id}* ${esc(e.question)}${e.tags.length ? ` _(${esc(e.tags.join(", "))})_` : ""}`,
  );
  if (entries.length > shown.length) lines.push(t("faq.list.more", { count: entries.length - shown.length }));
  const title = t("faq.list.title", { tag: tagText, count: entries.length });
  const blocks: KnownBlock[] = [{ type: "header", text: plain(clip(title, 150)) }];
  let chunk = "";
  for (const line of lines) {
    if (chunk.length + line.length > 2800) {
      blocks.push({ type: "section", text: mrkdwn(chunk) });
      chunk = "";
    }
    chunk = chunk ? `${chunk}\n${line}` : line;
  }
  if (chunk) blocks.push({ type: "section", text: mrkdwn(chunk) });
  return { text: `${title}\n${lines.join("\n")}`, blocks };
}

/** An unanswered question as a line: its id, who asked, when and what. */
const itemText = (q: FaqQuery, t: T) =>
  mrkdwn(
    t("faq.unanswered.item", {
      id: q.id,
      user: q.userId,
      question: esc(clip(q.text, 300)),
      date: q.createdAt.toISOString().slice(0, 10),
    }),
  );

/** One unanswered question with its "Answer" button, in the admins' App Home. */
export function unansweredRow(q: FaqQuery, t: T, blockId?: string): KnownBlock {
  return {
    type: "section",
    ...(blockId ? { block_id: blockId } : {}),
    text: itemText(q, t),
    accessory: { type: "button", action_id: ACTIONS.answer, value: String(q.id), text: plain(t("faq.button.answer")) },
  };
}

/**
 * `/faq unanswered`: the newest open questions (two blocks each: `unansweredList`'s 20 keep a
 * message within its 50), each with "Answer" and "Not for the FAQ"; after a click on one, the
 * list again, headed by what was done and its "Undo", or by why nothing was.
 */
export function unansweredMessage(
  list: { queries: FaqQuery[]; total: number },
  t: T,
  head?: { marked: FaqQuery; adminId: string } | { failed: string },
) {
  const { queries, total } = list;
  const top = !head
    ? undefined
    : "failed" in head
      ? { text: head.failed, block: { type: "section", text: mrkdwn(head.failed) } as KnownBlock }
      : outOfScopeSection(head.marked, head.adminId, t, ACTIONS.listReopen);
  const title = total ? t("faq.unanswered.title", { count: total }) : t("faq.unanswered.none");
  if (!top && total === 0) return { text: title };
  const blocks: KnownBlock[] = [
    ...(top ? [top.block] : []),
    total ? { type: "header", text: plain(title) } : { type: "section", text: mrkdwn(title) },
  ];
  if (total > queries.length)
    blocks.push({ type: "context", elements: [mrkdwn(t("faq.unanswered.more", { shown: queries.length, total }))] });
  for (const q of queries)
    blocks.push(
      { type: "section", text: itemText(q, t) },
      questionActions(q, t, `faq.list.${q.id}`, ACTIONS.listOutOfScope),
    );
  return { text: top ? `${top.text}\n${title}` : title, blocks };
}
