// `db seed` (SPEC §8): the console's demo data put into an empty database once; run again it adds
// nothing, and a database holding anything else is refused untouched.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/cli/main.ts";
import type { Db } from "../../src/core/db.ts";
import { DEMO_PEOPLE } from "../../src/demo/seed.ts";
import { BACKENDS } from "../kit/db.ts";
import { type CliHarness, cliHarness } from "./kit.ts";

const SEEDED =
  "Seeded the demo data: 46 people, 159 training sessions, 7 new hires, 12 FAQ entries, 468 business figures.";
const PRESENT = "The demo data is already there: nothing was added.";

/** Every table the demo fills, by row count. */
const tally = async (db: Db) => ({
  users: await db.user.count(),
  teams: await db.team.count(),
  sessions: await db.trainingSession.count(),
  rsvps: await db.rsvp.count(),
  signIns: await db.signIn.count(),
  ratings: await db.rating.count(),
  newHires: await db.newHire.count(),
  checkpoints: await db.checkpoint.count(),
  faqEntries: await db.faqEntry.count(),
  figures: await db.businessFigure.count(),
  subscriptions: await db.digestSubscription.count(),
});

/** A harness per describe: each block starts from its own fresh, migrated database. */
function freshHarness(backend: (typeof BACKENDS)[number]) {
  const h = { current: undefined as unknown as CliHarness };
  beforeAll(async () => {
    h.current = await cliHarness(backend);
  });
  afterAll(async () => {
    await h.current?.close();
  });
  return h;
}

describe.each(BACKENDS)("cli: db seed on an empty database (%s)", (backend) => {
  const h = freshHarness(backend);

  it("seeds the demo data: people of every role, a year of sessions, new hires, FAQ, figures", async () => {
    const started = new Date();
    const r = await h.current.run(["db", "seed"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(EXIT.ok);
    expect(r.out.split("\n")[0]).toBe(SEEDED);
    expect(r.out).toContain("npm start");
    await h.current.withDb(async (db) => {
      expect(await tally(db)).toMatchObject({
        users: 46,
        sessions: 159,
        newHires: 7,
        checkpoints: 28,
        faqEntries: 12,
        figures: 468,
        subscriptions: 1,
      });
      const people = await db.user.findMany({ where: { id: { in: DEMO_PEOPLE.map((p) => p.id) } } });
      expect(Object.fromEntries(people.map((p) => [p.id, p.role]))).toEqual(
        Object.fromEntries(DEMO_PEOPLE.map((p) => [p.id, p.role])),
      );
      // The session the console suggests (/signin K7MQ2X) is open for sign-in now.
      const open = await db.trainingSession.findFirstOrThrow({ where: { code: "K7MQ2X" } });
      expect(open.opensAt.getTime()).toBeLessThanOrEqual(started.getTime());
      expect(open.closesAt.getTime()).toBeGreaterThan(Date.now());
      expect(await db.signIn.count()).toBeGreaterThan(1000);
      expect(await db.team.findUniqueOrThrow({ where: { name: "Norte" } })).toMatchObject({ managerId: "UMARTA" });
    });
  });

  it("adds nothing when run again", async () => {
    const before = await h.current.withDb(tally);
    const r = await h.current.run(["db", "seed"]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toBe(PRESENT);
    expect(r.err).toBe("");
    expect(await h.current.withDb(tally)).toEqual(before);
  });

  it("explains itself in --help, and refuses arguments it does not take with exit code 2", async () => {
    const help = await h.current.run(["db", "seed", "--help"]);
    expect(help.code).toBe(EXIT.ok);
    expect(help.out).toContain("Usage: capacita db seed");
    expect(help.out).toContain("empty database");
    expect(help.out).toContain("adds nothing");
    const listed = await h.current.run(["db", "--help"]);
    expect(listed.out).toMatch(/seed +fill an empty database with the demo data, once/);
    const extra = await h.current.run(["db", "seed", "again"]);
    expect(extra.code).toBe(EXIT.usage);
    expect(extra.err).toContain("too many arguments");
  });
});

describe.each(BACKENDS)("cli: db seed on a database holding other data (%s)", (backend) => {
  const h = freshHarness(backend);

  it("refuses with exit code 1, names what is there and changes nothing", async () => {
    expect((await h.current.run(["roles", "set", "U0REAL01", "admin"])).code).toBe(EXIT.ok);
    const before = await h.current.withDb(tally);
    const r = await h.current.run(["db", "seed"]);
    expect(r.code).toBe(EXIT.failed);
    expect(r.out).toBe("");
    expect(r.err).toContain("capacita: the database already holds data (1 person)");
    expect(r.err).toContain("nothing was added");
    expect(r.err).toContain("another DATA_DIR");
    expect(await h.current.withDb(tally)).toEqual(before);
    expect(before).toMatchObject({ users: 1, sessions: 0, faqEntries: 0 });
  });
});

describe.each(BACKENDS)("cli: db seed after a seed cut short (%s)", (backend) => {
  const h = freshHarness(backend);

  it("seeds over the demo FAQ a seed cut short leaves, without doubling it", async () => {
    const faq = await h.current.run(["faq", "import", new URL("../../src/demo/faq.csv", import.meta.url).pathname]);
    expect(faq.code).toBe(EXIT.ok);
    // Two at once where two processes can share the database: the demo goes in once.
    const runs = await Promise.all((backend === "postgres" ? [1, 2] : [1]).map(() => h.current.run(["db", "seed"])));
    expect(runs.map((r) => r.code)).toEqual(runs.map(() => EXIT.ok));
    expect(runs.map((r) => r.out.split("\n")[0]).sort()).toEqual(backend === "postgres" ? [SEEDED, PRESENT] : [SEEDED]);
    expect(await h.current.withDb(tally)).toMatchObject({ users: 46, sessions: 159, newHires: 7, faqEntries: 12 });
  });
});
