// Two app processes on one PostgreSQL database with the same schedules (SPEC §7): every
// run key executes once and every message is posted once, counted at the Slack double.
// Real processes (`node --import tsx src/main.ts`), real time; CI runs it with PostgreSQL.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { officeDay } from "../../src/core/days.ts";
import { type Database, openDatabase } from "../../src/core/db.ts";
import { type SlackCall, SlackDouble } from "../../src/core/slack-double.ts";
import { CODE_ALPHABET, signInWindow } from "../../src/training/service.ts";
import { freshTarget } from "../kit/db.ts";
import { type AppProcess, runsLogged, startAppProcess } from "../kit/processes.ts";

const ZONE = "Europe/Madrid";
const MINUTE = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const code = () => Array.from(randomBytes(6), (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join("");
const person = (n: number) => `UPROC${String(n).padStart(2, "0")}`;

/** Sessions whose reminder is due (start in ~30 min), each with its RSVP-yes and RSVP-no people. */
const REMIND = [
  { title: "Reminder Alpha", channel: "CPROCA", yes: [1, 2, 3, 4, 5, 6], no: [7, 8] },
  { title: "Reminder Bravo", channel: "CPROCB", yes: [1, 3, 5, 7, 9, 11], no: [2] },
  { title: "Reminder Charlie", channel: "CPROCA", yes: [2, 4, 6, 8, 10, 12], no: [] },
  { title: "Reminder Delta", channel: "CPROCB", yes: [9, 10, 11, 12], no: [1, 3, 5] },
];
/** Sessions that ended ten minutes ago, each with the people who signed in. */
const RATE = [
  { title: "Rated Echo", channel: "CPROCA", signedIn: [1, 2, 3, 4] },
  { title: "Rated Foxtrot", channel: "CPROCB", signedIn: [5, 6, 7] },
  { title: "Rated Golf", channel: "CPROCA", signedIn: [1, 8, 12] },
];
const TRAINER = "UPROCTRAINER";

describe.skipIf(!process.env.TEST_DATABASE_URL)("two app processes on one PostgreSQL", () => {
  let slack: SlackDouble;
  let database: Database;
  let url: string;
  const children: AppProcess[] = [];
  const ids = { remind: [] as number[], rate: [] as number[] };

  const startChild = (name: string) =>
    startAppProcess(name, {
      SLACK_BOT_TOKEN: "xoxb-x",
      SLACK_SIGNING_SECRET: "s",
      SLACK_API_URL: slack.url,
      DATABASE_URL: url,
      APP_TIMEZONE: ZONE,
      REMINDER_MINUTES: "60",
      DEFAULT_LOCALE: "es",
    });

  beforeAll(async () => {
    slack = await SlackDouble.start();
    const target = await freshTarget("postgres");
    if (target.kind !== "postgres") throw new Error("expected PostgreSQL");
    url = target.url;
    database = await openDatabase(target);
    const db = database.prisma;
    const now = new Date();

    // An installation that has been running for a while.
    await db.appState.create({
      data: { key: "firstStartedAt", value: new Date(now.getTime() - 2 * 86_400_000).toISOString() },
    });
    await db.user.createMany({
      data: [
        ...Array.from({ length: 12 }, (_, i) => ({ id: person(i + 1), locale: i % 2 ? "es-ES" : "en-US" })),
        { id: TRAINER, role: "trainer" as const },
      ],
    });
    for (const [i, s] of REMIND.entries()) {
      const startsAt = new Date(now.getTime() + (30 + i) * MINUTE);
      const row = await db.trainingSession.create({
        data: {
          title: s.title,
          startsAt,
          durationMin: 60,
          channelId: s.channel,
          trainerId: TRAINER,
          noticeTs: `1690000000.00010${i}`,
          code: code(),
          createdAt: new Date(now.getTime() - 2 * 86_400_000),
          ...signInWindow(startsAt, 60),
          rsvps: {
            create: [
              ...s.yes.map((n) => ({ userId: person(n), attending: true })),
              ...s.no.map((n) => ({ userId: person(n), attending: false })),
            ],
          },
        },
      });
      ids.remind.push(row.id);
    }
    for (const [i, s] of RATE.entries()) {
      const startsAt = new Date(now.getTime() - (70 + i) * MINUTE);
      const row = await db.trainingSession.create({
        data: {
          title: s.title,
          startsAt,
          durationMin: 60,
          channelId: s.channel,
          trainerId: TRAINER,
          noticeTs: `1690000000.00020${i}`,
          code: code(),
          createdAt: new Date(now.getTime() - 3 * 86_400_000),
          ...signInWindow(startsAt, 60),
          signIns: {
            create: s.signedIn.map((n) => ({
              userId: person(n),
              signedInAt: new Date(startsAt.getTime() + MINUTE),
              late: false,
            })),
          },
        },
      });
      ids.rate.push(row.id);
    }
    // A follow-up due three days ago: the daily follow-ups run DMs its trainer.
    const today = officeDay(now, ZONE);
    await db.newHire.create({
      data: {
        userId: "UPROCHIRE",
        trainerId: TRAINER,
        startDate: new Date(today.getTime() - 10 * 86_400_000),
        checkpoints: { create: [{ day: 7, dueOn: new Date(today.getTime() - 3 * 86_400_000) }] },
      },
    });

    // Both at once, racing for the same runs and the same messages.
    children.push(startChild("first"), startChild("second"));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop()));
    await database?.close();
    await slack?.close();
  });

  const expectedCount =
    REMIND.length + REMIND.reduce((n, s) => n + s.yes.length, 0) + RATE.reduce((n, s) => n + s.signedIn.length, 0) + 1;

  it("runs every key once and posts every message once", async () => {
    const db = database.prisma;
    // Until everything stored is delivered (and both processes are up).
    const deadline = Date.now() + 90_000;
    for (;;) {
      const [total, sent] = await Promise.all([
        db.outboxMessage.count(),
        db.outboxMessage.count({ where: { status: "sent" } }),
      ]);
      if (total >= expectedCount && sent === total && children.every((c) => c.port)) break;
      for (const c of children)
        if (c.proc.exitCode !== null) throw new Error(`${c.name} exited ${c.proc.exitCode}:\n${c.lines.join("\n")}`);
      if (Date.now() > deadline)
        throw new Error(
          `timed out: ${sent}/${total} sent\n${children.map((c) => c.lines.join("\n")).join("\n----\n")}`,
        );
      await sleep(250);
    }
    // Both dispatchers keep polling; give a double post the chance to happen.
    await sleep(3000);

    const posts = slack.callsTo("chat.postMessage").filter((c) => !c.failed);
    const matching = (pred: (c: SlackCall) => boolean) => posts.filter(pred);
    const isRating = (c: SlackCall, id: number) =>
      Array.isArray(c.args.blocks) &&
      c.args.blocks.some((bl: { block_id?: string }) => bl.block_id === `training.rate.${id}`);

    for (const [i, s] of REMIND.entries()) {
      const thread = matching((c) => c.args.channel === s.channel && c.args.thread_ts === `1690000000.00010${i}`);
      expect(thread, `${s.title} thread`).toHaveLength(1);
      expect(thread[0]?.args.text).toContain(s.title);
      for (const n of s.yes) {
        const dms = matching((c) => c.args.channel === person(n) && String(c.args.text).includes(s.title));
        expect(dms, `${s.title} → ${person(n)}`).toHaveLength(1);
      }
      for (const n of s.no)
        expect(matching((c) => c.args.channel === person(n) && String(c.args.text).includes(s.title))).toHaveLength(0);
    }
    for (const [i, s] of RATE.entries()) {
      const id = ids.rate[i] as number;
      for (const n of s.signedIn) {
        const dms = matching((c) => c.args.channel === person(n) && isRating(c, id));
        expect(dms, `${s.title} rating → ${person(n)}`).toHaveLength(1);
      }
      expect(matching((c) => isRating(c, id))).toHaveLength(s.signedIn.length);
    }
    expect(matching((c) => c.args.channel === TRAINER)).toHaveLength(1);
    // Nothing else, nothing twice.
    expect(posts).toHaveLength(expectedCount);
    expect(await db.outboxMessage.count()).toBe(expectedCount);

    // Each run key: once, done, first attempt — and executed by one process only (their logs).
    const runs = await db.jobRun.findMany({ orderBy: { key: "asc" } });
    const keys = runs.map((r) => r.key);
    for (const id of ids.remind) expect(keys).toContain(`reminders:${id}`);
    for (const id of ids.rate) expect(keys).toContain(`ratings:${id}`);
    expect(keys.filter((k) => k.startsWith("followups:"))).toHaveLength(1);
    for (const id of ids.rate) expect(keys).not.toContain(`reminders:${id}`);
    for (const id of ids.remind) expect(keys).not.toContain(`ratings:${id}`);
    for (const r of runs) expect(r, r.key).toMatchObject({ status: "done", attempts: 1, generation: 0 });
    expect(runsLogged(children.flatMap((c) => c.lines)).sort()).toEqual(keys);

    // Both processes were up all along and still are.
    for (const c of children) {
      expect(c.proc.exitCode, c.name).toBeNull();
      const health = await fetch(`http://127.0.0.1:${c.port}/healthz`);
      expect(health.status, c.name).toBe(200);
    }
  }, 120_000);
});
