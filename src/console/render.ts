// Block Kit as readable terminal text: what a person would see in Slack.
type Block = Record<string, any>;

export interface RenderedButton {
  actionId: string;
  blockId: string;
  value: string;
  label: string;
}

const text = (t: { text?: string } | undefined) => (t?.text ?? "").trim();

/** Renders blocks (or the fallback text) and collects the buttons, numbered from `firstNumber`. */
export function renderMessage(
  message: { text?: string; blocks?: Block[] },
  firstNumber = 1,
): { lines: string[]; buttons: RenderedButton[] } {
  const lines: string[] = [];
  const buttons: RenderedButton[] = [];
  const blocks = message.blocks ?? [];
  if (blocks.length === 0 && message.text) lines.push(...message.text.split("\n"));
  for (const block of blocks) {
    switch (block.type) {
      case "header":
        lines.push(`== ${text(block.text)} ==`);
        break;
      case "section":
        if (block.text) lines.push(...text(block.text).split("\n"));
        for (const f of block.fields ?? []) lines.push(`  ${text(f).replace(/\n/g, " ")}`);
        if (block.accessory?.type === "button") buttons.push(button(block.accessory, block.block_id));
        break;
      case "context":
        lines.push(`  (${(block.elements ?? []).map((e: Block) => text(e) || e.alt_text || "").join(" · ")})`);
        break;
      case "divider":
        lines.push("  ───");
        break;
      case "actions":
        for (const el of block.elements ?? []) if (el.type === "button") buttons.push(button(el, block.block_id));
        break;
      case "image":
        lines.push(`  [image: ${block.alt_text ?? block.title?.text ?? ""}]`);
        break;
      default:
        lines.push(`  [${block.type}]`);
    }
  }
  if (buttons.length) lines.push(buttons.map((b, i) => `[${firstNumber + i}] ${b.label}`).join("   "));
  return { lines, buttons };
}

function button(el: Block, blockId: string): RenderedButton {
  return { actionId: el.action_id, blockId, value: el.value ?? "", label: text(el.text) };
}

/** Slack mrkdwn that reads fine in a terminal: mentions and dates made plain. */
export function plain(
  line: string,
  names: (id: string) => string,
  channels: (id: string) => string = (id) => id,
): string {
  return line
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, (_m, id: string) => `@${names(id)}`)
    .replace(/<#([CG][A-Z0-9]+)\|([^>]*)>/g, (_m, _id, name: string) => `#${name}`)
    .replace(/<#([CG][A-Z0-9]+)>/g, (_m, id: string) => `#${channels(id)}`)
    .replace(/<!date\^\d+\^[^^]*\^?[^|]*\|([^>]*)>/g, "$1")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}
