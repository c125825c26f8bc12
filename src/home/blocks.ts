// The App Home tab as Block Kit: one section per role, each list cut to what fits,
// reusing the other features' buttons so their handlers answer the clicks.
import type { HomeView, KnownBlock } from "@slack/types";
import { clip, esc, mrkdwn, plain } from "../core/blocks.ts";
import { daysBetween } from "../core/days.ts";
import type { Locale, T } from "../core/i18n/index.ts";
import { can, type Role } from "../core/roles.ts";
import { slackDate } from "../core/time.ts";
import { unansweredRow } from "../faq/blocks.ts";
import { LOG_ACTION } from "../followups/blocks.ts";
import { change, formatValue, weekLabel } from "../kpi/blocks.ts";
import { kindLabel, ACTIONS as TRAINING_ACTIONS } from "../training/blocks.ts";
import { kindName } from "../training/service.ts";
import type { AdminHome, Home, ManagerHome, More, StaffHome, TrainerHome, UpcomingItem } from "./service.ts";
import { ATTENDANCE_DAYS } from "./service.ts";

export const HOME_CALLBACK = "home";
/** Slack refuses a Home view with more than 100 blocks. */
export const MAX_BLOCKS = 100;

export interface Reader {
  t: T;
  locale: Locale;
  /** APP_TIMEZONE: the fallback text of Slack's <!date> tokens. */
  zone: string;
  role: Role;
}

const header = (text: string): KnownBlock => ({ type: "header", text: plain(clip(text, 150)) });
const section = (text: string): KnownBlock => ({ type: "section", text: mrkdwn(clip(text)) });
const context = (text: string): KnownBlock => ({ type: "context", elements: [mrkdwn(clip(text))] });
const when = (at: Date, r: Reader) => slackDate(at, r.zone, r.locale, "{date_short_pretty} {time}");
/** "180", or "500+" when the list was read only that far. */
const count = (m: More) => `${m.count}${m.capped ? "+" : ""}`;

/** Lines joined into as few sections as Slack's 3,000-character limit allows. */
function lines(items: string[]): KnownBlock[] {
  const out: KnownBlock[] = [];
  let chunk = "";
  for (const line of items.map((l) => clip(l, 1000))) {
    if (chunk && chunk.length + line.length + 1 > 2900) {
      out.push(section(chunk));
      chunk = "";
    }
    chunk = chunk ? `${chunk}\n${line}` : line;
  }
  if (chunk) out.push(section(chunk));
  return out;
}

export function homeView(home: Home, r: Reader): HomeView {
  const { t } = r;
  const blocks: KnownBlock[] = [
    header(t("home.title")),
    context(t("home.hello", { user: home.userId, role: t(`role.${home.role}`) })),
  ];
  const parts = [
    home.staff && staffBlocks(home.staff, r),
    home.trainer && trainerBlocks(home.trainer, r),
    home.manager && managerBlocks(home.manager, r),
    home.admin && adminBlocks(home.admin, r),
  ];
  for (const part of parts) if (part) blocks.push({ type: "divider" }, ...part);
  // The lists are cut well below the limit; this only guards against a future section outgrowing it.
  const fitted = blocks.length > MAX_BLOCKS ? [...blocks.slice(0, MAX_BLOCKS - 1), context(t("home.trimmed"))] : blocks;
  return { type: "home", callback_id: HOME_CALLBACK, blocks: fitted };
}

function rsvpState(item: UpcomingItem, full: boolean, t: T): string {
  const state = item.mine === "yes" ? t("home.rsvp.yes") : item.mine === "no" ? t("home.rsvp.no") : t("home.rsvp.none");
  return full ? `${state} · ${t("training.notice.full")}` : state;
}

function staffBlocks(s: StaffHome, r: Reader): KnownBlock[] {
  const { t } = r;
  const blocks: KnownBlock[] = [header(t("home.staff.title"))];
  if (s.upcoming.length === 0) blocks.push(section(t("home.staff.none")));
  for (const item of s.upcoming) {
    const { session } = item;
    const full = session.capacity !== null && item.yes >= session.capacity;
    blocks.push({
      type: "section",
      block_id: `home.session.${session.id}`,
      text: mrkdwn(
        clip(
          t("home.session.item", {
            title: esc(session.title),
            when: when(session.startsAt, r),
            kind: kindLabel(t, kindName(session.kind)),
            place: session.place ? t("home.session.place", { place: esc(session.place) }) : "",
            state: rsvpState(item, full, t),
          }),
        ),
      ),
    });
    // Only the answer that would change something is offered; a full session takes no new "yes".
    const buttons = [];
    if (item.mine !== "yes" && !full)
      buttons.push({
        type: "button" as const,
        action_id: TRAINING_ACTIONS.rsvpYes,
        value: String(session.id),
        style: "primary" as const,
        text: plain(t("training.button.yes")),
      });
    if (item.mine !== "no")
      buttons.push({
        type: "button" as const,
        action_id: TRAINING_ACTIONS.rsvpNo,
        value: String(session.id),
        text: plain(t("training.button.no")),
      });
    if (buttons.length) blocks.push({ type: "actions", block_id: `home.rsvp.${session.id}`, elements: buttons });
  }
  if (s.upcomingMore.count > 0) {
    // Staff have no command that lists sessions; trainers and admins do.
    const key = can(r.role, "training.manage") ? "home.more.training" : "home.more.sessions";
    blocks.push(context(t(key, { count: count(s.upcomingMore) })));
  }
  blocks.push(header(t("home.attendance.title")));
  if (s.signInCount === 0) {
    blocks.push(section(t("home.attendance.none", { days: ATTENDANCE_DAYS })));
    return blocks;
  }
  const summary = t("home.attendance.summary", { count: s.signInCount, late: s.lateCount, days: ATTENDANCE_DAYS });
  const items = s.signIns.map((x) =>
    t("home.attendance.item", {
      title: esc(x.title),
      when: when(x.signedInAt, r),
      status: t(x.late ? "training.roster.late" : "training.roster.onTime"),
    }),
  );
  blocks.push(...lines([summary, ...items]));
  return blocks;
}

function trainerBlocks(s: TrainerHome, r: Reader): KnownBlock[] {
  const { t } = r;
  const blocks: KnownBlock[] = [header(t("followups.due.title"))];
  if (s.due.length === 0) blocks.push(section(t("followups.due.none")));
  for (const c of s.due) {
    const late = daysBetween(c.dueOn, s.today);
    const item = t("followups.due.item", {
      id: c.id,
      user: c.newHire.userId,
      day: c.day,
      when: late > 0 ? t("followups.due.overdue", { days: late }) : t("followups.due.dueToday"),
    });
    const trainer = s.allTrainers ? t("home.followups.trainer", { trainer: c.newHire.trainerId }) : "";
    blocks.push({
      type: "section",
      block_id: `home.followup.${c.id}`,
      text: mrkdwn(`${item}${trainer}`),
      accessory: { type: "button", action_id: LOG_ACTION, value: String(c.id), text: plain(t("followups.button.log")) },
    });
  }
  if (s.dueMore.count > 0) blocks.push(context(t("home.followups.more", { count: count(s.dueMore) })));

  blocks.push(header(t("home.sessions.title")));
  if (s.sessions.length === 0) blocks.push(section(t("home.sessions.none")));
  blocks.push(
    ...lines(
      s.sessions.map(({ session, yes, signIns }) =>
        t("home.sessions.item", {
          id: session.id,
          title: esc(session.title),
          when: when(session.startsAt, r),
          yes,
          signIns,
        }),
      ),
    ),
  );
  if (s.sessionsMore.count > 0) blocks.push(context(t("home.more.training", { count: count(s.sessionsMore) })));
  return blocks;
}

function managerBlocks(m: ManagerHome, r: Reader): KnownBlock[] {
  const { t, locale } = r;
  const week = weekLabel(m.weekStart, locale);
  const blocks: KnownBlock[] = [
    header(m.team ? t("home.kpi.titleTeam", { team: m.team, week }) : t("home.kpi.title", { week })),
  ];
  if (m.kpis.length === 0) blocks.push(section(t("home.kpi.none")));
  else
    blocks.push({
      type: "section",
      block_id: "home.kpi",
      // Section fields: at most 10, 2,000 characters each.
      fields: m.kpis.slice(0, 10).map((k) => {
        const delta = change(k, locale);
        return mrkdwn(
          clip(`*${k.def.label[locale]}*\n${formatValue(k.value, k.def, locale)}${delta ? `  ${delta}` : ""}`, 1900),
        );
      }),
    });
  blocks.push(context(t("home.kpi.footer")));
  return blocks;
}

/** Where an outbox message was going: a channel, a person, or a DM. */
function recipient(channel: string): string {
  if (/^[CG][A-Z0-9]+$/.test(channel)) return `<#${channel}>`;
  if (/^[UW][A-Z0-9]+$/.test(channel)) return `<@${channel}>`;
  return esc(channel);
}

function adminBlocks(a: AdminHome, r: Reader): KnownBlock[] {
  const { t } = r;
  const blocks: KnownBlock[] = [header(t("home.faq.title"))];
  if (a.unanswered.length === 0) blocks.push(section(t("faq.unanswered.none")));
  for (const q of a.unanswered) blocks.push(unansweredRow(q, t, `home.question.${q.id}`));
  if (a.unansweredMore.count > 0) blocks.push(context(t("home.faq.more", { count: count(a.unansweredMore) })));

  blocks.push(header(t("home.outbox.title")));
  if (a.failed === 0 && a.pending === 0) {
    blocks.push(section(t("home.outbox.ok")));
    return blocks;
  }
  const items = a.recentFailed.map((m) =>
    t("home.outbox.item", {
      method: m.method,
      to: recipient(m.channel),
      error: esc(clip(m.lastError ?? "?", 200)),
      when: when(m.createdAt, r),
    }),
  );
  blocks.push(...lines([t("home.outbox.summary", { failed: a.failed, pending: a.pending }), ...items]));
  if (a.failedMore.count > 0) blocks.push(context(t("home.outbox.more", { count: count(a.failedMore) })));
  return blocks;
}
