// Training reminders and rating requests end to end (SPEC §3, §7): sessions created and
// answered over signed HTTP, the scheduler driven with a moved clock, the outbox drained
// into the Slack double. Reminders reach only RSVP-yes people; ratings are per person and session.
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackCall } from "../../src/core/slack-double.ts";
import type { TrainingSession } from "../../src/generated/prisma/client.ts";
import { startTestApp, type TestApp } from "../kit/app.ts";
import { BACKENDS } from "../kit/db.ts";
import type { Json, SimUser } from "../kit/signer.ts";

const ZONE = "Europe/Madrid";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const trainer = { id: "UTRAIN", name: "marta" };
const alice = { id: "UALICE", name: "alice" }; // en: yes to A and B, signs in to both
const bruno = { id: "UBRUNO", name: "bruno" }; // es: yes to A, signs in
const carla = { id: "UCARLA", name: "carla" }; // en: no
const diego = { id: "UDIEGO", name: "diego" }; // en: never answers, signs in anyway
const eva = { id: "UEVA", name: "eva" }; // en: yes, then no
const fran = { id: "UFRAN", name: "fran" }; // en: no, then yes; never signs in
const everyone = [alice, bruno, carla, diego, eva, fran];

describe.each(BACKENDS)("reminders and rating requests (%s)", (backend) => {
  let t: TestApp;
  let seq = 0;
  /** A week from (real) today in the office, so sessions are always created ahead of their reminders. */
  let day: DateTime;
  let a: TrainingSession;
  let b: TrainingSession;
  const office = (hhmm: string) => {
    const [h, m] = hhmm.split(":").map(Number) as [number, number];
    return day.set({ hour: h, minute: m, second: 0, millisecond: 0 }).toJSDate();
  };

  beforeAll(async () => {
    t = await startTestApp(backend, { APP_TIMEZONE: ZONE, REMINDER_MINUTES: "60" });
    day = DateTime.now().setZone(ZONE).plus({ days: 7 }).startOf("day");
    t.slack.addUser({ id: trainer.id, name: trainer.name, tz: ZONE, locale: "es-ES" });
    for (const u of everyone)
      t.slack.addUser({ id: u.id, name: u.name, tz: ZONE, locale: u === bruno ? "es-ES" : "en-US" });
    await t.db.user.upsert({
      where: { id: trainer.id },
      create: { id: trainer.id, role: "trainer" },
      update: { role: "trainer" },
    });
  });
  afterAll(async () => t?.close());

  // ---- helpers -------------------------------------------------------------------------------

  async function responseTo(id: string, ms = 5000): Promise<SlackCall> {
    const deadline = Date.now() + ms;
    for (;;) {
      const call = t.slack.calls.find((c) => c.method === "response_url" && c.responseId === id);
      if (call) return call;
      if (Date.now() > deadline) throw new Error(`no response_url call for ${id}`);
      await sleep(10);
    }
  }

  async function newSession(line: string): Promise<TrainingSession> {
    const id = `new${++seq}`;
    const res = await t.sim.command("/training", `new ${line}`, trainer, {
      channelId: "CFORM",
      responseUrl: t.slack.responseUrl(id),
    });
    expect(res.status).toBe(200);
    await responseTo(id);
    const title = line.split("|")[0]!.trim();
    const s = await t.db.trainingSession.findFirstOrThrow({ where: { title } });
    expect(s.noticeTs).toBeTruthy();
    return s;
  }

  async function click(user: SimUser, actionId: string, value: string, channelId = "CFORM") {
    const id = `act${++seq}`;
    const res = await t.sim.action(user, actionId, value, { channelId, responseUrl: t.slack.responseUrl(id) });
    expect(res.status).toBe(200);
    return (await responseTo(id)).args as { text: string; replace_original?: boolean; blocks?: Json[] };
  }

  async function signin(user: SimUser, code: string) {
    const res = await t.sim.command("/signin", code, user);
    expect(res.status).toBe(200);
    expect(res.body.text).toContain(":white_check_mark:");
  }

  /** Runs the schedules at `at` and delivers what they stored; returns the keys run and the posts made. */
  async function tick(at: Date) {
    t.clock.set(at);
    const mark = t.slack.calls.length;
    const ran = await t.capacita.scheduler.runDue();
    await t.capacita.dispatcher.drain();
    const posts = t.slack.calls.slice(mark).filter((c) => c.method === "chat.postMessage" && !c.failed);
    return { ran, posts };
  }

  const dmsTo = (posts: SlackCall[], user: SimUser) => posts.filter((c) => c.args.channel === user.id);
  const buttonsOf = (call: SlackCall) =>
    (call.args.blocks as Json[])
      .filter((bl) => bl.type === "actions")
      .flatMap((bl) => bl.elements.map((e: Json) => [e.action_id, e.value]));

  // ---- reminders ------------------------------------------------------------------------------

  it("reminds only the people who said yes: in the notice's thread and by DM, once", async () => {
    const date = day.toISODate();
    a = await newSession(`Recordatorio Vida | ${date} 10:00 | 60 | <#CFORM|formacion> | Sala 2 | product`);
    b = await newSession(`Segunda Sesión | ${date} 12:00 | 30 | <#CFORM|formacion> | Sala 3 | other`);
    await click(alice, "training.rsvp.yes", String(a.id));
    await click(bruno, "training.rsvp.yes", String(a.id));
    await click(carla, "training.rsvp.no", String(a.id));
    await click(eva, "training.rsvp.yes", String(a.id));
    await click(eva, "training.rsvp.no", String(a.id));
    await click(fran, "training.rsvp.no", String(a.id));
    await click(fran, "training.rsvp.yes", String(a.id));
    await click(alice, "training.rsvp.yes", String(b.id));

    // 90 minutes before: too early.
    const early = await tick(office("08:30"));
    expect(early.ran.filter((k) => k.startsWith("reminders:"))).toEqual([]);
    expect(early.posts).toHaveLength(0);

    // 55 minutes before.
    const due = await tick(office("09:05"));
    expect(due.ran).toContain(`reminders:${a.id}`);
    expect(due.ran).not.toContain(`reminders:${b.id}`);

    const thread = due.posts.filter((c) => c.args.channel === "CFORM");
    expect(thread).toHaveLength(1);
    expect(thread[0]?.args.thread_ts).toBe(a.noticeTs);
    expect(thread[0]?.args.text).toContain("Recordatorio Vida");
    expect(thread[0]?.args.text).toContain("Sala 2");

    for (const yes of [alice, bruno, fran]) {
      const dms = dmsTo(due.posts, yes);
      expect(dms, yes.id).toHaveLength(1);
      expect(dms[0]?.args.text).toContain("Recordatorio Vida");
      expect(dms[0]?.args.thread_ts).toBeUndefined();
    }
    expect(dmsTo(due.posts, bruno)[0]?.args.text).toContain("Lugar: Sala 2");
    expect(dmsTo(due.posts, alice)[0]?.args.text).toContain("Sala 2");
    for (const not of [carla, diego, eva, trainer]) expect(dmsTo(due.posts, not), not.id).toHaveLength(0);
    expect(due.posts).toHaveLength(4);

    // Later passes send nothing again.
    for (const at of ["09:06", "09:30", "09:59"]) {
      const again = await tick(office(at));
      expect(again.ran.filter((k) => k.startsWith("reminders:"))).toEqual([]);
      expect(again.posts).toHaveLength(0);
    }
    expect(await t.db.jobRun.findUniqueOrThrow({ where: { key: `reminders:${a.id}` } })).toMatchObject({
      status: "done",
      attempts: 1,
    });
  });

  // ---- ratings --------------------------------------------------------------------------------

  it("asks each person who signed in for a rating when the session ends, with five buttons", async () => {
    t.clock.set(office("09:50"));
    for (const u of [alice, bruno, diego]) await signin(u, a.code);

    // Not before the end (11:00); B's reminder is due from 11:00 too.
    const before = await tick(office("10:59"));
    expect(before.ran.filter((k) => k.startsWith("ratings:"))).toEqual([]);
    expect(before.posts).toHaveLength(0);

    const ended = await tick(office("11:01"));
    expect(ended.ran).toContain(`ratings:${a.id}`);
    expect(ended.ran).toContain(`reminders:${b.id}`);
    const ratingDms = ended.posts.filter((c) => JSON.stringify(c.args.blocks ?? []).includes("training.rate."));
    expect(ratingDms.map((c) => c.args.channel).sort()).toEqual([alice.id, bruno.id, diego.id]);
    for (const dm of ratingDms) {
      expect(dm.args.text).toContain("Recordatorio Vida");
      expect(buttonsOf(dm)).toEqual([1, 2, 3, 4, 5].map((n) => [`training.rate.${n}`, `${a.id}:${n}`]));
    }
    // fran said yes but never came; carla said no: no rating request.
    for (const not of [fran, carla, eva]) expect(dmsTo(ratingDms, not)).toHaveLength(0);
    // B's reminder: alice only.
    const bReminders = ended.posts.filter((c) => !ratingDms.includes(c));
    expect(bReminders.map((c) => [c.args.channel, c.args.thread_ts ?? null])).toEqual(
      expect.arrayContaining([
        ["CFORM", b.noticeTs],
        [alice.id, null],
      ]),
    );
    expect(bReminders).toHaveLength(2);

    const later = await tick(office("11:30"));
    expect(later.posts).toHaveLength(0);
  });

  it("keeps one rating per person and session: a second click changes it, and only attendees may rate", async () => {
    const first = await click(alice, "training.rate.4", `${a.id}:4`, `D${alice.id}`);
    expect(first.replace_original).toBe(true);
    expect(first.text).toContain("4");
    const second = await click(alice, "training.rate.2", `${a.id}:2`, `D${alice.id}`);
    expect(second.replace_original).toBe(true);
    expect(second.text).toContain("2 out of 5");
    // The chosen score is marked on the buttons.
    const chosen = (second.blocks ?? [])
      .filter((bl: Json) => bl.type === "actions")
      .flatMap((bl: Json) => bl.elements)
      .filter((e: Json) => e.style === "primary")
      .map((e: Json) => e.action_id);
    expect(chosen).toEqual(["training.rate.2"]);

    await click(bruno, "training.rate.5", `${a.id}:5`, `D${bruno.id}`);

    // fran RSVP'd yes but did not sign in; carla never came either.
    const refused = await click(fran, "training.rate.3", `${a.id}:3`, `D${fran.id}`);
    expect(refused.replace_original).toBe(false);
    expect(refused.text).toBe("Only people who signed in to a session can rate it.");
    await click(carla, "training.rate.1", `${a.id}:1`, `D${carla.id}`);

    // Alice at B too: her rating of B is separate from her rating of A.
    t.clock.set(office("11:50"));
    await signin(alice, b.code);
    const bEnded = await tick(office("12:31"));
    expect(bEnded.ran).toContain(`ratings:${b.id}`);
    expect(bEnded.posts.map((c) => c.args.channel)).toEqual([alice.id]);
    await click(alice, "training.rate.5", `${b.id}:5`, `D${alice.id}`);

    const ratings = await t.db.rating.findMany({
      select: { sessionId: true, userId: true, stars: true },
      orderBy: [{ sessionId: "asc" }, { userId: "asc" }],
    });
    expect(ratings).toEqual([
      { sessionId: a.id, userId: alice.id, stars: 2 },
      { sessionId: a.id, userId: bruno.id, stars: 5 },
      { sessionId: b.id, userId: alice.id, stars: 5 },
    ]);
  });

  it("sends no reminder for a session announced inside the reminder window", async () => {
    // Created for 30 minutes from now (real time: the session's creation time is the database's).
    const now = DateTime.now().setZone(ZONE);
    t.clock.set(now.toJSDate());
    const start = now.plus({ minutes: 31 }).startOf("minute");
    const c = await newSession(
      `Sesión Exprés | ${start.toISODate()} ${start.toFormat("HH:mm")} | 20 | <#CFORM|formacion> | Sala 1 | other`,
    );
    await click(alice, "training.rsvp.yes", String(c.id));
    for (const minutes of [0, 10, 25]) {
      const pass = await tick(now.plus({ minutes }).toJSDate());
      expect(pass.ran).not.toContain(`reminders:${c.id}`);
      expect(pass.posts.filter((p) => String(p.args.text ?? "").includes("Sesión Exprés"))).toHaveLength(0);
    }
    expect(await t.db.jobRun.findUnique({ where: { key: `reminders:${c.id}` } })).toBeNull();
  });
});
