// Block Kit for follow-ups: the trainer's daily list, /newhire list, the log modal, escalations.
import type { KnownBlock, ModalView } from "@slack/types";
import { mrkdwn, plain } from "../core/blocks.ts";
import { dayString, daysBetween } from "../core/days.ts";
import type { T } from "../core/i18n/index.ts";
import type { Checkpoint, DueCheckpoint, NewHireWithCheckpoints, Outcome } from "./service.ts";

export const LOG_ACTION = "followups.log";
export const LOG_VIEW = "followups.log";
export const OUTCOMES: Outcome[] = ["reached", "not_reached", "left"];

function dueWhen(c: Checkpoint, today: Date, t: T): string {
  const late = daysBetween(c.dueOn, today);
  return late > 0 ? t("followups.due.overdue", { days: late }) : t("followups.due.dueToday");
}

/** Items written out in a message's notification text; the blocks carry the rest of what fits. */
const TEXT_ITEMS = 40;

/**
 * The list a trainer gets each morning (and from /followup): each checkpoint with a
 * "Log follow-up" button; those logged since are shown done, without a button.
 * Slack allows 50 blocks: the header, the intro, the checkpoints, the done section and a "more" line.
 */
export function dueMessage(
  due: DueCheckpoint[],
  today: Date,
  t: T,
  done: DueCheckpoint[] = [],
  /** How many are due in all, when `due` holds only the first of them. */
  total = due.length,
) {
  if (total === 0 && done.length === 0) return { text: t("followups.due.none") };
  const intro = t("followups.due.intro", { count: total });
  const blocks: KnownBlock[] = [
    { type: "header", text: plain(t("followups.due.title")) },
    { type: "section", text: mrkdwn(intro) },
  ];
  const room = 50 - blocks.length - (done.length ? 1 : 0);
  const shown = total <= room ? due.slice(0, room) : due.slice(0, room - 1);
  const item = (c: DueCheckpoint) =>
    t("followups.due.item", { id: c.id, user: c.newHire.userId, day: c.day, when: dueWhen(c, today, t) });
  for (const c of shown) {
    blocks.push({
      type: "section",
      block_id: `followups.cp.${c.id}`,
      text: mrkdwn(item(c)),
      accessory: { type: "button", action_id: LOG_ACTION, value: String(c.id), text: plain(t("followups.button.log")) },
    });
  }
  if (shown.length < total) {
    blocks.push({ type: "context", elements: [mrkdwn(t("followups.due.more", { count: total - shown.length }))] });
  }
  if (done.length) {
    const lines = done.map((c) =>
      t("followups.due.done", {
        id: c.id,
        user: c.newHire.userId,
        day: c.day,
        outcome: t(`followups.outcome.${c.state as Outcome}`),
      }),
    );
    blocks.push({ type: "section", text: mrkdwn(lines.slice(-40).join("\n")) });
  }
  const listed = due.slice(0, TEXT_ITEMS);
  const text = [intro, ...listed.map(item)];
  if (total > listed.length) text.push(t("followups.escalation.more", { count: total - listed.length }));
  return { text: text.join("\n"), blocks };
}

function stateLine(c: Checkpoint, today: Date, t: T): string {
  if (c.state === "left") return t("followups.state.left", { day: c.day });
  if (c.state !== "open") return t("followups.state.done", { day: c.day, outcome: t(`followups.outcome.${c.state}`) });
  const diff = daysBetween(today, c.dueOn);
  if (diff > 0) return t("followups.state.future", { day: c.day, date: dayString(c.dueOn), days: diff });
  if (diff === 0) return t("followups.state.today", { day: c.day });
  return t("followups.state.overdue", { day: c.day, days: -diff });
}

export function newHireListMessage(hires: NewHireWithCheckpoints[], today: Date, t: T) {
  if (hires.length === 0) return { text: t("followups.list.none") };
  const sections = hires.slice(0, 45).map((h) => {
    const head = t("followups.list.hire", {
      user: h.userId,
      start: dayString(h.startDate),
      left: h.leftOn ? t("followups.list.leftOn", { date: dayString(h.leftOn) }) : "",
    });
    return `${head}\n${h.checkpoints.map((c) => stateLine(c, today, t)).join("   ")}`;
  });
  const more =
    hires.length > sections.length ? [t("followups.escalation.more", { count: hires.length - sections.length })] : [];
  return {
    text: [t("followups.list.title"), ...sections, ...more].join("\n"),
    blocks: [
      { type: "header", text: plain(t("followups.list.title")) },
      ...sections.map((s) => ({ type: "section", text: mrkdwn(s) })),
      ...more.map((m) => ({ type: "context", elements: [mrkdwn(m)] })),
    ] as KnownBlock[],
  };
}

export function logModal(c: DueCheckpoint, t: T, origin: { channel?: string; ts?: string }): ModalView {
  return {
    type: "modal",
    callback_id: LOG_VIEW,
    title: plain(t("followups.modal.title")),
    submit: plain(t("followups.modal.submit")),
    close: plain(t("followups.modal.cancel")),
    private_metadata: JSON.stringify({ checkpointId: c.id, ...origin }),
    blocks: [
      { type: "context", elements: [mrkdwn(t("followups.modal.context", { user: c.newHire.userId, day: c.day }))] },
      {
        type: "input",
        block_id: "outcome",
        label: plain(t("followups.modal.outcome")),
        element: {
          type: "radio_buttons",
          action_id: "value",
          options: OUTCOMES.map((o) => ({ text: plain(t(`followups.outcome.${o}`)), value: o })),
        },
      },
      {
        type: "input",
        block_id: "notes",
        optional: true,
        label: plain(t("followups.modal.notes")),
        element: { type: "plain_text_input", action_id: "value", multiline: true, max_length: 2000 },
      },
    ],
  };
}

export function escalationMessage(
  items: DueCheckpoint[],
  today: Date,
  days: number,
  t: T,
  /** How many are overdue in all, when `items` holds only the oldest of them. */
  total = items.length,
) {
  const line = (c: DueCheckpoint) =>
    t("followups.escalation.item", {
      user: c.newHire.userId,
      day: c.day,
      overdue: daysBetween(c.dueOn, today),
      trainer: c.newHire.trainerId,
    });
  const title = t("followups.escalation.title", { days });
  // A section holds 3,000 characters: list what fits, then say how many more.
  const lines: string[] = [];
  let size = 0;
  for (const c of items) {
    const l = line(c);
    if (lines.length >= 40 || size + l.length + 1 > 2800) break;
    lines.push(l);
    size += l.length + 1;
  }
  const shown = lines.length;
  if (shown < total) lines.push(t("followups.escalation.more", { count: total - shown }));
  return {
    text: [title, ...lines].join("\n"),
    blocks: [
      { type: "header", text: plain(title) },
      { type: "section", text: mrkdwn(lines.join("\n")) },
    ] as KnownBlock[],
  };
}
