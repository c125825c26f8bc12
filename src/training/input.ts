// The zod edge for training input: the one-line command and the modal both cross it.
import { z } from "zod";
import { channelMention } from "../core/parse.ts";
import { parseOfficeDateTime } from "../core/time.ts";
import { KINDS, type KindName, type NewSession } from "./service.ts";

// Control characters (C0 and C1) would break messages; everything else people type (emoji too) is kept.
// Tabs and line breaks survive in descriptions; a title is one line, so there they become spaces.
// biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const text = (max: number, key: "training.error.title" | "training.error.place" | "training.error.description") =>
  z
    .string()
    .transform((s) => s.replace(CONTROL, "").trim())
    .pipe(z.string().max(max, key));
const oneLine = (max: number, key: "training.error.title" | "training.error.place") =>
  z
    .string()
    .transform((s) => s.replace(/[\t\n\r]+/g, " ").replace(/ {2,}/g, " "))
    .pipe(text(max, key));

const optionalText = (max: number, key: "training.error.place" | "training.error.description") =>
  z
    .string()
    .optional()
    .nullable()
    .transform((s) => s ?? "")
    .pipe(text(max, key))
    .transform((s) => s || null);

const wholeNumber = (min: number, max: number, key: "training.error.minutes" | "training.error.capacity") =>
  z
    .string()
    .trim()
    .regex(/^\d{1,6}$/, key)
    .transform(Number)
    .pipe(z.number().int().min(min, key).max(max, key));

export const kindInput = z
  .string()
  .transform((s) =>
    s
      .trim()
      .toLowerCase()
      .replace(/[\s_]+/g, "-"),
  )
  .pipe(z.enum(KINDS, { message: "training.error.kind" }));

export function newSessionSchema(zone: string) {
  return z.object({
    title: oneLine(150, "training.error.title").pipe(z.string().min(1, "training.error.title")),
    when: z.string().transform((s, ctx) => {
      const at = parseOfficeDateTime(s, zone);
      if (at) return at;
      ctx.addIssue({ code: "custom", message: "training.error.when" });
      return z.NEVER;
    }),
    minutes: wholeNumber(5, 600, "training.error.minutes"),
    channel: channelMention,
    place: optionalText(300, "training.error.place"),
    kind: z
      .string()
      .optional()
      .transform((s) => s || "other")
      .pipe(kindInput),
    capacity: z
      .string()
      .optional()
      .nullable()
      .transform((s) => s?.trim() || undefined)
      .pipe(wholeNumber(1, 10_000, "training.error.capacity").optional()),
    description: optionalText(2000, "training.error.description"),
    /** anything past the sixth "|" part of the one-line form */
    extra: z
      .string()
      .optional()
      .refine((x) => x === undefined, "training.error.extraParts"),
  });
}

export type NewSessionFields = z.input<ReturnType<typeof newSessionSchema>>;

export function toNewSession(data: z.output<ReturnType<typeof newSessionSchema>>): NewSession {
  return {
    title: data.title,
    kind: data.kind as KindName,
    startsAt: data.when,
    durationMin: data.minutes,
    place: data.place,
    channelId: data.channel,
    capacity: data.capacity ?? null,
    description: data.description,
  };
}

/** `<title> | <YYYY-MM-DD HH:mm> | <minutes> | <#channel> [| <place>] [| <kind>]` → fields. */
export function splitOneLine(text: string): NewSessionFields {
  // Slack sends a channel as <#C123|name> and a link as <https://…|label>: their "|" is no separator.
  // Odd pieces are what the separator matched: a whole <…> token (kept in its part) or undefined (a "|").
  const pieces = text.split(/(<(?:[#@!]|[a-z][a-z0-9+.-]*:)[^<>]*>)|\|/i);
  const joined = [pieces[0] ?? ""];
  for (let i = 1; i < pieces.length; i += 2) {
    const rest = pieces[i + 1] ?? "";
    if (pieces[i] === undefined) joined.push(rest);
    else joined[joined.length - 1] += pieces[i] + rest;
  }
  const parts = joined.map((p) => p.trim());
  const [title = "", when = "", minutes = "", channel = "", fifth, sixth] = parts;
  // "| product" alone after the channel is a kind, not a place.
  const fifthIsKind = sixth === undefined && fifth !== undefined && kindInput.safeParse(fifth).success;
  const extra = parts.length > 6 ? parts.slice(6).join(" | ") : undefined;
  return { title, when, minutes, channel, place: fifthIsKind ? null : fifth, kind: fifthIsKind ? fifth : sixth, extra };
}

/** A session id as a button value carries it. */
export const sessionIdValue = z
  .string()
  .regex(/^\d{1,9}$/)
  .transform(Number);

/** A rating button's value: "<session id>:<stars 1-5>". */
export const ratingValue = z
  .string()
  .regex(/^\d{1,9}:[1-5]$/)
  .transform((v) => {
    const [sessionId, stars] = v.split(":").map(Number) as [number, number];
    return { sessionId, stars };
  });
