// The operator CLI's scheduled-work commands (SPEC §8), in-process through runCli with the
// environment a shell would give it: `jobs run <job>` through the once-only coordinator and
// delivered to the Slack double, `outbox` listing what waits and what failed, usage errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/cli/main.ts";
import { type Database, openDatabase } from "../../src/core/db.ts";
import { SlackDouble } from "../../src/core/slack-double.ts";
import { signInWindow } from "../../src/training/service.ts";
import { BACKENDS } from "../kit/db.ts";
import { type CliHarness, cliHarness } from "./kit.ts";

const ZONE = "Europe/Madrid";
const MINUTE = 60_000;

describe.each(BACKENDS)("cli: jobs and outbox (%s)", (backend) => {
  let slack: SlackDouble;
  let harness: CliHarness;
  let remindId = 0;
  let brokenId = 0;

  const withDb = <T>(fn: (db: Database["prisma"]) => Promise<T>) => harness.withDb(fn);
  const cli = (...argv: string[]) => harness.run(argv);

  const posts = () => slack.callsTo("chat.postMessage").filter((c) => !c.failed);

  beforeAll(async () => {
    slack = await SlackDouble.start();
    harness = await cliHarness(backend);
    Object.assign(process.env, {
      SLACK_BOT_TOKEN: "xoxb-cli",
      SLACK_SIGNING_SECRET: "s",
      SLACK_API_URL: slack.url,
      APP_TIMEZONE: ZONE,
    });

    const now = new Date();
    const d = await openDatabase(harness.target);
    try {
      const session = (title: string, channel: string, minutes: number) => {
        const startsAt = new Date(now.getTime() + minutes * MINUTE);
        return {
          title,
          startsAt,
          durationMin: 45,
          channelId: channel,
          trainerId: "UCLITRAIN",
          noticeTs: "1690000000.000900",
          code: title
            .slice(0, 6)
            .toUpperCase()
            .replace(/[^A-Z]/g, "X"),
          createdAt: new Date(now.getTime() - 86_400_000),
          ...signInWindow(startsAt, 45),
        };
      };
      const s = await d.prisma.trainingSession.create({
        data: {
          ...session("Cli Reminder", "CCLI", 40),
          rsvps: {
            create: [
              { userId: "UCLIYES1", attending: true },
              { userId: "UCLIYES2", attending: true },
              { userId: "UCLINO", attending: false },
            ],
          },
        },
      });
      remindId = s.id;
      // Its notice's channel is gone: the thread reply fails for good.
      brokenId = (await d.prisma.trainingSession.create({ data: session("Broken Channel", "CCLIGONE", 240) })).id;
      await d.prisma.newHire.create({
        data: {
          userId: "UCLIHIRE",
          trainerId: "UCLITRAIN",
          startDate: new Date("2026-11-16T00:00:00Z"),
          checkpoints: { create: [{ day: 7, dueOn: new Date("2026-11-23T00:00:00Z") }] },
        },
      });
    } finally {
      await d.close();
    }
  }, 60_000);

  afterAll(async () => {
    await harness?.close();
    await slack?.close();
  });

  it("refuses an unknown job with exit code 2, naming the jobs there are", async () => {
    const r = await cli("jobs", "run", "nope");
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain('unknown job "nope"');
    expect(r.err).toMatch(/jobs: .*reminders/);
    expect(r.err).toContain("followups");
    expect(r.out).toBe("");
    expect(posts()).toHaveLength(0);
  });

  it("refuses a date that is not one with exit code 2", async () => {
    const r = await cli("jobs", "run", "followups", "--date", "2026-02-30");
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain('"2026-02-30" is not a date YYYY-MM-DD');
    expect(await withDb((db) => db.jobRun.count())).toBe(0);
  });

  it("refuses --date and --force for a job that runs what is due now", async () => {
    for (const extra of [["--date", "2026-11-24"], ["--force"]]) {
      const r = await cli("jobs", "run", "reminders", ...extra);
      expect(r.code).toBe(EXIT.usage);
      expect(r.err).toContain("reminders runs what is due now");
    }
    expect(posts()).toHaveLength(0);
  });

  it("runs the reminders that are due and delivers them; a second run does nothing", async () => {
    const first = await cli("jobs", "run", "reminders");
    expect(first.code).toBe(EXIT.ok);
    expect(first.out).toBe(`Ran reminders:${remindId}.\nDelivered 3 message(s).`);
    const thread = posts().filter((c) => c.args.channel === "CCLI");
    expect(thread).toHaveLength(1);
    expect(thread[0]?.args.thread_ts).toBe("1690000000.000900");
    expect(
      posts()
        .filter((c) => c.args.channel !== "CCLI")
        .map((c) => c.args.channel)
        .sort(),
    ).toEqual(["UCLIYES1", "UCLIYES2"]);

    const again = await cli("jobs", "run", "reminders");
    expect(again.code).toBe(EXIT.ok);
    expect(again.out).toBe("Nothing to run: no reminders due now, or they already ran.");
    expect(posts()).toHaveLength(3);
    expect(
      await withDb((db) => db.jobRun.findUniqueOrThrow({ where: { key: `reminders:${remindId}` } })),
    ).toMatchObject({ status: "done", attempts: 1 });
  });

  it("runs a daily job for a date once, and again only with --force", async () => {
    const run = (...extra: string[]) => cli("jobs", "run", "followups", "--date", "2026-11-24", ...extra);
    const toTrainer = () => posts().filter((c) => c.args.channel === "UCLITRAIN");

    const first = await run();
    expect(first.code).toBe(EXIT.ok);
    expect(first.out).toBe("Ran followups:2026-11-24.\nDelivered 1 message(s).");
    expect(toTrainer()).toHaveLength(1);

    const second = await run();
    expect(second.out).toContain("Nothing to run: followups already ran for that period (use --force");
    expect(toTrainer()).toHaveLength(1);

    const forced = await run("--force");
    expect(forced.code).toBe(EXIT.ok);
    // Only the new run's message is counted.
    expect(forced.out).toBe("Ran followups:2026-11-24.\nDelivered 1 message(s).");
    expect(toTrainer()).toHaveLength(2);
    const keys = await withDb(async (db) =>
      (await db.outboxMessage.findMany({ where: { channel: "UCLITRAIN" }, orderBy: { id: "asc" } })).map((m) => m.key),
    );
    expect(keys).toEqual(["followups:2026-11-24:dm:UCLITRAIN", "followups:2026-11-24#1:dm:UCLITRAIN"]);
  });

  it("waits out a short Retry-After before saying what was delivered", async () => {
    slack.failNext("chat.postMessage", { status: 429, headers: { "Retry-After": "1" } });
    const started = Date.now();
    const r = await cli("jobs", "run", "followups", "--date", "2026-11-23");
    expect(r.out).toBe("Ran followups:2026-11-23.\nDelivered 1 message(s).");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const calls = slack.callsTo("chat.postMessage").filter((c) => c.args.channel === "UCLITRAIN");
    expect(calls.map((c) => Boolean(c.failed))).toEqual([false, false, true, false]);
  });

  it("leaves messages in the outbox without a bot token, and `outbox` lists them", async () => {
    delete process.env.SLACK_BOT_TOKEN;
    try {
      const before = posts().length;
      const r = await cli("jobs", "run", "followups", "--date", "2026-11-25");
      expect(r.code).toBe(EXIT.ok);
      expect(r.out).toContain("No SLACK_BOT_TOKEN");
      expect(posts()).toHaveLength(before);
      const listed = await cli("outbox");
      expect(listed.code).toBe(EXIT.ok);
      expect(listed.out).toMatch(/pending 1 · sending 0 · sent \d+ · failed 0/);
      expect(listed.out).toMatch(/^pending +followups:2026-11-25:dm:UCLITRAIN {2}→ UCLITRAIN {2}attempts 0$/m);
    } finally {
      process.env.SLACK_BOT_TOKEN = "xoxb-cli";
    }
  });

  it("shows a message that failed for good in `outbox`, with its error", async () => {
    // The follow-up left waiting goes out with the next run, even one that has nothing to do.
    const flush = await cli("jobs", "run", "followups", "--date", "2026-11-25");
    expect(flush.out).toContain("Nothing to run");
    expect(posts().filter((c) => c.args.channel === "UCLITRAIN")).toHaveLength(4);
    // The broken session's reminder comes due; its thread reply fails for good.
    const startsAt = new Date(Date.now() + 30 * MINUTE);
    await withDb((db) =>
      db.trainingSession.update({ where: { id: brokenId }, data: { startsAt, ...signInWindow(startsAt, 45) } }),
    );
    slack.failNext("chat.postMessage", { body: { ok: false, error: "channel_not_found" } });
    const r = await cli("jobs", "run", "reminders");
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toBe(`Ran reminders:${brokenId}.\nDelivered 0 message(s); 1 failed (see \`npm run cli -- outbox\`).`);

    const listed = await cli("outbox");
    expect(listed.code).toBe(EXIT.ok);
    expect(listed.out).toMatch(/pending 0 · sending 0 · sent \d+ · failed 1/);
    expect(listed.out).toMatch(
      new RegExp(
        `^failed +reminders:${brokenId}:thread {2}→ CCLIGONE {2}attempts 1 {2}last error: channel_not_found$`,
        "m",
      ),
    );
    // Delivered messages are counted, not listed.
    expect(listed.out).not.toContain(`reminders:${remindId}:`);
    expect(listed.out).not.toContain("followups:");
  });
});
