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
