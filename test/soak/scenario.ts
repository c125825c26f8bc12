// The soak's working day (issue #9), run against a Stage: one app in this process, or several app
// processes on one PostgreSQL. The clock is moved, never waited for: Monday 06:30 to Tuesday 09:05
// office time in about a minute. 200 people, 10 sessions, RSVPs (some changed), sign-in bursts
// (every request sometimes twice), late and early sign-ins, ratings, /ask (some unanswerable), new
// hires with follow-ups due, the Monday digest, the daily follow-ups on both days, random Slack
// faults throughout, and one restart in the middle (08:45 → 09:20, over the follow-ups run, a
// reminder and a rating request). At the end the database and the Web API calls the double
// recorded are compared with what the test itself did: nothing lost, nothing twice.
import { DateTime } from "luxon";
import { expect } from "vitest";
import type { MovableClock } from "../../src/core/clock.ts";
import type { Database } from "../../src/core/db.ts";
import { t } from "../../src/core/i18n/index.ts";
import { MAX_IN_FLIGHT } from "../../src/core/outbox.ts";
import { type FaultKind, type SlackCall, type SlackDouble, seededRandom } from "../../src/core/slack-double.ts";
import { importFigures } from "../../src/kpi/service.ts";
import { matchesAny, replyOf, snapshot } from "../kit/fuzz.ts";
import type { SimResponse, SlackClientSim } from "../kit/signer.ts";

export type Db = Database["prisma"];

export const ZONE = "Europe/Madrid";
const MONDAY = "2026-03-02";
const TUESDAY = "2026-03-03";
/** Office time on the soak's Monday (or another day) → instant. */
export const office = (hhmm: string, day = MONDAY) => DateTime.fromISO(`${day}T${hhmm}`, { zone: ZONE }).toJSDate();
const MINUTE = 60_000;
const dayOf = (at: Date) => DateTime.fromJSDate(at, { zone: ZONE }).toISODate() as string;

/** The environment every app of the soak runs with (plus its Slack URL, port and database). */
export const SOAK_ENV = {
  APP_TIMEZONE: ZONE,
  DEFAULT_LOCALE: "es",
  REMINDER_MINUTES: "60",
  ADMIN_USER_IDS: "UADMIN",
  LOG_LEVEL: "error",
};

/** The faults of the soak: about one Web API call in ten (seeded); see SlackDouble.randomFaults. */
export const SOAK_FAULTS: Record<FaultKind, number> = {
  ratelimited: 0.03,
  server_error: 0.03,
  dropped: 0.02,
  answer_lost: 0.02,
};

/** SOAK_SEED=n replays a run; SOAK_SEED=random picks one (printed either way). */
export function soakSeed(): number {
  const given = process.env.SOAK_SEED;
  if (given === "random") return Math.floor(Math.random() * 2 ** 31);
  return given ? Number(given) : 20260302;
}

/** What the scenario drives: the apps, their clock, their Slack and their database. */
export interface Stage {
  name: string;
  slack: SlackDouble;
  /** The test's own connection. */
  db: Db;
  /** The apps' time as the test set it. */
  clock: MovableClock;
  /** Who answers the next request (several processes: each in turn). */
  client(): SlackClientSim;
  /** Moves every running app's clock to `at` and runs its minutely tick. */
  moveClock(at: Date): Promise<void>;
  /** Waits until what is due now has been delivered (nothing in flight when the clock moves on). */
  settle(): Promise<void>;
  /**
   * The restart in the middle: the clock reaches `at`, whose tick stores a room's rating requests,
   * and the app goes down while delivering them (stopped gracefully, or killed), …
   */
  down(at: Date): Promise<void>;
  /** … and up again at the clock's time, making up what it missed. */
  up(): Promise<void>;
  /** A process killed abruptly: what it posted just before dying may not have been recorded as sent. */
  killed?: { via: string; at: number };
  /** The run keys every app logged as done, all together (from their logs). */
  runsLogged(): string[];
}

// ---- the people and the plan ------------------------------------------------------------------

const USERS = Array.from({ length: 200 }, (_, i) => `USOAK${String(i + 1).padStart(3, "0")}`);
/** Deactivated at 06:55, after RSVPing yes to sessions 1 and 3: their reminders fail for good. */
const GONE = USERS[199] as string;
const ADMIN = "UADMIN";
const TRAINERS = ["UTRAIN1", "UTRAIN2", "UTRAIN3", "UTRAIN4", "UTRAIN5"];
const MANAGERS = ["UMGR1", "UMGR2", "UMGR3"];
const TEAMS = {
  Norte: { manager: "UMGR1", trainers: ["UTRAIN1", "UTRAIN2"] },
  Sur: { manager: "UMGR2", trainers: ["UTRAIN3"] },
};
const TRAINING_CHANNELS = ["CTRAIN1", "CTRAIN2", "CTRAIN3"];
const DIGEST_CHANNELS = ["CKPI1", "CKPI2"];
const KINDS = ["induction", "product", "sales-skills", "agent", "bridge", "other"] as const;
const FOLLOWUP_DAYS = [7, 30, 60, 90];
/** New hires: days before the Monday they started, and their trainer. */
const HIRES = [7, 6, 30, 20, 2, 60, 8, 13, 90, 1, 37, 100].map((daysAgo, i) => ({
  userId: `UHIRE${String(i + 1).padStart(2, "0")}`,
  trainer: TRAINERS[i % TRAINERS.length] as string,
  start: DateTime.fromISO(MONDAY, { zone: "utc" }).minus({ days: daysAgo }).toJSDate(),
}));
const FAQ = [
  [
    "¿Cómo se anula una póliza?",
    "Desde el portal del mediador, en Pólizas, con la carta firmada del cliente.",
    "cómo se anula una póliza",
  ],
  [
    "¿Qué plazo tiene el cliente para devolver el recibo?",
    "Ocho semanas desde el cargo en su cuenta.",
    "plazo para devolver un recibo",
  ],
  [
    "¿Cómo se da de alta un siniestro de hogar?",
    "Por teléfono en la línea de siniestros o en el portal, con fotos.",
    "alta de siniestro de hogar",
  ],
  [
    "¿Qué documentación necesita un seguro de vida?",
    "DNI, cuestionario de salud firmado y la cuenta de cargo.",
    "documentación seguro de vida",
  ],
  [
    "¿Cuándo se paga la comisión de nueva producción?",
    "El día 10 del mes siguiente a la emisión.",
    "cuándo se paga la comisión",
  ],
  [
    "¿Cómo cambio la cuenta bancaria de un cliente?",
    "En la ficha del cliente, Datos de cobro, con el IBAN nuevo.",
    "cambiar cuenta bancaria cliente",
  ],
] as const;
/** The restart: down at 08:45 (when session 0's 199 rating requests go out), back at 09:20. */
const DOWN = office("08:45");
const UP = office("09:20");
const inDownTime = (at: Date) => at > DOWN && at < UP;

interface SessionPlan {
  k: number;
  title: string;
  kind: (typeof KINDS)[number];
  startsAt: Date;
  channel: string;
  trainer: string;
  /** RSVP clicks in order (a changed mind is a second click). */
  rsvps: { user: string; attending: boolean }[];
  rsvpAt: Date;
  signIns: { user: string; at: Date; twice: boolean }[];
  early: string[];
  wrong: string[];
  wrongAt: Date;
  ratings: { user: string; stars: number }[];
  ratingsAt: Date;
  // Learned while running, from what Slack showed:
  id?: number;
  code?: string;
}

interface AskPlan {
  at: Date;
  user: string;
  text: string;
  /** The FAQ answer expected, or null for a question nobody can answer. */
  answer: string | null;
}

function plan(seed: number) {
  const rnd = seededRandom(seed);
  const chance = (p: number) => rnd() < p;
  const pick = <T>(from: readonly T[], n: number): T[] => {
    const pool = [...from];
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [pool[i], pool[j]] = [pool[j] as T, pool[i] as T];
    }
    return pool.slice(0, n);
  };
  const present = USERS.filter((u) => u !== GONE);
  const sessions: SessionPlan[] = Array.from({ length: 10 }, (_, k) => {
    const startsAt = new Date(office("08:00").getTime() + k * 30 * MINUTE);
    const kind = KINDS[k % KINDS.length] as (typeof KINDS)[number];
    return {
      k,
      title: `Sesión ${String(k).padStart(2, "0")} de ${kind}`,
      kind,
      startsAt,
      channel: TRAINING_CHANNELS[k % TRAINING_CHANNELS.length] as string,
      trainer: TRAINERS[k % TRAINERS.length] as string,
      rsvps: [],
      rsvpAt: k < 5 ? office("06:40") : office("09:25"),
      signIns: [],
      early: [],
      wrong: [],
      wrongAt: startsAt,
      ratings: [],
      ratingsAt: new Date(startsAt.getTime() + 50 * MINUTE),
    };
  });
  for (const s of sessions) {
    const first = pick(present, s.k === 0 ? 60 : 25).map((user) => ({ user, attending: chance(0.8) }));
    if (s.k === 1 || s.k === 3) first.push({ user: GONE, attending: true });
    const changes = first.filter((r) => r.user !== GONE && chance(0.1)).map((r) => ({ ...r, attending: !r.attending }));
    s.rsvps = [...first, ...changes];
    const finalYes = [...finalRsvps(s)].filter(([, yes]) => yes).map(([u]) => u);
    const walkIns = pick(
      present.filter((u) => !s.rsvps.some((r) => r.user === u)),
      5,
    );
    const attendees = s.k === 0 ? present : [...finalYes.filter((u) => u !== GONE && chance(0.85)), ...walkIns];
    // Whoever would have signed in while the app was down does so as soon as it is back (late).
    const when = (at: Date) => (inDownTime(at) ? office("09:21") : at);
    const burst = when(new Date(s.startsAt.getTime() + MINUTE));
    const late = when(new Date(s.startsAt.getTime() + 12 * MINUTE));
    s.signIns = attendees.map((user) => ({ user, at: s.k !== 0 && chance(0.1) ? late : burst, twice: chance(0.2) }));
    const early = new Date(s.startsAt.getTime() - 20 * MINUTE);
    s.early = inDownTime(early) ? [] : pick(present, 3);
    s.wrong = pick(present, 3);
    s.wrongAt = inDownTime(new Date(s.startsAt.getTime() + 2 * MINUTE))
      ? office("09:22")
      : new Date(s.startsAt.getTime() + 2 * MINUTE);
    const raters = s.signIns.filter(() => chance(0.4)).map((x) => x.user);
    s.ratings = raters.map((user) => ({ user, stars: 1 + Math.floor(rnd() * 5) }));
    // A few change their rating.
    for (const user of raters.filter(() => chance(0.1))) s.ratings.push({ user, stars: 1 + Math.floor(rnd() * 5) });
    // Ratings of the sessions that ended around the restart are clicked once the app is back.
    if (s.ratingsAt < new Date(UP.getTime() + 5 * MINUTE)) s.ratingsAt = office("09:25");
  }
  const asks: AskPlan[] = [];
  const consonants = "bcdfghjklmnpqrstvwxz";
  const nonsense = () =>
    Array.from({ length: 3 }, () => Array.from({ length: 5 }, () => consonants[Math.floor(rnd() * 20)]).join("")).join(
      " ",
    );
  for (let at = office("07:00"); at <= office("13:00"); at = new Date(at.getTime() + 30 * MINUTE)) {
    if (inDownTime(at)) continue;
    for (let i = 0; i < 6; i++) {
      const user = pick(present, 1)[0] as string;
      if (i < 4) {
        const entry = FAQ[Math.floor(rnd() * FAQ.length)] as (typeof FAQ)[number];
        asks.push({ at, user, text: entry[2], answer: entry[1] });
      } else asks.push({ at, user, text: nonsense(), answer: null });
    }
  }
  return { sessions, asks };
}

function finalRsvps(s: SessionPlan): Map<string, boolean> {
  const last = new Map<string, boolean>();
  for (const r of s.rsvps) last.set(r.user, r.attending);
  return last;
}

// ---- running it ---------------------------------------------------------------------------------

export interface SoakRun {
  seed: number;
  sessions: SessionPlan[];
  asks: AskPlan[];
  requests: { byKind: Record<string, number>; status: Record<number, number> };
  /** The office time the test had set when the double saw each call. */
  appTime: WeakMap<SlackCall, Date>;
  /** Answers to response URLs, by id. */
  responses: Map<string, SlackCall[]>;
  startedAt: number;
  makeUp: { down: Date; up: Date };
}

/** People clicking one session's buttons at the same moment (several sessions' crowds click together). */
const CLICKING = 16;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pool<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

export async function runSoak(stage: Stage, seed: number): Promise<SoakRun> {
  const { sessions, asks } = plan(seed);
  const { slack } = stage;
  const run: SoakRun = {
    seed,
    sessions,
    asks,
    requests: { byKind: {}, status: {} },
    appTime: new WeakMap(),
    responses: new Map(),
    startedAt: Date.now(),
    makeUp: { down: DOWN, up: UP },
  };
  slack.on("call", (call) => {
    run.appTime.set(call, stage.clock.now());
    if (call.responseId) run.responses.set(call.responseId, [...(run.responses.get(call.responseId) ?? []), call]);
  });
  for (const id of [...USERS, ...TRAINERS, ...MANAGERS, ADMIN])
    slack.addUser({
      id,
      name: id.toLowerCase(),
      real_name: id,
      tz: ZONE,
      locale: Number(id.at(-1)) % 3 ? "es-ES" : "en-US",
    });
  for (const id of [...TRAINING_CHANNELS, ...DIGEST_CHANNELS]) slack.addChannel({ id, name: id.toLowerCase() });

  /** Sends one signed request; every one must be acknowledged in time, and none answered with an apology. */
  async function send(kind: string, request: (sim: SlackClientSim) => Promise<SimResponse>): Promise<SimResponse> {
    const res = await request(stage.client());
    run.requests.byKind[kind] = (run.requests.byKind[kind] ?? 0) + 1;
    run.requests.status[res.status] = (run.requests.status[res.status] ?? 0) + 1;
    // Bolt answers 404 when a listener has not acknowledged within Slack's 3 seconds.
    if (res.status === 404) throw new Error(`${kind}: not acknowledged within 3 s (${res.ms.toFixed(0)} ms)`);
    expect(res.status, `${kind}: ${JSON.stringify(res.body)}`).toBe(200);
    if (matchesAny(String(res.body?.text ?? ""), APOLOGY)) throw new Error(`${kind}: a listener failed (an apology)`);
    return res;
  }
  const text = (res: SimResponse) => String(res.body?.text ?? "");
  /** A request whose answer comes later through its response URL (after the acknowledgement). */
  async function sendAndWait(
    kind: string,
    request: (sim: SlackClientSim, responseUrl: string) => Promise<SimResponse>,
  ): Promise<SlackCall> {
    let id = "";
    await send(kind, (sim) => {
      const url = sim.newResponseUrl();
      id = url.slice(url.lastIndexOf("/") + 1);
      return request(sim, url);
    });
    // Generous: the app's Slack client retries a failing call up to ten times, backing off.
    const deadline = Date.now() + 120_000;
    while (!run.responses.get(id)?.length) {
      if (Date.now() > deadline) throw new Error(`${kind}: no answer through its response URL`);
      await sleep(5);
    }
    return run.responses.get(id)?.[0] as SlackCall;
  }
  const command = (kind: string, user: string, cmd: string, args: string, channelId = "C0GENERAL") =>
    send(kind, (sim) => sim.command(cmd, args, { id: user }, { channelId }));

  // What happens when, on top of a 15-minute grid of clock moves (the minutely tick). At one
  // moment, actions run in order, then the crowds (RSVPs, sign-ins, ratings of several sessions) together.
  type Step = { inOrder: (() => Promise<void>)[]; together: (() => Promise<void>)[] };
  const steps = new Map<number, Step>();
  const step = (time: number) => steps.get(time) ?? (steps.set(time, { inOrder: [], together: [] }).get(time) as Step);
  const at = (when: Date, action: () => Promise<void>) => step(when.getTime()).inOrder.push(action);
  const crowd = (when: Date, action: () => Promise<void>) => step(when.getTime()).together.push(action);
  const monday = { from: office("06:30"), to: office("13:30") };
  for (let t = monday.from.getTime(); t <= monday.to.getTime(); t += 15 * MINUTE) step(t);
  for (const t of [office("18:00"), office("08:55", TUESDAY), office("09:00", TUESDAY), office("09:05", TUESDAY)])
    step(t.getTime());

  at(office("06:30"), async () => {
    for (const u of TRAINERS) await command("setup", ADMIN, "/capacita", `role <@${u}> trainer`);
    for (const u of MANAGERS) await command("setup", ADMIN, "/capacita", `role <@${u}> manager`);
    for (const [team, { manager, trainers }] of Object.entries(TEAMS)) {
      for (const u of trainers) await command("setup", ADMIN, "/capacita", `team <@${u}> ${team}`);
      await command("setup", ADMIN, "/capacita", `manager ${team} <@${manager}>`);
    }
    for (const [question, answer] of FAQ) await command("setup", ADMIN, "/faq", `add ${question} | ${answer} | soak`);
    // The subscription is stored after the ack, once Slack confirms the channel: wait for the answer.
    for (const [i, channel] of DIGEST_CHANNELS.entries()) {
      const answer = await sendAndWait("setup", (sim, responseUrl) =>
        sim.command(
          "/kpi",
          `subscribe <#${channel}|${channel.toLowerCase()}>`,
          { id: MANAGERS[i] as string },
          { responseUrl },
        ),
      );
      expect(String(answer.args.text)).toContain(channel);
    }
    for (const h of HIRES) {
      const res = await command("setup", h.trainer, "/newhire", `<@${h.userId}> ${h.start.toISOString().slice(0, 10)}`);
      expect(text(res)).toMatch(/<@UHIRE/);
    }
    // Eight weeks of an imported figure, as an operator would load them: the digest then has a chart.
    const weeks = Array.from({ length: 8 }, (_, i) =>
      DateTime.fromISO(MONDAY)
        .minus({ weeks: 8 - i })
        .toISODate(),
    );
    const csv = ["week start,metric,value,target", ...weeks.map((w, i) => `${w},premium_achievement,${90 + i},100`)];
    expect(await importFigures(stage.db, csv.join("\n"))).toMatchObject({ ok: true });
    await pool(sessions, 4, async (s) => {
      const when = DateTime.fromJSDate(s.startsAt, { zone: ZONE }).toFormat("yyyy-MM-dd HH:mm");
      const answer = await sendAndWait("setup", (sim, responseUrl) =>
        sim.command(
          "/training",
          `new ${s.title} | ${when} | 45 | <#${s.channel}|${s.channel.toLowerCase()}> | Aula ${s.k} | ${s.kind}`,
          { id: s.trainer },
          { responseUrl },
        ),
      );
      // The trainer reads the code in their private answer; people click on the notice's buttons.
      s.code = /\*([A-Z2-9]{6})\*/.exec(String(answer.args.text))?.[1];
      const notice = slack
        .callsTo("chat.postMessage")
        .find((c) => c.args.channel === s.channel && JSON.stringify(c.args.blocks ?? []).includes(`"${s.title}"`));
      const button = JSON.stringify(notice?.args.blocks ?? "").match(/"block_id":"training\.rsvp\.(\d+)"/)?.[1];
      expect(s.code, `${s.title}: ${answer.args.text}`).toBeDefined();
      expect(button, `${s.title}: its notice`).toBeDefined();
      s.id = Number(button);
    });
  });

  // The app is back before anything else happens at 09:20.
  at(UP, () => stage.up());
  for (const s of sessions) {
    crowd(s.rsvpAt, async () => {
      // People click in any order, many at a time; a changed mind comes after the first click.
      const firsts = new Map<string, boolean>();
      const seconds: { user: string; attending: boolean }[] = [];
      for (const r of s.rsvps) {
        if (firsts.has(r.user)) seconds.push(r);
        else firsts.set(r.user, r.attending);
      }
      const click = (r: { user: string; attending: boolean }) =>
        sendAndWait("rsvp", (sim, responseUrl) =>
          sim.action({ id: r.user }, r.attending ? "training.rsvp.yes" : "training.rsvp.no", String(s.id), {
            channelId: s.channel,
            responseUrl,
          }),
        ).then(() => {});
      await pool(
        [...firsts].map(([user, attending]) => ({ user, attending })),
        CLICKING,
        click,
      );
      await pool(seconds, CLICKING, click);
    });
    const bursts = new Map<number, { user: string; twice: boolean }[]>();
    for (const x of s.signIns) bursts.set(x.at.getTime(), [...(bursts.get(x.at.getTime()) ?? []), x]);
    for (const [time, people] of bursts) {
      crowd(new Date(time), async () => {
        // Everyone at once; some requests arrive twice (Slack retrying, or a double tap).
        const requests = people.flatMap((p) => (p.twice ? [p.user, p.user] : [p.user]));
        const answers = await Promise.all(
          requests.map((user) =>
            send("signin", (sim) => sim.command("/signin", ` ${s.code?.toLowerCase()} `, { id: user })),
          ),
        );
        const ok = replyOf("training.signin.ok", "training.signin.late", "training.signin.already");
        for (const a of answers) expect(matchesAny(text(a), ok), text(a)).toBe(true);
      });
    }
    if (s.early.length)
      at(new Date(s.startsAt.getTime() - 20 * MINUTE), async () => {
        for (const user of s.early) {
          const a = await send("signin", (sim) => sim.command("/signin", s.code as string, { id: user }));
          expect(matchesAny(text(a), replyOf("training.signin.notOpen")), text(a)).toBe(true);
        }
      });
    at(s.wrongAt, async () => {
      for (const user of s.wrong) {
        const wrong = (s.code as string).replace(/^./, (c) => (c === "Z" ? "Y" : "Z"));
        const a = await send("signin", (sim) => sim.command("/signin", wrong, { id: user }));
        expect(matchesAny(text(a), replyOf("training.signin.unknown")), text(a)).toBe(true);
      }
    });
    crowd(s.ratingsAt, async () => {
      const firsts = s.ratings.filter((r, i) => s.ratings.findIndex((x) => x.user === r.user) === i);
      const again = s.ratings.filter((r) => !firsts.includes(r));
      const rate = (r: { user: string; stars: number }) =>
        sendAndWait("rating", (sim, responseUrl) =>
          sim.action({ id: r.user }, `training.rate.${r.stars}`, `${s.id}:${r.stars}`, {
            channelId: `D${r.user}`,
            responseUrl,
          }),
        ).then(() => {});
      await pool(firsts, CLICKING, rate);
      await pool(again, CLICKING, rate);
    });
  }
  at(office("06:55"), async () => {
    slack.deactivate(GONE);
  });
  for (const a of asks)
    at(a.at, async () => {
      const res = await send("ask", (sim) => sim.command("/ask", a.text, { id: a.user }));
      const body = JSON.stringify(res.body);
      if (a.answer) expect(body, a.text).toContain(a.answer);
      else expect(matchesAny(text(res), replyOf("faq.dontKnow")), `${a.text}: ${text(res)}`).toBe(true);
    });

  const verbose = Boolean(process.env.SOAK_VERBOSE);
  for (const time of [...steps.keys()].sort((a, b) => a - b)) {
    const when = new Date(time);
    const began = Date.now();
    if (time === DOWN.getTime()) await stage.down(when);
    else await stage.moveClock(when);
    const moved = Date.now();
    const { inOrder, together } = steps.get(time) as Step;
    for (const action of inOrder) await action();
    await Promise.all(together.map((action) => action()));
    const acted = Date.now();
    if (time !== DOWN.getTime()) await stage.settle();
    if (verbose)
      console.log(
        `${DateTime.fromJSDate(when, { zone: ZONE }).toFormat("ccc HH:mm")} tick ${moved - began} ms, requests ${acted - moved} ms, settle ${Date.now() - acted} ms`,
      );
  }
  // Retries that are not due yet (back-off, Retry-After): let time pass until nothing is left.
  for (let i = 0; i < 40; i++) {
    const left = await stage.db.outboxMessage.count({ where: { status: { in: ["pending", "sending"] } } });
    if (left === 0) break;
    await stage.moveClock(new Date(stage.clock.now().getTime() + 5 * MINUTE));
    await stage.settle();
  }
  return run;
}

/** The runs due while the app was down (08:45 → 09:20): the follow-ups, one reminder, one rating request. */
export function missedWhileDown(run: SoakRun): string[] {
  const [, s1, , , s4] = run.sessions;
  return [`followups:${MONDAY}`, `ratings:${s1?.id}`, `reminders:${s4?.id}`];
}

// ---- what should have happened, and what did ------------------------------------------------------

/** A message as people see it: same conversation, thread, text and blocks. */
const contentOf = (c: SlackCall) =>
  JSON.stringify([c.method, c.args.channel, c.args.thread_ts ?? "", c.args.text ?? "", c.args.blocks ?? null]);

const REMINDER_DM = replyOf("training.reminder.dm");
const REMINDER_THREAD = replyOf("training.reminder.thread");
const CODE_DM = replyOf("training.codeDm");
const UNANSWERED = replyOf("faq.unanswered.notice");
const ALERT = replyOf("outbox.failed");
const DUE_TITLE = replyOf("followups.due.title");
const ESCALATION = replyOf("followups.escalation.title");
const DIGEST_TITLE = replyOf("kpi.title", "kpi.titleTeam");
const APOLOGY = replyOf("error.generic");

/** The logical message a post is, by its content and who got it; `day` is the office day the test was in. */
function classify(c: SlackCall, run: SoakRun): string | null {
  const to = String(c.args.channel);
  const body = String(c.args.text ?? "");
  const blocks = (c.args.blocks ?? []) as { type?: string; block_id?: string; text?: { text?: string } }[];
  const day = dayOf(run.appTime.get(c) ?? new Date(0));
  const title = run.sessions.find((s) => body.includes(`*${s.title}*`))?.title;
  const rsvp = blocks.map((b) => /^training\.rsvp\.(\d+)$/.exec(b.block_id ?? "")?.[1]).find(Boolean);
  if (rsvp) return `notice:${rsvp}`;
  const rate = blocks.map((b) => /^training\.rate\.(\d+)$/.exec(b.block_id ?? "")?.[1]).find(Boolean);
  if (rate) return `rating:${rate}:${to}`;
  if (title && c.args.thread_ts && matchesAny(body, REMINDER_THREAD)) return `thread:${title}`;
  if (title && matchesAny(body, REMINDER_DM)) return `reminder:${title}:${to}`;
  if (title && matchesAny(body, CODE_DM)) return `code:${title}:${to}`;
  if (matchesAny(body, UNANSWERED)) return `unanswered:${body}`;
  if (matchesAny(body, ALERT)) return `alert:${to}:${/\(\S+ ([^)]+)\)\.?$/.exec(body)?.[1] ?? body}`;
  const header = blocks[0]?.type === "header" ? String(blocks[0].text?.text ?? "") : "";
  if (matchesAny(header, DUE_TITLE)) return `followups:${to}:${day}`;
  if (matchesAny(header, ESCALATION)) return `escalation:${to}:${day}`;
  if (matchesAny(header, DIGEST_TITLE)) return `digest:${to}`;
  if (c.args.thread_ts && [...DIGEST_CHANNELS, ...MANAGERS].includes(to)) return `digest-more:${to}:${contentOf(c)}`;
  return null;
}

export interface SoakSummary {
  rows: Record<string, number>;
  lines: string[];
}

/** Compares the database and the recorded Web API calls with the plan; prints and returns the counts. */
export async function checkSoak(stage: Stage, run: SoakRun): Promise<SoakSummary> {
  const { db, slack } = stage;
  const problems: string[] = [];
  const sessions = run.sessions;

  // -- the database: one row per person and session, as planned ---------------------------------
  for (const s of sessions) {
    const signIns = await db.signIn.findMany({ where: { sessionId: s.id } });
    const expected = new Map(s.signIns.map((x) => [x.user, x.at.getTime() > s.startsAt.getTime() + 10 * MINUTE]));
    expect(signIns.map((r) => r.userId).sort(), `${s.title} sign-ins`).toEqual([...expected.keys()].sort());
    for (const r of signIns) expect(r.late, `${s.title} ${r.userId} late`).toBe(expected.get(r.userId));
    const rsvps = await db.rsvp.findMany({ where: { sessionId: s.id } });
    const final = finalRsvps(s);
    expect(Object.fromEntries(rsvps.map((r) => [r.userId, r.attending])), `${s.title} RSVPs`).toEqual(
      Object.fromEntries(final),
    );
    const ratings = await db.rating.findMany({ where: { sessionId: s.id } });
    const lastStars = new Map(s.ratings.map((r) => [r.user, r.stars]));
    expect(Object.fromEntries(ratings.map((r) => [r.userId, r.stars])), `${s.title} ratings`).toEqual(
      Object.fromEntries(lastStars),
    );
  }
  const queries = await db.faqQuery.findMany({ orderBy: { id: "asc" } });
  expect(queries.length, "questions asked").toBe(run.asks.length);
  expect(queries.filter((q) => !q.entryId).length, "questions unanswered").toBe(
    run.asks.filter((a) => !a.answer).length,
  );

  // -- the scheduled runs: each key once, done ----------------------------------------------------
  const runs = await db.jobRun.findMany({ orderBy: { key: "asc" } });
  const expectedKeys = [
    "digest:2026-W09",
    `followups:${MONDAY}`,
    `followups:${TUESDAY}`,
    ...sessions.flatMap((s) => [`reminders:${s.id}`, `ratings:${s.id}`]),
  ].sort();
  expect(runs.map((r) => r.key).sort()).toEqual(expectedKeys);
  for (const r of runs) expect(r.status, r.key).toBe("done");
  // And each was done by one app only, once (the apps' logs).
  expect(stage.runsLogged().sort(), "runs done, as the apps logged them").toEqual(expectedKeys);

  // -- what Slack got: each logical message once, however many faults ---------------------------
  const posted = slack.calls.filter((c) => c.method === "chat.postMessage" && !c.failed && c.result?.ok);
  const groups = new Map<string, SlackCall[]>();
  for (const c of posted) groups.set(contentOf(c), [...(groups.get(contentOf(c)) ?? []), c]);
  const logical = new Map<string, SlackCall[][]>();
  // Extra copies people see: after a lost answer (the client could not know), from the killed process
  // (posted, then killed before it recorded so), and any other (a bug).
  const extra = { lostAnswer: 0, killed: 0, unexplained: 0 };
  const tally = (key: string, copies: SlackCall[]) => {
    const answered = copies.filter((c) => !c.answerLost);
    if (answered.length === 0) problems.push(`${key}: never answered (always lost)`);
    const killed = stage.killed;
    const diedWith = killed
      ? answered.filter((c) => c.via === killed.via && c.at <= killed.at && c.at >= killed.at - 5_000).length
      : 0;
    const again = Math.max(answered.length - 1, 0);
    extra.lostAnswer += copies.length - answered.length;
    extra.killed += Math.min(again, diedWith);
    if (again > diedWith) {
      extra.unexplained += again - diedWith;
      problems.push(`${key}: posted ${copies.length} times (${answered.length} answered)`);
    }
  };
  for (const copies of groups.values()) {
    const key = classify(copies[0] as SlackCall, run);
    if (!key) problems.push(`unexpected message: ${contentOf(copies[0] as SlackCall).slice(0, 300)}`);
    else {
      logical.set(key, [...(logical.get(key) ?? []), copies]);
      tally(key, copies);
    }
  }
  const expectOnce = (key: string) => {
    const found = logical.get(key)?.length ?? 0;
    if (found !== 1) problems.push(`${key}: ${found === 0 ? "lost" : `${found} different messages`}`);
  };
  const expectedKeysAtSlack: string[] = [];
  const want = (key: string) => {
    expectedKeysAtSlack.push(key);
    expectOnce(key);
  };
  for (const s of sessions) {
    want(`notice:${s.id}`);
    want(`code:${s.title}:${s.trainer}`);
    want(`thread:${s.title}`);
    for (const [user, yes] of finalRsvps(s)) if (yes && user !== GONE) want(`reminder:${s.title}:${user}`);
    for (const x of s.signIns) want(`rating:${s.id}:${x.user}`);
  }
  for (const day of [MONDAY, TUESDAY]) {
    const today = DateTime.fromISO(day, { zone: "utc" });
    const due = HIRES.flatMap((h) =>
      FOLLOWUP_DAYS.map((d) => ({
        trainer: h.trainer,
        dueOn: DateTime.fromJSDate(h.start, { zone: "utc" }).plus({ days: d }),
      })),
    ).filter((c) => c.dueOn <= today);
    for (const trainer of new Set(due.map((c) => c.trainer))) want(`followups:${trainer}:${day}`);
    const late = due.filter((c) => c.dueOn < today.minus({ days: 7 }));
    if (late.length) {
      want(`escalation:${ADMIN}:${day}`);
      for (const { manager, trainers } of Object.values(TEAMS))
        if (late.some((c) => trainers.includes(c.trainer))) want(`escalation:${manager}:${day}`);
    }
  }
  for (const to of [...DIGEST_CHANNELS, ...MANAGERS]) want(`digest:${to}`);
  for (const a of run.asks.filter((x) => !x.answer)) {
    const key = [...logical.keys()].find((k) => k.startsWith("unanswered:") && k.includes(`_${a.text}_`));
    if (key) want(key);
    else problems.push(`unanswered notice for "${a.text}": lost`);
  }
  // The deactivated person: their reminders failed for good and each failure reached the admin once.
  const failed = await db.outboxMessage.findMany({ where: { status: "failed" } });
  expect(failed.map((m) => [m.channel, m.lastError])).toEqual([
    [GONE, "account_inactive"],
    [GONE, "account_inactive"],
  ]);
  for (const m of failed) want(`alert:${ADMIN}:${m.key}`);
  const digestHeads = new Map(
    [...DIGEST_CHANNELS, ...MANAGERS].map((to) => [to, logical.get(`digest:${to}`)?.[0]?.find((c) => !c.answerLost)]),
  );
  for (const key of logical.keys()) {
    if (key.startsWith("digest-more:")) {
      const copy = logical.get(key)?.[0]?.[0] as SlackCall;
      const head = digestHeads.get(String(copy.args.channel));
      if (copy.args.thread_ts !== head?.result?.ts) problems.push(`${key}: not in the digest's thread`);
    } else if (!expectedKeysAtSlack.includes(key)) problems.push(`${key}: not expected`);
  }

  // The notices, as people see them at the end: the last update shows the final RSVP counts.
  for (const s of sessions) {
    const row = await db.trainingSession.findUniqueOrThrow({ where: { id: s.id } });
    const shown = slack.calls
      .filter((c) => !c.failed && c.result?.ok && c.args.channel === s.channel)
      .filter((c) => (c.method === "chat.update" && c.args.ts === row.noticeTs) || c.result?.ts === row.noticeTs)
      .at(-1);
    const counts = [...finalRsvps(s).values()];
    const line = t("es", "training.notice.count", {
      yes: counts.filter(Boolean).length,
      no: counts.filter((x) => !x).length,
    });
    if (!JSON.stringify(shown?.args.blocks ?? "").includes(line))
      problems.push(
        `${s.title}: the notice shows ${JSON.stringify(shown?.args.blocks?.at?.(-3) ?? null)}, not "${line}"`,
      );
  }

  // Chart files: each digest's chart shared once, in the digest's conversation.
  const shares = slack.calls.filter((c) => c.method === "files.completeUploadExternal" && !c.failed && c.result?.ok);
  for (const to of [...DIGEST_CHANNELS, ...MANAGERS.map((m) => `D${m}`)]) {
    const copies = shares.filter((c) => c.args.channel_id === to);
    if (copies.length === 0) problems.push(`chart for ${to}: lost`);
    else tally(`chart:${to}`, copies);
  }
  if (shares.some((c) => !String(c.args.channel_id).match(/^(CKPI|DUMGR)/))) problems.push("a chart shared elsewhere");

  // A process that dies mid-delivery posts again only what it had on the wire (Slack took it, unrecorded).
  if (extra.killed > MAX_IN_FLIGHT)
    problems.push(`${extra.killed} copies from the killed process (at most ${MAX_IN_FLIGHT})`);

  // -- the outbox: everything delivered but the two messages that could never be ---------------
  const outbox = await db.outboxMessage.groupBy({ by: ["status"], _count: { _all: true } });
  const status = Object.fromEntries(outbox.map((g) => [g.status, g._count._all]));
  expect(status.pending ?? 0, "outbox pending").toBe(0);
  expect(status.sending ?? 0, "outbox sending").toBe(0);

  // No listener fell over: no apology reached anyone.
  const apologies = slack.calls.filter((c) => matchesAny(String(c.args.text ?? ""), APOLOGY));
  if (apologies.length) problems.push(`${apologies.length} apologies (a listener failed)`);

  // -- the summary ----------------------------------------------------------------------------
  const rows = Object.fromEntries(Object.entries(await snapshot(db)).map(([table, { n }]) => [table, n]));
  const lost = problems.filter((p) => p.endsWith("lost")).length;
  const calls = slack.calls.filter((c) => c.method !== "response_url");
  const seconds = ((Date.now() - run.startedAt) / 1000).toFixed(1);
  const requests = Object.values(run.requests.byKind).reduce((a, b) => a + b, 0);
  const statuses = Object.entries(run.requests.status).map(([code, n]) => `${code}×${n}`);
  const lines = [
    `soak ${stage.name}: seed ${run.seed} (SOAK_SEED=${run.seed} replays it), ${seconds} s`,
    `  requests   ${requests} (${Object.entries(run.requests.byKind)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ")}), answered ${statuses.join(" ")}`,
    `  Web API    ${calls.length} calls, faults ${Object.entries(slack.injected)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ")}`,
    `  rows       ${Object.entries(rows)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ")}`,
    `  outbox     ${Object.entries(status)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ")}`,
    `  messages   ${logical.size} delivered (${posted.length} posts, ${shares.length} file shares), duplicates ${extra.unexplained}, lost ${lost}; unavoidable copies ${extra.lostAnswer} after a lost answer${stage.killed ? `, ${extra.killed} from the killed process` : ""}`,
    `  runs       ${runs.length} keys, each once`,
  ];
  console.log(lines.join("\n"));
  expect(problems, "problems").toEqual([]);
  return { rows, lines };
}
