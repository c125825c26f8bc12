// Block Kit as readable terminal text: what a person would see in Slack.
import pc from "picocolors";

type Block = Record<string, any>;

/** Colours (picocolors); `paint(false)` leaves text exactly as it is. */
export type Paint = ReturnType<typeof pc.createColors>;
export const paint = (enabled: boolean): Paint => pc.createColors(enabled);

export interface RenderedButton {
  actionId: string;
  blockId: string;
  value: string;
  label: string;
}

export interface RenderContext {
  paint: Paint;
  /** Slack user id → name (without @). */
  names: (id: string) => string;
  /** Slack channel id → name (without #). */
  channels: (id: string) => string;
}

const text = (t: { text?: string } | undefined) => (t?.text ?? "").trim();

/**
 * Renders blocks (or the fallback text) and collects the buttons, numbered from `firstNumber`
 * (shown as `[${mark}${number}]`: a form's buttons are typed as ":1", a message's as "1").
 */
export function renderMessage(
  message: { text?: string; blocks?: Block[]; attachments?: Block[] },
  firstNumber: number,
  ctx: RenderContext,
  mark = "",
): { lines: string[]; buttons: RenderedButton[] } {
  const { paint: p } = ctx;
  const out: string[] = [];
  const buttons: (RenderedButton & { inline?: boolean })[] = [];
  const md = (s: string) => styleMrkdwn(plain(s, ctx.names, ctx.channels), p);
  const push = (s: string, style: (s: string) => string = (x) => x) => {
    for (const line of s.split("\n")) out.push(style(line));
  };
  const blocks = message.blocks ?? [];
  if (blocks.length === 0 && message.text) push(md(message.text));
  for (const block of blocks) {
    switch (block.type) {
      case "header":
        out.push(p.bold(`== ${plain(text(block.text), ctx.names, ctx.channels)} ==`));
        break;
      case "section": {
        if (block.text) push(md(text(block.text)));
        const fields = (block.fields ?? []).map((f: Block) => md(text(f).replace(/\n/g, " ")));
        out.push(...fieldRows(fields));
        const acc = block.accessory;
        if (acc?.type === "button") {
          if (acc.url) out.push(`  ${link(acc, p)}`);
          else {
            // Beside its section, which it acts on (a list's "Usar esta" or "Registrar" per row).
            const b = button(acc, block.block_id);
            out.push(`  ${styled(`[${mark}${firstNumber + buttons.length}] ${b.label}`, acc.style, p)}`);
            buttons.push({ ...b, inline: true });
          }
        } else if (acc?.type === "image") out.push(p.dim(`  [image: ${acc.alt_text ?? ""}]`));
        else if (acc) out.push(p.dim(`  [${acc.type}: not clickable here]`));
        break;
      }
      case "context":
        out.push(
          p.dim(
            `  (${(block.elements ?? [])
              .map((e: Block) => (e.type === "image" ? `[${e.alt_text ?? "image"}]` : md(text(e))))
              .join(" · ")})`,
          ),
        );
        break;
      case "divider":
        out.push(p.dim("  ───"));
        break;
      case "actions":
        for (const el of block.elements ?? []) {
          if (el.type === "button" && !el.url) buttons.push(button(el, block.block_id));
          else if (el.type === "button") out.push(`  ${link(el, p)}`);
          else out.push(p.dim(`  [${el.type}: not clickable here]`));
        }
        break;
      case "image":
        out.push(p.dim(`  [image: ${block.alt_text ?? block.title?.text ?? ""}]`));
        break;
      case "rich_text":
        push(md(richText(block)));
        break;
      default:
        out.push(p.dim(`  [${block.type}]`));
    }
  }
  for (const a of message.attachments ?? []) {
    const bar = p.dim("▌ ");
    if (a.title) out.push(bar + p.bold(a.title));
    if (a.text) for (const line of md(a.text).split("\n")) out.push(bar + line);
    for (const f of a.fields ?? []) out.push(`${bar}${p.bold(f.title ?? "")} ${md(f.value ?? "")}`);
  }
  const row = buttons.flatMap((b, i) =>
    b.inline ? [] : [styled(`[${mark}${firstNumber + i}] ${b.label}`, blocksButtonStyle(blocks, b), p)],
  );
  if (row.length) out.push(row.join("   "));
  return { lines: out, buttons: buttons.map(({ inline: _, ...b }) => b) };
}

const styled = (label: string, style: string | undefined, p: Paint) =>
  style === "primary" ? p.green(label) : style === "danger" ? p.red(label) : p.cyan(label);

function button(el: Block, blockId: string): RenderedButton {
  return { actionId: el.action_id, blockId, value: el.value ?? "", label: text(el.text) };
}

function blocksButtonStyle(blocks: Block[], b: RenderedButton): string | undefined {
  for (const block of blocks) {
    const els = block.type === "actions" ? block.elements : block.accessory ? [block.accessory] : [];
    const el = (els ?? []).find((e: Block) => e.action_id === b.actionId && (e.value ?? "") === b.value);
    if (el) return el.style;
  }
  return undefined;
}

function link(el: Block, p: Paint): string {
  return `${p.underline(text(el.text))} <${el.url}>`;
}

/** Section fields two to a line, as Slack lays them out. */
function fieldRows(fields: string[]): string[] {
  const rows: string[] = [];
  const width = (s: string) => stripAnsi(s).length;
  for (let i = 0; i < fields.length; i += 2) {
    const left = fields[i] ?? "";
    const right = fields[i + 1];
    rows.push(right === undefined ? `  ${left}` : `  ${left}${" ".repeat(Math.max(2, 36 - width(left)))}${right}`);
  }
  return rows;
}

function richText(block: Block): string {
  const inline = (els: Block[] = []) =>
    els
      .map((e) =>
        e.type === "text"
          ? e.text
          : e.type === "link"
            ? (e.text ?? e.url)
            : e.type === "user"
              ? `<@${e.user_id}>`
              : e.type === "channel"
                ? `<#${e.channel_id}>`
                : e.type === "emoji"
                  ? `:${e.name}:`
                  : "",
      )
      .join("");
  return (block.elements ?? [])
    .map((s: Block) =>
      s.type === "rich_text_list"
        ? (s.elements ?? []).map((item: Block) => `• ${inline(item.elements)}`).join("\n")
        : s.type === "rich_text_quote"
          ? `> ${inline(s.elements)}`
          : inline(s.elements),
    )
    .join("\n");
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC
const ANSI = /\u001b\[[0-9;]*m/g;
export const stripAnsi = (s: string) => s.replace(ANSI, "");

const EMOJI: Record<string, string> = {
  white_check_mark: "✅",
  x: "❌",
  no_entry: "⛔",
  alarm_clock: "⏰",
  warning: "⚠️",
  question: "❓",
  tada: "🎉",
  star: "⭐",
  bar_chart: "📊",
  calendar: "📅",
  memo: "📝",
  wave: "👋",
};

/** Slack mrkdwn that reads fine in a terminal: mentions, links, dates and emoji made plain. */
export function plain(
  line: string,
  names: (id: string) => string,
  channels: (id: string) => string = (id) => id,
): string {
  return line
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, (_m, id: string) => `@${names(id)}`)
    .replace(/<#([CGD][A-Z0-9]+)\|([^>]+)>/g, (_m, _id, name: string) => `#${name}`)
    .replace(/<#([CGD][A-Z0-9]+)\|?>/g, (_m, id: string) => `#${channels(id)}`)
    .replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, "$1")
    .replace(/<!(here|channel|everyone)(?:\|[^>]*)?>/g, "@$1")
    .replace(/<!subteam\^[A-Z0-9]+\|([^>]*)>/g, "$1")
    .replace(/<((?:https?|mailto):[^|>]+)\|([^>]+)>/g, "$2 <$1>")
    .replace(/<((?:https?|mailto):[^|>]+)>/g, "$1")
    .replace(/:([a-z0-9_+-]+):/g, (m, name: string) => EMOJI[name] ?? m)
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** *bold*, _italic_, ~strike~ and `code` as terminal styles; left as typed without colours. */
export function styleMrkdwn(line: string, p: Paint): string {
  if (!p.isColorSupported) return line;
  return line
    .replace(/`([^`\n]+)`/g, (_m, s: string) => p.cyan(s))
    .replace(/(^|[\s(¡¿"'“«])\*([^*\n]+)\*(?=$|[\s).,:;!?"'”»]|$)/g, (_m, pre: string, s: string) => pre + p.bold(s))
    .replace(/(^|[\s(¡¿"'“«])_([^_\n]+)_(?=$|[\s).,:;!?"'”»])/g, (_m, pre: string, s: string) => pre + p.italic(s))
    .replace(/(^|[\s(])~([^~\n]+)~(?=$|[\s).,:;!?])/g, (_m, pre: string, s: string) => pre + p.strikethrough(s));
}

/** "12.3 KB" */
export const fileSize = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`;
