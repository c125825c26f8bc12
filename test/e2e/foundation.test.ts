// The foundation over signed HTTP, exactly as Slack sends requests.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../kit/app.ts";
import { BACKENDS } from "../kit/db.ts";

const staff = { id: "USTAFF", name: "pedro" };
const admin = { id: "UADMIN", name: "ana" };

describe.each(BACKENDS)("foundation over signed HTTP (%s)", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
    t.slack.addUser({ id: "USTAFF", name: "pedro", real_name: "Pedro Sánchez", tz: "Europe/Madrid", locale: "es-ES" });
    t.slack.addUser({ id: "UADMIN", name: "ana", real_name: "Ana Martín", tz: "Europe/Madrid", locale: "es-ES" });
    t.slack.addUser({ id: "UJOHN", name: "john", real_name: "John Smith", tz: "America/New_York", locale: "en-US" });
  });
  afterAll(async () => t?.close());

  it("answers /capacita in the caller's language, with only the commands their role may use", async () => {
    const es = await t.sim.command("/capacita", "", staff);
    expect(es.status).toBe(200);
    expect(es.body.response_type).toBe("ephemeral");
    expect(es.body.text).toContain("Tu rol es *personal*");
    expect(es.body.text).toContain("/signin");
    expect(es.body.text).not.toContain("/capacita role");

    const en = await t.sim.command("/capacita", "help", { id: "UJOHN", name: "john" });
    expect(en.body.text).toContain("Your role is *staff*");

    const adminHelp = await t.sim.command("/capacita", "", admin);
    expect(adminHelp.body.text).toContain("/capacita role");
    expect(adminHelp.body.text).toContain("/faq");
  });

  it("learns names, time zones and locales from users.info", async () => {
    await t.sim.command("/capacita", "", staff);
    const person = await t.db.user.findUniqueOrThrow({ where: { id: "UJOHN" } });
    expect(person).toMatchObject({
      name: "john",
      realName: "John Smith",
      tz: "America/New_York",
      locale: "en-US",
      role: "staff",
    });
    expect(t.slack.callsTo("users.info").map((c) => c.args.user)).toContain("UJOHN");
  });

  it("refuses /capacita role to a staff member and changes nothing", async () => {
    const res = await t.sim.command("/capacita", "role <@USTAFF|pedro> admin", staff);
    expect(res.body.text).toContain("No tienes permiso");
    expect((await t.db.user.findUniqueOrThrow({ where: { id: "USTAFF" } })).role).toBe("staff");
  });

  it("lets an admin set roles, teams and team managers", async () => {
    const role = await t.sim.command("/capacita", "role <@UJOHN|john> trainer", admin);
    expect(role.body.text).toContain("<@UJOHN> ahora tiene el rol *formador*");
    expect((await t.db.user.findUniqueOrThrow({ where: { id: "UJOHN" } })).role).toBe("trainer");

    await t.sim.command("/capacita", "team <@USTAFF|pedro> Zona Norte", admin);
    await t.sim.command("/capacita", "manager Zona Norte <@UJOHN|john>", admin);
    const pedro = await t.db.user.findUniqueOrThrow({ where: { id: "USTAFF" }, include: { team: true } });
    expect(pedro.team).toMatchObject({ name: "Zona Norte", managerId: "UJOHN" });
  });

  it("answers bad /capacita input privately with the right form, writing nothing", async () => {
    // Roles and teams are what bad input could change (profiles refresh on their own from users.info).
    const snapshot = () =>
      t.db.user.findMany({ select: { id: true, role: true, teamId: true }, orderBy: { id: "asc" } });
    const before = await snapshot();
    const teamsBefore = await t.db.team.count();
    for (const text of [
      "role pedro boss",
      "role <@USTAFF|pedro>",
      "role <@USTAFF|pedro> emperor",
      "team",
      "manager <@USTAFF|pedro>",
      "destroy everything",
    ]) {
      const res = await t.sim.command("/capacita", text, admin);
      expect(res.status).toBe(200);
      expect(res.body.response_type).toBe("ephemeral");
      expect(res.body.text).not.toMatch(/Error|at \w+ \(|stack/);
      if (!text.startsWith("destroy")) expect(res.body.text).toContain("Forma correcta: `/capacita");
    }
    expect(await snapshot()).toEqual(before);
    expect(await t.db.team.count()).toBe(teamsBefore);
  });

  it("refuses unsigned, wrongly signed and stale requests with 401 and no Web API call", async () => {
    await t.sim.command("/capacita", "", staff); // the people are known; nothing more to learn
    const callsBefore = t.slack.calls.length;
    const rolesBefore = await t.db.user.findMany({ select: { id: true, role: true }, orderBy: { id: "asc" } });
    const body = new URLSearchParams({
      command: "/capacita",
      text: "role <@USTAFF|pedro> admin",
      user_id: "UADMIN",
      team_id: "T1",
    }).toString();

    expect((await t.sim.post(body, "application/x-www-form-urlencoded", { signature: null })).status).toBe(401);
    expect((await t.sim.post(body, "application/x-www-form-urlencoded", { signature: "v0=deadbeef" })).status).toBe(
      401,
    );
    expect(
      (await t.sim.command("/capacita", "role <@USTAFF|pedro> admin", admin, { timestampOffsetSec: -360 })).status,
    ).toBe(401);

    expect(t.slack.calls.length).toBe(callsBefore);
    expect(await t.db.user.findMany({ select: { id: true, role: true }, orderBy: { id: "asc" } })).toEqual(rolesBefore);
  });

  it("reports health on /healthz", async () => {
    const res = await fetch(`${t.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("answers /healthz with 503 when the database is gone", async () => {
    const other = await startTestApp(backend);
    await other.database.close();
    const res = await fetch(`${other.baseUrl}/healthz`);
    expect(res.status).toBe(503);
    await other.capacita.stop();
    await other.slack.close();
  });
});
