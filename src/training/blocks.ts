// Block Kit for training: the channel notice, the trainer's DM, lists, rosters, the modal.
import type { KnownBlock, ModalView, PlainTextOption } from "@slack/types";
import { clip, confirmDialog, esc, mrkdwn, plain, truncate } from "../core/blocks.ts";
import type { T } from "../core/i18n/index.ts";
import { formatOffice, slackDate } from "../core/time.ts";
import {
  KINDS,
  type KindName,
  kindName,
  type Roster,
  type RsvpCounts,
  type SessionSummary,
  type TrainingSession,
} from "./service.ts";

export const ACTIONS = {
  rsvpYes: "training.rsvp.yes",
  rsvpNo: "training.rsvp.no",
  roster: "training.roster",
  cancel: "training.cancel",
} as const;
export const NEW_SESSION_VIEW = "training.new";

export interface Office {
  zone: string;
  locale: "es" | "en";
}

export { esc };

export const kindLabel = (t: T, k: KindName) => t(`training.kind.${k}`);

function when(s: TrainingSession, office: Office): string {
  return slackDate(s.startsAt, office.zone, office.locale, "{date_long_pretty} {time}");
}

/** The notice posted in the channel, updated in place as RSVPs come in or when cancelled. */
export function noticeMessage(s: TrainingSession, counts: RsvpCounts, t: T, office: Office) {
  const cancelled = s.status === "cancelled";
  const full = s.capacity !== null && counts.yes >= s.capacity;
  const details = [
    `${t("training.notice.when")}\n${when(s, office)} · ${t("training.notice.duration", { minutes: s.durationMin })}`,
    `${t("training.notice.kind")}\n${kindLabel(t, kindName(s.kind))}`,
    `${t("training.notice.where")}\n${s.place ? esc(s.place) : "—"}`,
    `${t("training.notice.trainer")}\n<@${s.trainerId}>`,
  ];
  const blocks: KnownBlock[] = [
    { type: "header", text: plain(s.title) },
    ...(cancelled ? [{ type: "section", text: mrkdwn(t("training.notice.cancelled")) } as KnownBlock] : []),
    { type: "section", fields: details.map((d) => mrkdwn(d)) },
  ];
  if (s.description) blocks.push({ type: "section", text: mrkdwn(clip(esc(s.description))) });
  const countLine = [
    t("training.notice.count", { yes: counts.yes, no: counts.no }),
    ...(s.capacity !== null ? [t("training.notice.capacity", { capacity: s.capacity })] : []),
    ...(full ? [t("training.notice.full")] : []),
  ].join(" · ");
  blocks.push({ type: "context", block_id: "training.count", elements: [mrkdwn(countLine)] });
  if (!cancelled) {
    blocks.push({
      type: "actions",
      block_id: `training.rsvp.${s.id}`,
      elements: [
        {
          type: "button",
          action_id: ACTIONS.rsvpYes,
          value: String(s.id),
          text: plain(t("training.button.yes")),
          style: "primary",
        },
        { type: "button", action_id: ACTIONS.rsvpNo, value: String(s.id), text: plain(t("training.button.no")) },
      ],
    });
    blocks.push({ type: "context", elements: [mrkdwn(t("training.notice.signinHint"))] });
  }
  const fallback = `${esc(s.title)} — ${formatOffice(s.startsAt, office.zone, office.locale)}`;
  return { text: cancelled ? `${t("training.notice.cancelled")} ${fallback}` : fallback, blocks };
}

/** The trainer's private message: the sign-in code and what they can do with the session. */
export function codeMessage(s: TrainingSession, t: T, office: Office) {
  const text = t("training.codeDm", { title: esc(s.title), when: when(s, office), channel: s.channelId, code: s.code });
  return {
    text,
    blocks: [
      { type: "section", text: mrkdwn(text) },
      {
        type: "actions",
        block_id: `training.manage.${s.id}`,
        elements: [
          { type: "button", action_id: ACTIONS.roster, value: String(s.id), text: plain(t("training.button.roster")) },
          {
            type: "button",
            action_id: ACTIONS.cancel,
            value: String(s.id),
            style: "danger",
            text: plain(t("training.button.cancel")),
            confirm: confirmDialog(t, "training.confirm"),
          },
        ],
      },
    ] satisfies KnownBlock[],
  };
}

/** `showCode`: only the session's own trainer (or an admin) sees its sign-in code. */
export function listMessage(items: SessionSummary[], t: T, office: Office, showCode: (s: TrainingSession) => boolean) {
  if (items.length === 0) return { text: t("training.list.none") };
  const lines = items.map(({ session: s, yes, signIns }) =>
    t("training.list.item", {
      id: s.id,
      title: esc(s.title),
      when: when(s, office),
      kind: kindLabel(t, kindName(s.kind)),
      channel: s.channelId,
      yes,
      signIns,
      code: showCode(s) ? t("training.list.code", { code: s.code }) : "",
    }),
  );
  const blocks: KnownBlock[] = [{ type: "header", text: plain(t("training.list.title")) }];
  for (const line of lines) blocks.push({ type: "section", text: mrkdwn(clip(line)) });
  return { text: `${t("training.list.title")}\n${lines.join("\n")}`, blocks: blocks.slice(0, 50) };
}

/** Splits lines into section texts under Slack's 3,000-character limit. */
function sections(lines: string[]): KnownBlock[] {
  const out: KnownBlock[] = [];
  let current = "";
  for (const line of lines) {
    if (current && current.length + line.length + 1 > 2900) {
      out.push({ type: "section", text: mrkdwn(current) });
      current = "";
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current) out.push({ type: "section", text: mrkdwn(current) });
  return out;
}

export function rosterMessage(r: Roster, t: T, office: Office) {
  const late = r.signedIn.filter((s) => s.late).length;
  const signedLines = r.signedIn.map(
    (s) =>
      `• <@${s.userId}> — ${formatOffice(s.at, office.zone, office.locale, "HH:mm")} (${t(s.late ? "training.roster.late" : "training.roster.onTime")})`,
  );
  const noShowLines = r.noShows.map((n) => `• <@${n.userId}>`);
  const totals = t("training.roster.totals", {
    signedIn: r.signedIn.length,
    late,
    yes: r.yes,
    noShows: r.noShows.length,
  });
  const blocks: KnownBlock[] = [
    { type: "header", text: plain(truncate(t("training.roster.title", { title: r.session.title }), 150)) },
    { type: "context", elements: [mrkdwn(`${when(r.session, office)} · <#${r.session.channelId}>`)] },
    { type: "section", text: mrkdwn(t("training.roster.signedIn", { count: r.signedIn.length })) },
    ...(signedLines.length
      ? sections(signedLines)
      : [{ type: "section", text: mrkdwn(t("training.roster.nobody")) } as KnownBlock]),
    { type: "section", text: mrkdwn(t("training.roster.noShows", { count: r.noShows.length })) },
    ...(noShowLines.length
      ? sections(noShowLines)
      : [{ type: "section", text: mrkdwn(t("training.roster.nobody")) } as KnownBlock]),
    { type: "context", elements: [mrkdwn(totals)] },
  ];
  const text = [
    t("training.roster.title", { title: esc(r.session.title) }),
    t("training.roster.signedIn", { count: r.signedIn.length }),
    ...signedLines,
    t("training.roster.noShows", { count: r.noShows.length }),
    ...noShowLines,
    totals,
  ].join("\n");
  // 50 blocks at most: a very large roster keeps its totals and points to the CSV export.
  return { text, blocks: blocks.length > 50 ? [...blocks.slice(0, 48), blocks.at(-1)!] : blocks };
}

export function openSessionsMessage(sessions: TrainingSession[], t: T, office: Office) {
  if (sessions.length === 0) return { text: t("training.signin.noneOpen") };
  const lines = sessions.map((s) =>
    t("training.signin.openItem", { title: esc(s.title), when: when(s, office), place: s.place ? esc(s.place) : "—" }),
  );
  return { text: [t("training.signin.openList"), ...lines].join("\n") };
}

export function newSessionModal(t: T, office: Office, defaults: { channelId?: string; date: string }): ModalView {
  const kindOptions: PlainTextOption[] = KINDS.map((k) => ({ text: plain(kindLabel(t, k)), value: k }));
  return {
    type: "modal",
    callback_id: NEW_SESSION_VIEW,
    title: plain(t("training.modal.title")),
    submit: plain(t("training.modal.submit")),
    close: plain(t("training.modal.cancel")),
    private_metadata: JSON.stringify({ zone: office.zone }),
    blocks: [
      {
        type: "input",
        block_id: "title",
        label: plain(t("training.modal.titleLabel")),
        element: { type: "plain_text_input", action_id: "value", max_length: 150 },
      },
      {
        type: "input",
        block_id: "kind",
        label: plain(t("training.modal.kindLabel")),
        element: {
          type: "static_select",
          action_id: "value",
          options: kindOptions,
          initial_option: kindOptions.at(-1),
        },
      },
      {
        type: "input",
        block_id: "date",
        label: plain(t("training.modal.dateLabel")),
        element: { type: "datepicker", action_id: "value", initial_date: defaults.date },
      },
      {
        type: "input",
        block_id: "time",
        label: plain(t("training.modal.timeLabel")),
        element: { type: "timepicker", action_id: "value", initial_time: "09:00" },
      },
      {
        type: "input",
        block_id: "duration",
        label: plain(t("training.modal.durationLabel")),
        element: {
          type: "number_input",
          action_id: "value",
          is_decimal_allowed: false,
          min_value: "5",
          max_value: "600",
          initial_value: "60",
        },
      },
      {
        type: "input",
        block_id: "place",
        optional: true,
        label: plain(t("training.modal.placeLabel")),
        element: { type: "plain_text_input", action_id: "value", max_length: 300 },
      },
      {
        type: "input",
        block_id: "channel",
        label: plain(t("training.modal.channelLabel")),
        element: {
          type: "conversations_select",
          action_id: "value",
          filter: { include: ["public", "private"], exclude_bot_users: true },
          ...(defaults.channelId ? { initial_conversation: defaults.channelId } : {}),
        },
      },
      {
        type: "input",
        block_id: "capacity",
        optional: true,
        label: plain(t("training.modal.capacityLabel")),
        element: {
          type: "number_input",
          action_id: "value",
          is_decimal_allowed: false,
          min_value: "1",
          max_value: "10000",
        },
      },
      {
        type: "input",
        block_id: "description",
        optional: true,
        label: plain(t("training.modal.descriptionLabel")),
        element: { type: "plain_text_input", action_id: "value", multiline: true, max_length: 2000 },
      },
    ],
  };
}

export const RATE_ACTION = "training.rate";

/** The rating request: five buttons; the chosen one is shown as picked after a click. */
export function ratingMessage(s: TrainingSession, t: T, chosen?: number) {
  const text = chosen
    ? t("training.rating.thanks", { title: s.title, stars: chosen })
    : t("training.rating.ask", { title: s.title });
  return {
    text,
    blocks: [
      { type: "section", text: mrkdwn(text) },
      {
        type: "actions",
        block_id: `training.rate.${s.id}`,
        elements: [1, 2, 3, 4, 5].map((n) => ({
          type: "button" as const,
          action_id: `${RATE_ACTION}.${n}`,
          value: `${s.id}:${n}`,
          text: plain("★".repeat(n)),
          ...(n === chosen ? { style: "primary" as const } : {}),
        })),
      },
    ] satisfies KnownBlock[],
  };
}
