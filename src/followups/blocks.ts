// Block Kit for follow-ups: the trainer's daily list, /newhire list, the log modal, escalations.
import type { KnownBlock, ModalView } from "@slack/types";
import { dayString, daysBetween } from "../core/days.ts";
import type { T } from "../core/i18n/index.ts";
import type { Checkpoint, DueCheckpoint, NewHireWithCheckpoints, Outcome } from "./service.ts";

export const LOG_ACTION = "followups.log";
export const LOG_VIEW = "followups.log";
export const OUTCOMES: Outcome[] = ["reached", "not_reached", "left"];

const mrkdwn = (text: string) => ({ type: "mrkdwn" as const, text });
const plain = (text: string) => ({ type: "plain_text" as const, text, emoji: true });

function dueWhen(c: Checkpoint, today: Date, t: T): string {
  const late = daysBetween(c.dueOn, today);
  return late > 0 ? t("followups.due.overdue", { days: late }) : t("followups.due.dueToday");
}

/**
 * The list a trainer gets each morning (and from /followup): each checkpoint with a
 * "Log follow-up" button; those logged since are shown done, without a button.
 */
export function dueMessage(due: DueCheckpoint[], today: Date, t: T, done: DueCheckpoint[] = []) {
  if (due.length === 0 && done.length === 0) return { text: t("followups.due.none") };
  const blocks: KnownBlock[] = [
    { type: "header", text: plain(t("followups.due.title")) },
    { type: "section", text: mrkdwn(t("followups.due.intro", { count: due.length })) },
  ];
  // 50 blocks at most: the header, the intro and 48 checkpoints.
  for (const c of due.slice(0, 48 - Math.min(done.length, 10))) {
    blocks.push({
      type: "section",
      block_id: `followups.cp.${c.id}`,
      text: mrkdwn(
        t("followups.due.item", { id: c.id, user: c.newHire.userId, day: c.day, when: dueWhen(c, today, t) }),
      ),
      accessory: { type: "button", action_id: LOG_ACTION, value: String(c.id), text: plain(t("followups.button.log")) },
    });
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
    blocks.push({ type: "section", text: mrkdwn(lines.slice(0, 40).join("\n")) });
  }
  const text = [
    t("followups.due.intro", { count: due.length }),
    ...due.map((c) =>
      t("followups.due.item", { id: c.id, user: c.newHire.userId, day: c.day, when: dueWhen(c, today, t) }),
    ),
  ].join("\n");
  return { text, blocks };
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
  return {
    text: [t("followups.list.title"), ...sections].join("\n"),
    blocks: [
      { type: "header", text: plain(t("followups.list.title")) },
      ...sections.map((s) => ({ type: "section", text: mrkdwn(s) })),
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

export function escalationMessage(items: DueCheckpoint[], today: Date, days: number, t: T) {
  const lines = items.map((c) =>
    t("followups.escalation.item", {
      user: c.newHire.userId,
      day: c.day,
      overdue: daysBetween(c.dueOn, today),
      trainer: c.newHire.trainerId,
    }),
  );
  const title = t("followups.escalation.title", { days });
  return {
    text: [title, ...lines].join("\n"),
    blocks: [
      { type: "header", text: plain(title) },
      { type: "section", text: mrkdwn(lines.slice(0, 60).join("\n").slice(0, 2900)) },
    ] as KnownBlock[],
  };
}
