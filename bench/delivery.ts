// `npm run bench -- delivery`: 500 queued DMs across 50 channels (10 each), delivered
// by the outbox dispatcher against the local Slack double with the default pacing of
// one message per second per channel — against the floor that pacing sets.
import { parseConfig } from "../src/config.ts";
import { MovableClock } from "../src/core/clock.ts";
import { openDatabase } from "../src/core/db.ts";
import { createLogger } from "../src/core/logger.ts";
import { CHANNEL_INTERVAL_MS, Dispatcher, enqueue, type Outgoing } from "../src/core/outbox.ts";
import { SlackDouble } from "../src/core/slack-double.ts";
import { type Backend, benchDatabase, fmt, postgresAvailable } from "./lib/setup.ts";

const CHANNELS = 50;
const PER_CHANNEL = 10;
const FLOOR_S = ((PER_CHANNEL - 1) * CHANNEL_INTERVAL_MS) / 1000;

type Order = "interleaved" | "grouped";

/** Interleaved: a round of DMs to everyone, ten times. Grouped: each person's ten DMs stored together. */
function messages(order: Order): Outgoing[] {
  const out: Outgoing[] = [];
  for (let a = 0; a < (order === "grouped" ? CHANNELS : PER_CHANNEL); a++) {
    for (let b = 0; b < (order === "grouped" ? PER_CHANNEL : CHANNELS); b++) {
      const [c, n] = order === "grouped" ? [a, b] : [b, a];
      const channel = `UBENCH${String(c).padStart(3, "0")}`;
      out.push({
        key: `bench:${c}:${n}`,
        method: "chat.postMessage",
        channel,
        payload: { channel, text: `message ${n} for ${channel}` },
      });
    }
  }
  return out;
}

async function measure(backend: Backend, order: Order): Promise<string> {
  const slack = await SlackDouble.start();
  const { target, drop } = await benchDatabase(backend);
  const database = await openDatabase(target);
  try {
    await database.migrate();
    const config = parseConfig({ SLACK_BOT_TOKEN: "xoxb-bench", SLACK_SIGNING_SECRET: "s", SLACK_API_URL: slack.url });
    const clock = new MovableClock();
    const logger = createLogger("error");
    await enqueue(database.prisma, clock, messages(order));
    const dispatcher = new Dispatcher({ config, db: database.prisma, clock, logger, token: "xoxb-bench" });
    const started = performance.now();
    await dispatcher.drain();
    const elapsed = (performance.now() - started) / 1000;

    const posts = slack.callsTo("chat.postMessage").filter((c) => !c.failed);
    const byChannel = new Map<string, number[]>();
    for (const p of posts)
      byChannel.set(String(p.args.channel), [...(byChannel.get(String(p.args.channel)) ?? []), p.at]);
    let minGap = Number.POSITIVE_INFINITY;
    for (const times of byChannel.values())
      for (let i = 1; i < times.length; i++) minGap = Math.min(minGap, (times[i] as number) - (times[i - 1] as number));
    const distinct = new Set(posts.map((p) => p.args.text)).size;
    const left = await database.prisma.outboxMessage.count({ where: { status: { not: "sent" } } });
    return `| ${backend} | ${order} | ${fmt(elapsed, 2)} s | ${fmt(FLOOR_S, 0)} s | ${fmt(elapsed / FLOOR_S, 2)} | ${posts.length} (${distinct} distinct, ${left} left) | ${minGap} ms |`;
  } finally {
    await database.close();
    await slack.close();
    await drop();
  }
}

export async function benchDelivery(): Promise<string[]> {
  const backends: Backend[] = (await postgresAvailable()) ? ["embedded", "postgres"] : ["embedded"];
  const rows: string[] = [];
  for (const backend of backends)
    for (const order of ["interleaved", "grouped"] as const) rows.push(await measure(backend, order));
  return [
    `${CHANNELS * PER_CHANNEL} queued DMs across ${CHANNELS} channels (${PER_CHANNEL} each), one dispatcher, ${CHANNEL_INTERVAL_MS} ms per-channel pacing, local Slack double`,
    "| database | stored order | elapsed | per-channel floor | ratio | posted | min gap in a channel |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    `floor: (${PER_CHANNEL} − 1) × ${CHANNEL_INTERVAL_MS / 1000} s per channel, channels in parallel; goal: ratio close to 1`,
  ];
}
