// Small Block Kit pieces every feature's blocks.ts uses.
import type { T } from "./i18n/index.ts";

export const mrkdwn = (text: string) => ({ type: "mrkdwn" as const, text });
export const plain = (text: string) => ({ type: "plain_text" as const, text, emoji: true });

/** A button's "are you sure?" dialog, from the four messages under `prefix` (title, text, yes, no). */
export const confirmDialog = (t: T, prefix: "training.confirm" | "faq.outOfScope.confirm") => ({
  title: plain(t(`${prefix}.title`)),
  text: plain(t(`${prefix}.text`)),
  confirm: plain(t(`${prefix}.yes`)),
  deny: plain(t(`${prefix}.no`)),
});

/** What people typed, shown in mrkdwn: never a live mention (<!here>) or a broken link. */
export const esc = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The first `max` UTF-16 units of a text, never ending on half a surrogate pair (an emoji cut in two is invalid JSON for PostgreSQL). */
export const truncate = (text: string, max: number) => {
  const head = text.slice(0, max);
  return /[\ud800-\udbff]$/.test(head) ? head.slice(0, -1) : head;
};

/** Section text has a 3,000-character limit; plain-text headers 150. An entity cut in half is dropped. */
export const clip = (text: string, max = 2900) =>
  text.length > max ? `${truncate(text, max - 1).replace(/&[a-z]{0,3}$/, "")}…` : text;
