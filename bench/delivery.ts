// `npm run bench -- delivery`: 500 queued DMs across 50 channels (10 each), delivered
// by the outbox dispatcher against the local Slack double with the default pacing of
// one message per second per channel — against the floor that pacing sets.
import { parseConfig } from "../src/config.ts";
import { MovableClock } from "../src/core/clock.ts";
import { createLogger } from "../src/core/logger.ts";
import { CHANNEL_INTERVAL_MS, Dispatcher, enqueue, type Outgoing } from "../src/core/outbox.ts";
import { SlackDouble } from "../src/core/slack-double.ts";
import { atMost, type BenchResult, exactly, type Figure, independent, measured } from "./lib/report.ts";
import { type Backend, eachBackend, sized, withDatabase } from "./lib/setup.ts";

const CHANNELS = sized(50, 20);
const PER_CHANNEL = sized(10, 2);
const TOTAL = CHANNELS * PER_CHANNEL;
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

async function measure(backend: Backend, order: Order) {
  const slack = await SlackDouble.start();
  try {
    return await withDatabase(backend, async (database) => {
      const config = parseConfig({
        SLACK_BOT_TOKEN: "xoxb-bench",
        SLACK_SIGNING_SECRET: "s",
        SLACK_API_URL: slack.url,
      });
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
        for (let i = 1; i < times.length; i++)
          minGap = Math.min(minGap, (times[i] as number) - (times[i - 1] as number));
      const times = new Map<unknown, number>();
      for (const p of posts) times.set(p.args.text, (times.get(p.args.text) ?? 0) + 1);
      const once = [...times.values()].filter((n) => n === 1).length;
      const left = await database.prisma.outboxMessage.count({ where: { status: { not: "sent" } } });
      return { elapsed, posted: posts.length, distinct: times.size, once, left, minGap };
    });
  } finally {
    await slack.close();
  }
}

export async function benchDelivery(): Promise<BenchResult> {
  const figures: Figure[] = [independent("per-channel floor", "s", FLOOR_S, { digits: 1 })];
  const notes = [
    `${TOTAL} queued DMs across ${CHANNELS} channels (${PER_CHANNEL} each), one dispatcher, ${CHANNEL_INTERVAL_MS} ms per-channel pacing, local Slack double`,
    `floor: (${PER_CHANNEL} − 1) × ${CHANNEL_INTERVAL_MS / 1000} s per channel, channels in parallel; interleaved: a round of DMs to everyone, ${PER_CHANNEL} times; grouped: each person's DMs stored together`,
  ];
  for (const order of ["interleaved", "grouped"] as const) {
    const r = await eachBackend((backend) => measure(backend, order));
    figures.push(
      measured(r, `${order}: elapsed`, "s", (x) => x.elapsed, { digits: 2 }),
      measured(r, `${order}: elapsed ÷ floor`, "", (x) => x.elapsed / FLOOR_S, { digits: 2, goal: atMost(1.1) }),
      measured(r, `${order}: DMs posted exactly once`, "", (x) => x.once, { goal: exactly(TOTAL) }),
      measured(r, `${order}: shortest gap in a channel`, "ms", (x) => x.minGap),
    );
    for (const [backend, x] of Object.entries(r))
      notes.push(`${backend}, ${order}: ${x.posted} posted, ${x.distinct} distinct, ${x.left} left in the outbox`);
  }
  return { figures, notes };
}
