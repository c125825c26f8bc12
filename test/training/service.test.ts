// Training rules against a real database (embedded, and PostgreSQL with TEST_DATABASE_URL), with a fixed clock.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { MovableClock } from "../../src/core/clock.ts";
import type { Database, Db } from "../../src/core/db.ts";
import type { Role } from "../../src/core/roles.ts";
import { monthRange } from "../../src/core/time.ts";
import {
  attendance,
  CODE_ALPHABET,
  CODE_LENGTH,
  cancelSession,
  createSession,
  endsAt,
  mayManage,
  type NewSession,
  normalizeCode,
  randomCode,
  roster,
  rsvp,
  signIn,
  type TrainingSession,
} from "../../src/training/service.ts";
import { BACKENDS, freshDatabase } from "../kit/db.ts";

// Codes are random; a test that needs a given code queues the alphabet indexes randomCode() will draw.
const forced = vi.hoisted(() => [] as number[]);
vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:crypto")>();
  const mocked = vi.fn((...args: unknown[]) =>
    args.length === 1 && forced.length > 0
      ? forced.shift()
      : (actual.randomInt as (...a: unknown[]) => number | undefined)(...args),
  );
  return { ...actual, randomInt: mocked };
});

function forceCodes(...codes: string[]): void {
  for (const code of codes) for (const ch of code) forced.push(CODE_ALPHABET.indexOf(ch));
}

const ZONE = "Europe/Madrid";
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const plus = (base: Date, minutes: number, ms = 0) => new Date(base.getTime() + minutes * MIN + ms);

// The clock stands still: Date itself is frozen, so a MovableClock set to an instant stays on it to the millisecond.
const NOW = new Date("2026-12-01T08:00:00.000Z");
const START = new Date("2026-12-03T08:30:00.000Z"); // Thu 3 Dec 2026, 09:30 in Madrid
const TRAINER = "UTRAINER";

beforeAll(() => {
  vi.useFakeTimers({ toFake: ["Date"], now: new Date("2030-06-15T12:00:00.000Z") });
});
afterAll(() => {
  vi.useRealTimers();
});
afterEach(() => {
  // A forced code left over would leak into the next test's draws: drop it, then say so.
  const left = forced.splice(0);
  expect(left, "forced code indexes nobody drew").toEqual([]);
});

describe("sign-in codes (no database)", () => {
  it("randomCode draws 6 characters from the alphabet without look-alikes", () => {
    expect(CODE_LENGTH).toBe(6);
    expect(CODE_ALPHABET).not.toMatch(/[0O1IL]/);
    expect(new Set(CODE_ALPHABET).size).toBe(CODE_ALPHABET.length);
    const codes = Array.from({ length: 5_000 }, () => randomCode());
    const shape = new RegExp(`^[${CODE_ALPHABET}]{6}$`);
    expect(codes.filter((c) => !shape.test(c))).toEqual([]);
    // 30,000 characters drawn: every one of the 31 shows up, none other does.
    expect([...new Set(codes.join(""))].sort().join("")).toBe([...CODE_ALPHABET].sort().join(""));
  });

  it("normalizeCode ignores case and spaces", () => {
    expect(normalizeCode(" k7 mq2x ")).toBe("K7MQ2X");
    expect(normalizeCode("k7\tMq\u00a02x")).toBe("K7MQ2X");
  });
});

describe("mayManage", () => {
  const session = { trainerId: TRAINER } as TrainingSession;
  it.each<[Role, string, boolean]>([
    ["trainer", TRAINER, true],
    ["trainer", "UOTHER", false],
    ["admin", "UADMIN", true],
    ["manager", "UMANAGER", false],
    ["staff", TRAINER, false],
  ])("%s %s → %s", (role, id, expected) => {
    expect(mayManage(session, { id, role })).toBe(expected);
  });
});

describe.each(BACKENDS)("training service on %s", (backend) => {
  let database: Database;
  let db: Db;
  const clock = new MovableClock();

  beforeAll(async () => {
    database = await freshDatabase(backend);
    db = database.prisma;
    await db.user.createMany({
      data: [
        { id: "UANA", name: "ana", realName: "Ana Ruiz" },
        { id: "UBEA", name: "bea", realName: null },
        { id: "UCARLOS", name: "carlos", realName: "Carlos Gil" },
        { id: "UDANI", name: "dani", realName: "Dani Sanz" },
        { id: "UEVA", name: "eva", realName: "Eva Mora" },
        { id: "URITA", name: "rita", realName: "Rita Vidal" },
      ],
    });
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(() => {
    clock.set(NOW);
  });

  async function newSession(over: Partial<NewSession> = {}, trainerId = TRAINER): Promise<TrainingSession> {
    const result = await createSession(db, clock, trainerId, {
      title: "Hogar Plus",
      kind: "product",
      startsAt: START,
      durationMin: 90,
      channelId: "C0TRAINING",
      ...over,
    });
    if (!result.ok) throw new Error(`createSession failed: ${result.key}`);
    return result.value;
  }

  const signInsOf = (sessionId: number) => db.signIn.findMany({ where: { sessionId }, orderBy: { userId: "asc" } });

  it("the fixed clock does not move", async () => {
    clock.set(START);
    await new Promise((r) => setTimeout(r, 20));
    expect(clock.now()).toEqual(START);
  });

  describe("codes", () => {
    it("createSession stores the session with its sign-in window", async () => {
      const s = await newSession({ place: "Sala 2", capacity: 12, description: "Bring a laptop" });
      expect(s).toMatchObject({
        title: "Hogar Plus",
        kind: "product",
        startsAt: START,
        durationMin: 90,
        place: "Sala 2",
        channelId: "C0TRAINING",
        capacity: 12,
        description: "Bring a laptop",
        trainerId: TRAINER,
        status: "scheduled",
        opensAt: plus(START, -15),
        closesAt: plus(START, 90 + 30),
      });
      expect(s.code).toMatch(new RegExp(`^[${CODE_ALPHABET}]{6}$`));
      expect(endsAt(s)).toEqual(plus(START, 90));
    });

    it("gives a new session a code no session with an open window uses", async () => {
      forceCodes("AAAAAA", "AAAAAA", "BBBBBB");
      const first = await newSession();
      const second = await newSession({ startsAt: plus(START, 7 * 24 * 60) });
      expect(first.code).toBe("AAAAAA");
      // The first draw clashed with a window that has not closed, so a second was drawn.
      expect(second.code).toBe("BBBBBB");
    });

    it("reuses a code only once the window of the session that had it has closed", async () => {
      forceCodes("K7MQ2X");
      const old = await newSession();
      expect(old.code).toBe("K7MQ2X");

      // At closesAt itself the old window is still open (a sign-in is accepted then): no reuse.
      clock.set(old.closesAt);
      forceCodes("K7MQ2X", "CCCCCC");
      expect((await newSession({ startsAt: plus(old.closesAt, DAY / MIN) })).code).toBe("CCCCCC");

      clock.set(plus(old.closesAt, 0, 1));
      forceCodes("K7MQ2X");
      const next = await newSession({ startsAt: plus(old.closesAt, (2 * DAY) / MIN) });
      expect(next.code).toBe("K7MQ2X");

      // Before the new one opens, the code points at it (the next to open beats the last closed).
      const early = await signIn(db, clock, "UANA", "k7mq2x");
      expect(early).toMatchObject({ kind: "notOpen", opensAt: next.opensAt });
      expect(early.kind === "notOpen" && early.session.id).toBe(next.id);

      clock.set(plus(next.startsAt, 1));
      const outcome = await signIn(db, clock, "UANA", "k7mq2x");
      expect(outcome).toMatchObject({ kind: "signedIn", late: false });
      expect(outcome.kind === "signedIn" && outcome.session.id).toBe(next.id);
      expect(await signInsOf(old.id)).toEqual([]);
    });

    it("picks the open session over a closed one that started later", async () => {
      // createSession never allows this overlap; written directly, it proves the pick does not follow start order.
      const base = { title: "x", durationMin: 600, channelId: "C0TRAINING", trainerId: TRAINER, code: "DDDDDD" };
      const longStart = plus(START, 30 * 24 * 60);
      const open = await db.trainingSession.create({
        data: { ...base, startsAt: longStart, opensAt: plus(longStart, -15), closesAt: plus(longStart, 630) },
      });
      const shortStart = plus(longStart, 60);
      const closed = await db.trainingSession.create({
        data: {
          ...base,
          durationMin: 30,
          startsAt: shortStart,
          opensAt: plus(shortStart, -15),
          closesAt: plus(shortStart, 60),
        },
      });
      clock.set(plus(closed.closesAt, 1));
      const outcome = await signIn(db, clock, "UANA", "DDDDDD");
      expect(outcome.kind).toBe("signedIn");
      expect(outcome.kind === "signedIn" && outcome.session.id).toBe(open.id);
    });
  });

  describe("sign-in window", () => {
    let s: TrainingSession;
    beforeAll(async () => {
      clock.set(NOW);
      s = await newSession();
    });
    const end = () => endsAt(s);

    it("is not open 16 minutes before the start, and says when it opens", async () => {
      clock.set(plus(START, -16));
      const outcome = await signIn(db, clock, "U01", s.code);
      expect(outcome).toMatchObject({ kind: "notOpen", opensAt: plus(START, -15) });
      expect(await db.signIn.count({ where: { userId: "U01" } })).toBe(0);
    });

    it("opens exactly 15 minutes before the start, on time", async () => {
      clock.set(plus(START, -15));
      expect(await signIn(db, clock, "U02", s.code)).toMatchObject({
        kind: "signedIn",
        at: plus(START, -15),
        late: false,
      });
    });

    it("is on time exactly 10 minutes after the start", async () => {
      clock.set(plus(START, 10));
      expect(await signIn(db, clock, "U03", s.code)).toMatchObject({ kind: "signedIn", late: false });
    });

    it("is late one millisecond after that", async () => {
      clock.set(plus(START, 10, 1));
      expect(await signIn(db, clock, "U04", s.code)).toMatchObject({ kind: "signedIn", late: true });
    });

    it("still signs in (late) exactly 30 minutes after the end", async () => {
      clock.set(plus(end(), 30));
      expect(await signIn(db, clock, "U05", s.code)).toMatchObject({
        kind: "signedIn",
        at: plus(end(), 30),
        late: true,
      });
    });

    it("is closed one millisecond after that", async () => {
      clock.set(plus(end(), 30, 1));
      expect(await signIn(db, clock, "U06", s.code)).toMatchObject({ kind: "closed" });
    });

    it("stored exactly the sign-ins it answered with", async () => {
      expect((await signInsOf(s.id)).map((r) => [r.userId, r.signedInAt.toISOString(), r.late])).toEqual([
        ["U02", plus(START, -15).toISOString(), false],
        ["U03", plus(START, 10).toISOString(), false],
        ["U04", plus(START, 10, 1).toISOString(), true],
        ["U05", plus(end(), 30).toISOString(), true],
      ]);
    });

    it("matches codes ignoring case and spaces", async () => {
      forceCodes("K8MQ3X");
      const t = await newSession();
      clock.set(START);
      expect(await signIn(db, clock, "UANA", " k8 mq3x ")).toMatchObject({ kind: "signedIn" });
      expect(await db.signIn.count({ where: { sessionId: t.id } })).toBe(1);
    });

    it("answers cancelled for a cancelled session", async () => {
      const t = await newSession();
      await cancelSession(db, clock, t.id, { id: TRAINER, role: "trainer" });
      clock.set(START);
      expect(await signIn(db, clock, "UANA", t.code)).toMatchObject({ kind: "cancelled" });
      expect(await signInsOf(t.id)).toEqual([]);
    });

    it.each([
      ["an unknown code", "ZZZZZZ", "ZZZZZZ"],
      ["a zero for an O", `K7MQ20`, undefined],
      ["a letter O", `K7MQ2O`, undefined],
      ["a one", `K7MQ21`, undefined],
      ["an I", `K7MQ2I`, undefined],
      ["an L", `K7MQ2l`, undefined],
      ["too short", "K7MQ2", undefined],
      ["too long", `K7MQ2AA`, undefined],
      ["empty", "  ", ""],
      ["emoji", "🎉🎉🎉", "🎉🎉🎉"],
    ])("answers unknown for %s", async (_, raw, normalized) => {
      clock.set(START);
      const outcome = await signIn(db, clock, "UANA", raw);
      expect(outcome).toEqual({ kind: "unknown", code: normalized ?? normalizeCode(raw) });
    });
  });

  describe("already signed in", () => {
    it("keeps the first time and its on-time flag", async () => {
      const s = await newSession();
      clock.set(plus(START, 5));
      expect(await signIn(db, clock, "UANA", s.code)).toMatchObject({ kind: "signedIn", late: false });
      clock.set(plus(START, 20));
      expect(await signIn(db, clock, "UANA", s.code)).toMatchObject({
        kind: "already",
        at: plus(START, 5),
        late: false,
      });
      expect(await signInsOf(s.id)).toMatchObject([{ userId: "UANA", signedInAt: plus(START, 5), late: false }]);
    });

    it("keeps the first time and its late flag", async () => {
      const s = await newSession();
      clock.set(plus(START, 12));
      await signIn(db, clock, "UANA", s.code);
      clock.set(plus(START, 14));
      expect(await signIn(db, clock, "UANA", s.code)).toMatchObject({
        kind: "already",
        at: plus(START, 12),
        late: true,
      });
    });

    it("writes one row for 20 sign-ins of one person at once", async () => {
      const s = await newSession();
      clock.set(plus(START, 2));
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => signIn(db, clock, "UANA", s.code)));
      expect(outcomes.filter((o) => o.kind === "signedIn")).toHaveLength(1);
      expect(outcomes.filter((o) => o.kind === "already")).toHaveLength(19);
      for (const o of outcomes) expect(o).toMatchObject({ at: plus(START, 2), late: false });
      expect(await db.signIn.count({ where: { sessionId: s.id } })).toBe(1);
    });

    it("still answers already after the window closed", async () => {
      const s = await newSession();
      clock.set(plus(START, 3));
      await signIn(db, clock, "UANA", s.code);
      clock.set(plus(s.closesAt, 60));
      expect(await signIn(db, clock, "UANA", s.code)).toMatchObject({ kind: "already", at: plus(START, 3) });
      expect(await signIn(db, clock, "UBEA", s.code)).toMatchObject({ kind: "closed" });
    });
  });

  describe("createSession", () => {
    it.each([
      ["a minute ago", -1],
      ["right now", 0],
    ])("refuses a start %s and writes nothing", async (_, minutes) => {
      const before = await db.trainingSession.count();
      const result = await createSession(db, clock, TRAINER, {
        title: "Too late",
        kind: "other",
        startsAt: plus(NOW, minutes),
        durationMin: 60,
        channelId: "C0TRAINING",
      });
      expect(result).toEqual({ ok: false, key: "training.error.startInPast", vars: undefined });
      expect(await db.trainingSession.count()).toBe(before);
    });

    it("accepts a start one millisecond ahead", async () => {
      const result = await createSession(db, clock, TRAINER, {
        title: "Just in time",
        kind: "other",
        startsAt: plus(NOW, 0, 1),
        durationMin: 60,
        channelId: "C0TRAINING",
      });
      expect(result.ok).toBe(true);
    });
  });

  describe("rsvp", () => {
    const yesIds = async (sessionId: number) =>
      (await db.rsvp.findMany({ where: { sessionId, attending: true }, orderBy: { userId: "asc" } })).map(
        (r) => r.userId,
      );

    it("refuses a third yes on a capacity of 2, and a no frees the seat", async () => {
      const s = await newSession({ capacity: 2 });
      expect(await rsvp(db, clock, s.id, "UANA", true)).toMatchObject({
        kind: "recorded",
        attending: true,
        counts: { yes: 1, no: 0 },
      });
      expect(await rsvp(db, clock, s.id, "UBEA", true)).toMatchObject({ counts: { yes: 2, no: 0 } });
      expect(await rsvp(db, clock, s.id, "UCARLOS", true)).toMatchObject({ kind: "full" });
      // Saying no is always possible, full or not.
      expect(await rsvp(db, clock, s.id, "UDANI", false)).toMatchObject({ counts: { yes: 2, no: 1 } });
      expect(await yesIds(s.id)).toEqual(["UANA", "UBEA"]);

      expect(await rsvp(db, clock, s.id, "UBEA", false)).toMatchObject({
        kind: "recorded",
        attending: false,
        counts: { yes: 1, no: 2 },
      });
      expect(await rsvp(db, clock, s.id, "UCARLOS", true)).toMatchObject({ kind: "recorded", counts: { yes: 2 } });
      expect(await yesIds(s.id)).toEqual(["UANA", "UCARLOS"]);
    });

    it("does not count a repeated yes twice", async () => {
      const s = await newSession({ capacity: 1 });
      await rsvp(db, clock, s.id, "UANA", true);
      expect(await rsvp(db, clock, s.id, "UANA", true)).toMatchObject({ kind: "recorded", counts: { yes: 1, no: 0 } });
      expect(await rsvp(db, clock, s.id, "UBEA", true)).toMatchObject({ kind: "full" });
      expect(await db.rsvp.count({ where: { sessionId: s.id } })).toBe(1);
    });

    it("lets in exactly 3 of 10 people clicking yes at once on a capacity of 3", async () => {
      const s = await newSession({ capacity: 3 });
      const people = Array.from({ length: 10 }, (_, i) => `UCROWD${i}`);
      const outcomes = await Promise.all(people.map((id) => rsvp(db, clock, s.id, id, true)));
      expect(outcomes.filter((o) => o.kind === "recorded")).toHaveLength(3);
      expect(outcomes.filter((o) => o.kind === "full")).toHaveLength(7);
      expect(await db.rsvp.count({ where: { sessionId: s.id, attending: true } })).toBe(3);
    });

    it("has no limit without a capacity", async () => {
      const s = await newSession();
      const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => rsvp(db, clock, s.id, `UOPEN${i}`, true)));
      expect(outcomes.every((o) => o.kind === "recorded")).toBe(true);
      expect(await db.rsvp.count({ where: { sessionId: s.id, attending: true } })).toBe(8);
    });

    it("answers cancelled for a cancelled session", async () => {
      const s = await newSession();
      await cancelSession(db, clock, s.id, { id: "UADMIN", role: "admin" });
      expect(await rsvp(db, clock, s.id, "UANA", true)).toMatchObject({ kind: "cancelled" });
      expect(await db.rsvp.count({ where: { sessionId: s.id } })).toBe(0);
    });

    it("answers over once the session has ended", async () => {
      const s = await newSession();
      clock.set(plus(endsAt(s), 0, -1));
      expect(await rsvp(db, clock, s.id, "UANA", true)).toMatchObject({ kind: "recorded" });
      clock.set(endsAt(s));
      expect(await rsvp(db, clock, s.id, "UBEA", true)).toMatchObject({ kind: "over" });
      expect(await rsvp(db, clock, s.id, "UANA", false)).toMatchObject({ kind: "over" });
      expect(await yesIds(s.id)).toEqual(["UANA"]);
    });

    it("answers unknown for a session that does not exist", async () => {
      expect(await rsvp(db, clock, 999_999, "UANA", true)).toEqual({ kind: "unknown" });
    });
  });

  describe("cancelSession", () => {
    it("lets only the session's trainer or an admin cancel, and returns who said yes", async () => {
      const s = await newSession({}, "UTRAINERA");
      await rsvp(db, clock, s.id, "UANA", true);
      await rsvp(db, clock, s.id, "UBEA", false);
      await rsvp(db, clock, s.id, "UCARLOS", true);

      for (const actor of [
        { id: "UTRAINERB", role: "trainer" as const },
        { id: "UMANAGER", role: "manager" as const },
        { id: "UTRAINERA", role: "staff" as const },
      ]) {
        expect(await cancelSession(db, clock, s.id, actor)).toEqual({ kind: "forbidden" });
      }
      expect((await db.trainingSession.findUniqueOrThrow({ where: { id: s.id } })).status).toBe("scheduled");

      clock.set(plus(NOW, 30));
      const outcome = await cancelSession(db, clock, s.id, { id: "UTRAINERA", role: "trainer" });
      expect(outcome.kind).toBe("cancelled");
      if (outcome.kind !== "cancelled") return;
      expect(outcome.notify.sort()).toEqual(["UANA", "UCARLOS"]);
      expect(outcome.session).toMatchObject({ status: "cancelled", cancelledAt: plus(NOW, 30) });

      clock.set(plus(NOW, 40));
      expect(await cancelSession(db, clock, s.id, { id: "UADMIN", role: "admin" })).toMatchObject({
        kind: "already",
        session: { cancelledAt: plus(NOW, 30) },
      });
    });

    it("lets an admin cancel anyone's session", async () => {
      const s = await newSession({}, "UTRAINERA");
      expect(await cancelSession(db, clock, s.id, { id: "UADMIN", role: "admin" })).toMatchObject({
        kind: "cancelled",
        notify: [],
      });
    });

    it("answers unknown for a session that does not exist", async () => {
      expect(await cancelSession(db, clock, 999_999, { id: "UADMIN", role: "admin" })).toEqual({ kind: "unknown" });
    });
  });

  describe("roster and attendance", () => {
    // Ana: yes, on time. Bea: yes, late. Carlos: yes, never came. Dani: no, came anyway. Eva: no. Rita: only rated.
    async function attendedSession(startsAt: Date, title = "Hogar Plus"): Promise<TrainingSession> {
      clock.set(NOW);
      const s = await newSession({ startsAt, title });
      for (const [id, yes] of [
        ["UANA", true],
        ["UBEA", true],
        ["UCARLOS", true],
        ["UDANI", false],
        ["UEVA", false],
      ] as const) {
        await rsvp(db, clock, s.id, id, yes);
      }
      clock.set(plus(startsAt, -2));
      await signIn(db, clock, "UANA", s.code);
      clock.set(plus(startsAt, 25));
      await signIn(db, clock, "UBEA", s.code);
      clock.set(plus(startsAt, 3));
      await signIn(db, clock, "UDANI", s.code);
      await db.rating.createMany({
        data: [
          { sessionId: s.id, userId: "UANA", stars: 5 },
          { sessionId: s.id, userId: "URITA", stars: 4 },
        ],
      });
      return s;
    }

    it("roster lists on-time and late sign-ins in order, and the yes who did not come", async () => {
      const s = await attendedSession(plus(START, 40 * 24 * 60));
      const r = await roster(db, s);
      expect(r.session.id).toBe(s.id);
      expect(r.signedIn).toEqual([
        { userId: "UANA", name: "Ana Ruiz", at: plus(s.startsAt, -2), late: false },
        { userId: "UDANI", name: "Dani Sanz", at: plus(s.startsAt, 3), late: false },
        // No real name: the Slack handle stands in.
        { userId: "UBEA", name: "bea", at: plus(s.startsAt, 25), late: true },
      ]);
      expect(r.noShows).toEqual([{ userId: "UCARLOS", name: "Carlos Gil" }]);
      expect(r.yes).toBe(3);
    });

    it("roster of a session nobody came to", async () => {
      const s = await newSession();
      await rsvp(db, clock, s.id, "UNOBODY", true);
      expect(await roster(db, s)).toMatchObject({ signedIn: [], noShows: [{ userId: "UNOBODY", name: null }], yes: 1 });
    });

    it("attendance of one session: a row per person who answered, came or rated", async () => {
      const s = await attendedSession(plus(START, 50 * 24 * 60));
      const common = { sessionId: s.id, title: "Hogar Plus", kind: "product", startsAt: s.startsAt };
      expect(await attendance(db, { sessionId: s.id })).toEqual([
        {
          ...common,
          userId: "UANA",
          userName: "Ana Ruiz",
          rsvp: "yes",
          signedInAt: plus(s.startsAt, -2),
          late: false,
          rating: 5,
        },
        {
          ...common,
          userId: "UBEA",
          userName: "bea",
          rsvp: "yes",
          signedInAt: plus(s.startsAt, 25),
          late: true,
          rating: null,
        },
        {
          ...common,
          userId: "UCARLOS",
          userName: "Carlos Gil",
          rsvp: "yes",
          signedInAt: null,
          late: null,
          rating: null,
        },
        {
          ...common,
          userId: "UDANI",
          userName: "Dani Sanz",
          rsvp: "no",
          signedInAt: plus(s.startsAt, 3),
          late: false,
          rating: null,
        },
        { ...common, userId: "UEVA", userName: "Eva Mora", rsvp: "no", signedInAt: null, late: null, rating: null },
        // Rated without an RSVP or a sign-in on record: still a row.
        { ...common, userId: "URITA", userName: "Rita Vidal", rsvp: "", signedInAt: null, late: null, rating: 4 },
      ]);
    });

    it("attendance of a month in office time: the zone decides which sessions belong", async () => {
      // Madrid is UTC+1 in winter.
      const first = await attendedSession(new Date("2027-01-31T23:15:00.000Z"), "1 Feb, 00:15 Madrid");
      const last = await attendedSession(new Date("2027-02-28T22:30:00.000Z"), "28 Feb, 23:30 Madrid");
      await attendedSession(new Date("2027-02-28T23:30:00.000Z"), "1 Mar, 00:30 Madrid");
      await attendedSession(new Date("2027-01-31T22:45:00.000Z"), "31 Jan, 23:45 Madrid");

      const range = monthRange("2027-02", ZONE);
      expect(range).not.toBeNull();
      const rows = await attendance(db, range!);
      expect([...new Set(rows.map((r) => r.title))]).toEqual(["1 Feb, 00:15 Madrid", "28 Feb, 23:30 Madrid"]);
      expect(rows.map((r) => [r.sessionId, r.userId])).toEqual(
        [first.id, last.id].flatMap((id) =>
          ["UANA", "UBEA", "UCARLOS", "UDANI", "UEVA", "URITA"].map((userId) => [id, userId]),
        ),
      );
      expect(rows.find((r) => r.sessionId === last.id && r.userId === "URITA")).toMatchObject({
        rsvp: "",
        signedInAt: null,
        rating: 4,
      });
    });

    it("attendance of a month with no sessions is empty", async () => {
      expect(await attendance(db, monthRange("2031-07", ZONE)!)).toEqual([]);
    });
  });
});
