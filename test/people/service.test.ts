// savePeople: new faces learnt together in one statement, without losing what we knew.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { MovableClock } from "../../src/core/clock.ts";
import type { Database, Db } from "../../src/core/db.ts";
import { findPeople, managerOf, savePeople, setRole, setTeam, setTeamManager } from "../../src/people/service.ts";
import { BACKENDS, freshDatabase } from "../kit/db.ts";

describe.each(BACKENDS)("savePeople (%s)", (backend) => {
  let database: Database;
  let db: Db;
  const clock = new MovableClock(new Date("2026-11-26T09:00:00Z"));

  beforeAll(async () => {
    // Date stands still, so the clock stays on the instants it is set to.
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-11-26T09:00:00Z") });
    clock.set(new Date("2026-11-26T09:00:00Z"));
    database = await freshDatabase(backend);
    db = database.prisma;
  });
  afterAll(async () => {
    vi.useRealTimers();
    await database.close();
  });

  it("creates new people, with their profile or bare, in the order asked", async () => {
    const saved = await savePeople(db, clock, [
      { id: "UNEW1", profile: { name: "ana", realName: "Ana Ruiz", tz: "Europe/Madrid", locale: "es-ES" } },
      { id: "UNEW2", profile: null },
    ]);
    expect(saved.map((p) => [p.id, p.name, p.realName, p.role, p.syncedAt?.toISOString() ?? null])).toEqual([
      ["UNEW1", "ana", "Ana Ruiz", "staff", "2026-11-26T09:00:00.000Z"],
      ["UNEW2", null, null, "staff", null],
    ]);
    expect((await findPeople(db, ["UNEW1", "UNEW2"])).map((p) => p?.tz ?? null)).toEqual(["Europe/Madrid", null]);
  });

  it("updates known people from a new profile, keeps fields it lacks, and leaves their role alone", async () => {
    await setRole(db, "UADMIN", "UNEW1", "trainer");
    clock.set(new Date("2026-11-27T09:00:00Z"));
    const [ana, bare] = await savePeople(db, clock, [
      { id: "UNEW1", profile: { name: "ana.ruiz", tz: null, locale: "en-US" } },
      { id: "UNEW2", profile: null },
    ]);
    expect(ana).toMatchObject({ id: "UNEW1", name: "ana.ruiz", realName: "Ana Ruiz", tz: "Europe/Madrid" });
    expect(ana).toMatchObject({ locale: "en-US", role: "trainer", syncedAt: new Date("2026-11-27T09:00:00Z") });
    expect(bare).toMatchObject({ id: "UNEW2", name: null, syncedAt: null });
  });

  it("takes the same person twice in one batch (the last profile counts) and answers both", async () => {
    const saved = await savePeople(db, clock, [
      { id: "UTWICE", profile: { name: "first" } },
      { id: "UTWICE", profile: { name: "second" } },
    ]);
    expect(saved.map((p) => [p.id, p.name])).toEqual([
      ["UTWICE", "second"],
      ["UTWICE", "second"],
    ]);
    expect(await db.user.count({ where: { id: "UTWICE" } })).toBe(1);
  });

  it("names a team's manager, creating an unknown one bare and leaving a known one as they were", async () => {
    const before = (await findPeople(db, ["UNEW1"]))[0];
    clock.set(new Date("2026-11-28T09:00:00Z"));
    await setTeamManager(db, clock, "Norte", "UNEW1");
    await setTeamManager(db, clock, "Sur", "UMGRNEW");
    const [known, unknown] = await findPeople(db, ["UNEW1", "UMGRNEW"]);
    expect(known).toEqual(before);
    expect(unknown).toMatchObject({ id: "UMGRNEW", name: null, role: "staff", syncedAt: null, teamId: null });
    await setTeam(db, "UPEDRO", "Norte");
    await setTeam(db, "UJOHN", "Sur");
    expect([await managerOf(db, "UPEDRO"), await managerOf(db, "UJOHN")]).toEqual(["UNEW1", "UMGRNEW"]);
  });
});
