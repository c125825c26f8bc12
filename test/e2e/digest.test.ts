// The weekly digest end to end: /kpi subscribe, the scheduled run, delivery with the chart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importFigures } from "../../src/kpi/service.ts";
import { startTestApp, type TestApp } from "../kit/app.ts";
import { BACKENDS } from "../kit/db.ts";
import type { Json, SimResponse, SimUser } from "../kit/signer.ts";

const admin = { id: "UADMIN", name: "ana" };
const staff = { id: "USTAFF", name: "pedro" };
// The digest of the week of Monday 23 Nov 2026 runs on Monday 30 Nov at 08:00 Madrid (after the app first started).
const RUN_AT = new Date("2026-11-30T07:00:00Z");

describe.each(BACKENDS)("weekly digest (%s)", (backend) => {
  let t: TestApp;
  const posts = () => t.slack.callsTo("chat.postMessage").filter((c) => !c.failed);
  const deliver = async () => {
    await t.capacita.dispatcher.stop();
    await t.capacita.dispatcher.drain();
  };

  let seq = 0;
  /** A /kpi answered later: an empty acknowledgement, then the private answers through its response URL. */
  const kpiLater = async (text: string, user: SimUser): Promise<{ res: SimResponse; answers: Json[] }> => {
    const id = `kpi-${++seq}`;
    const res = await t.sim.command("/kpi", text, user, { responseUrl: t.slack.responseUrl(id) });
    expect(res.status).toBe(200);
    expect(res.body).toBe("");
    const byId = () => t.slack.calls.filter((c) => c.method === "response_url" && c.responseId === id);
    await expect.poll(() => byId().length, { timeout: 8000 }).toBeGreaterThan(0);
    return { res, answers: byId().map((c) => c.args) };
  };
  const subscribeLater = async (channel: string, user: SimUser) => {
    const { res, answers } = await kpiLater(`subscribe ${channel}`, user);
    expect(answers).toHaveLength(1);
    return { res, answer: answers[0] };
  };

  beforeAll(async () => {
    t = await startTestApp(backend, { APP_TIMEZONE: "Europe/Madrid" });
    t.slack.addChannel({ id: "CDIR", name: "direccion" });
    t.slack.addUser({ id: "UMGR", name: "marta", locale: "en-US", tz: "Europe/Madrid" });
    t.slack.addUser({ id: "USTAFF", name: "pedro", locale: "es-ES", tz: "Europe/Madrid" });
    t.slack.addUser({ id: "UADMIN", name: "ana", locale: "es-ES", tz: "Europe/Madrid" });
    await t.db.user.createMany({ data: [{ id: "UMGR", role: "manager", locale: "en-US" }] });
    await t.sim.command("/capacita", "manager Norte <@UMGR|marta>", admin);
    const figures = await importFigures(
      t.db,
      "week start,metric,value,target,team\n2026-11-23,premium_achievement,97.5,100,\n2026-11-23,premium_achievement,104,100,Norte\n2026-11-16,premium_achievement,92,100,\n",
    );
    expect(figures.ok).toBe(true);
  });
  afterAll(async () => t?.close());

  it("lets managers and admins subscribe a channel, and refuses staff", async () => {
    const refused = await t.sim.command("/kpi", "subscribe <#CDIR|direccion>", staff);
    expect(refused.body.text).toContain("No tienes permiso");
    expect((await subscribeLater("<#CDIR|direccion>", admin)).answer.text).toContain(
      "<#CDIR> recibirá el resumen semanal",
    );
    expect(await t.db.digestSubscription.findMany({ select: { channelId: true } })).toEqual([{ channelId: "CDIR" }]);
    const again = await subscribeLater("<#CDIR|direccion>", admin);
    expect(again.answer.text).toContain("<#CDIR> ya recibe el resumen semanal");
    const unknown = await subscribeLater("<#CNOPE|nope>", admin);
    expect(unknown.answer).toMatchObject({ response_type: "ephemeral" });
    expect(unknown.answer.text).toContain("No puedo publicar en ese canal");
    expect(await t.db.digestSubscription.count()).toBe(1);
  });

  it("acknowledges /kpi subscribe at once while Slack's answer about the channel is retried", async () => {
    t.slack.addChannel({ id: "CVENTAS", name: "ventas" });
    t.slack.failNext("conversations.info", { status: 500, body: { ok: false, error: "fatal_error" } });
    const { res, answer } = await subscribeLater("<#CVENTAS|ventas>", admin);
    // The acknowledgement did not wait for the retry: Slack would have shown its time-out error.
    const asked = t.slack.callsTo("conversations.info").filter((c) => c.args.channel === "CVENTAS");
    expect(asked.map((c) => Boolean(c.failed))).toEqual([true, false]);
    expect(res.ms).toBeLessThan((asked[1]?.at ?? 0) - (asked[0]?.at ?? 0));
    expect(answer.text).toContain("<#CVENTAS> recibirá el resumen semanal");
    const unsubscribed = await t.sim.command("/kpi", "unsubscribe <#CVENTAS|ventas>", admin);
    expect(unsubscribed.body.text).toContain("<#CVENTAS> ya no recibirá el resumen semanal");
    expect(await t.db.digestSubscription.findMany({ select: { channelId: true } })).toEqual([{ channelId: "CDIR" }]);
  });

  it("posts one digest per channel and one DM per manager, each with its chart; a second run posts nothing", async () => {
    t.clock.set(RUN_AT);
    // A 429 on the first post delays it; it still ends with one digest.
    t.slack.failNext("chat.postMessage", { status: 429, headers: { "retry-after": "1" } });
    const first = await t.capacita.scheduler.runDue(["digest"]);
    expect(first).toEqual(["digest:2026-W48"]);
    await deliver();
    // The throttled post waits for its Retry-After: keep delivering until nothing is left.
    await expect
      .poll(
        async () => {
          await t.capacita.dispatcher.drain();
          return t.db.outboxMessage.findMany({
            where: { status: { not: "sent" } },
            select: { key: true, status: true, lastError: true },
          });
        },
        { timeout: 8000, interval: 300 },
      )
      .toEqual([]);

    const toChannel = posts().filter((c) => c.args.channel === "CDIR");
    const toManager = posts().filter((c) => c.args.channel === "UMGR");
    expect(toChannel).toHaveLength(1);
    expect(toManager).toHaveLength(1);
    expect(toChannel[0]?.args.text).toContain("Resumen semanal de KPI — 23 nov – 29 nov 2026");
    expect(toChannel[0]?.args.text).toContain("Cumplimiento de prima estándar* 97,5 % (obj. 100,0 %) ▲ +5,5 pts");
    // The manager reads their team's digest, in their language.
    expect(toManager[0]?.args.text).toContain("Weekly KPI digest — Norte — 23 Nov – 29 Nov 2026");
    expect(toManager[0]?.args.text).toContain("Standard premium achievement* 104.0 % (target 100.0 %)");
    const charts = t.slack.files.filter((f) => f.filename === "kpi-2026-W48.png");
    expect(charts).toHaveLength(2);
    for (const chart of charts) expect(chart.content.subarray(1, 4).toString()).toBe("PNG");

    const again = await t.capacita.scheduler.runDue(["digest"]);
    expect(again).toEqual([]);
    await deliver();
    expect(posts().filter((c) => c.args.channel === "CDIR")).toHaveLength(1);
  });

  it("shows the digest privately with /kpi and a past week with /kpi week", async () => {
    const [reply] = (await kpiLater("week 2026-11-25", admin)).answers;
    expect(reply?.response_type).toBe("ephemeral");
    expect(reply?.text).toContain("23 nov – 29 nov 2026");
    const bad = await t.sim.command("/kpi", "week mañana", admin);
    expect(bad.body.text).toContain("Forma correcta: `/kpi");
  });

  it("continues a digest longer than one message in its thread", async () => {
    const rows = Array.from(
      { length: 150 },
      (_, i) => `2026-11-23,custom_metric_${String(i).padStart(3, "0")}_with_a_long_descriptive_name,${i},${i + 10},`,
    );
    expect((await importFigures(t.db, `week start,metric,value,target,team\n${rows.join("\n")}\n`)).ok).toBe(true);
    const before = posts().filter((c) => c.args.channel === "CDIR").length;
    const forced = await t.capacita.scheduler.runNow("digest", RUN_AT, true);
    expect(forced.ran).toBe(true);
    await expect
      .poll(
        async () => {
          await t.capacita.dispatcher.drain();
          return t.db.outboxMessage.count({ where: { status: { not: "sent" } } });
        },
        { timeout: 10000, interval: 300 },
      )
      .toBe(0);
    const mine = posts()
      .filter((c) => c.args.channel === "CDIR")
      .slice(before);
    expect(mine.length).toBeGreaterThan(1);
    const [head, ...replies] = mine;
    for (const reply of replies) expect(reply.args.thread_ts).toBe(head?.result?.ts);
    const all = mine.map((c) => JSON.stringify(c.args.blocks)).join("");
    for (const i of [0, 75, 149]) expect(all).toContain(`custom metric ${String(i).padStart(3, "0")}`);
    for (const c of mine) {
      expect(c.args.blocks.length).toBeLessThanOrEqual(50);
      for (const b of c.args.blocks) if (b.type === "section") expect(b.text.text.length).toBeLessThanOrEqual(3000);
    }
  });
});
