// zod pieces for command text: every word of a slash command crosses one of these.
// Issue messages are message keys, rendered in the reader's language.
import { z } from "zod";
import { es } from "./i18n/es.ts";
import type { MessageKey } from "./i18n/index.ts";
import { parseChannelMention, parseUserMention } from "./slack.ts";

function mention(parse: (s: string) => string | null, key: MessageKey) {
  return z.string({ message: key }).transform((s, ctx) => {
    const id = parse(s);
    if (id) return id;
    ctx.addIssue({ code: "custom", message: key });
    return z.NEVER;
  });
}

export const userMention = mention(parseUserMention, "error.userMention");
export const channelMention = mention(parseChannelMention, "error.channelMention");

/** The first issue's message when it is one of our message keys; otherwise "something is missing or malformed". */
export function issueKey(error: z.ZodError): MessageKey {
  const message = error.issues[0]?.message;
  return message && message in es ? (message as MessageKey) : "error.invalidInput";
}

/**
 * A CSV record checked for NUL bytes in the fields its schema reads: PostgreSQL cannot store them in
 * text, so a file carrying one is refused with the line and field instead of failing on write.
 */
export function withoutNul<T extends z.ZodObject>(schema: T, message: string) {
  const fields = Object.keys(schema.shape);
  return z
    .record(z.string(), z.unknown())
    .superRefine((record, ctx) => {
      for (const field of fields) {
        const value = record[field];
        if (typeof value === "string" && value.includes("\u0000"))
          ctx.addIssue({ code: "custom", path: [field], message });
      }
    })
    .pipe(schema);
}

/** A view's private_metadata comes back from Slack as we wrote it; anything else reads as empty. */
export function viewMetadata(text: string | undefined): unknown {
  try {
    return JSON.parse(text || "{}");
  } catch {
    return {};
  }
}
