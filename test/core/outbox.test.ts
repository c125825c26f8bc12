// The outbox against the recording Slack server (SPEC §7): Retry-After, back-off on
// 5xx, permanent errors reported once, a restart between storing and sending, several
// dispatchers at once, per-channel pacing. Retry times are checked by moving the clock.
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { StoppedClock } from "../../src/core/clock.ts";
import { type Database, type DatabaseTarget, openDatabase } from "../../src/core/db.ts";
import { createLogger } from "../../src/core/logger.ts";
import { Dispatcher, enqueue, MAX_IN_FLIGHT, type Outgoing } from "../../src/core/outbox.ts";
import type { SlackCall } from "../../src/core/slack-double.ts";
import { startTestApp, type TestApp } from "../kit/app.ts";
import { BACKENDS, type Backend, freshTarget } from "../kit/db.ts";

const dm = (key: string, channel: string, text = key): Outgoing => ({
  key,
  method: "chat.postMessage",
  channel,
  payload: { channel, text },
});

const posts = (t: TestApp) => t.slack.callsTo("chat.postMessage");
const delivered = (t: TestApp) => posts(t).filter((c) => !c.failed);
const to = (calls: SlackCall[], channel: string) => calls.filter((c) => c.args.channel === channel);
const row = (t: TestApp, key: string) => t.db.outboxMessage.findUniqueOrThrow({ where: { key } });

/** Drains, then moves the clock by `ms` (real time keeps running underneath). */
async function drainAndWait(t: TestApp, ms: number) {
  await t.capacita.dispatcher.drain();
  t.clock.advance(ms);
}

describe.each(BACKENDS)("outbox delivery (%s)", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    // Back-offs are checked to the 100 ms: the clock moves only when the test moves it, however loaded the machine.
    t = await startTestApp(backend, { ADMIN_USER_IDS: "UADMIN,UADMIN2" }, { clock: new StoppedClock() });
  });
  afterAll(async () => t?.close());
  afterEach(() => t.slack.reset());

  it("stores a key once however often it is enqueued", async () => {
    expect(await enqueue(t.db, t.clock, [dm("dup:1", "UDUP"), dm("dup:1", "UDUP")])).toBe(1);
    expect(await enqueue(t.db, t.clock, [dm("dup:1", "UDUP", "changed")])).toBe(0);
    await t.capacita.dispatcher.drain();
    await t.capacita.dispatcher.drain();
    expect(to(delivered(t), "UDUP").map((c) => c.args.text)).toEqual(["dup:1"]);
  });

  it("honours Retry-After on 429 twice, then posts exactly once", async () => {
    t.slack.failNext("chat.postMessage", { status: 429, headers: { "Retry-After": "1" } }, 2);
    await enqueue(t.db, t.clock, [dm("rl:1", "URATE")]);

    await t.capacita.dispatcher.drain();
    expect(posts(t)).toHaveLength(1);
    expect(await row(t, "rl:1")).toMatchObject({ status: "pending", lastError: "ratelimited", attempts: 1 });

    // Not before the second Slack asked for.
    await drainAndWait(t, 500);
    await t.capacita.dispatcher.drain();
    expect(posts(t)).toHaveLength(1);
    t.clock.advance(600);
    await t.capacita.dispatcher.drain();
    expect(posts(t)).toHaveLength(2);
    expect(posts(t)[1]?.failed).toBe(true);

    // Again one second, as asked (not the 2 s a second back-off would wait).
    await drainAndWait(t, 500);
    await t.capacita.dispatcher.drain();
    expect(posts(t)).toHaveLength(2);
    t.clock.advance(600);
    await t.capacita.dispatcher.drain();
    expect(posts(t)).toHaveLength(3);
    expect(delivered(t)).toHaveLength(1);

    // More passes and a lot of time change nothing.
    for (let i = 0; i < 3; i++) await drainAndWait(t, 60_000);
    await t.capacita.dispatcher.drain();
    expect(posts(t)).toHaveLength(3);
    expect(delivered(t)).toHaveLength(1);
    expect(delivered(t)[0]?.args).toMatchObject({ channel: "URATE", text: "rl:1" });
    const sent = await row(t, "rl:1");
    expect(sent).toMatchObject({ status: "sent", attempts: 3, lastError: null, resultChannel: "DURATE" });
    expect(sent.resultTs).toBe(delivered(t)[0]?.result.ts);
  });

  it("backs off on 500 three times (1 s, 2 s, 4 s), then posts once", async () => {
    t.slack.failNext("chat.postMessage", { status: 500, body: { ok: false, error: "internal" } }, 3);
    await enqueue(t.db, t.clock, [dm("5xx:1", "UFIVE")]);
    let expected = 1;
    for (const backoff of [1000, 2000, 4000]) {
      await t.capacita.dispatcher.drain();
      expect(posts(t)).toHaveLength(expected);
      expect(await row(t, "5xx:1")).toMatchObject({ status: "pending", lastError: "http_500" });
      t.clock.advance(backoff - 400); // not yet
      await t.capacita.dispatcher.drain();
      expect(posts(t)).toHaveLength(expected);
      t.clock.advance(500);
      expected++;
    }
    await t.capacita.dispatcher.drain();
    for (let i = 0; i < 3; i++) await drainAndWait(t, 10 * 60_000);
    expect(posts(t)).toHaveLength(4);
    expect(delivered(t)).toHaveLength(1);
    expect(await row(t, "5xx:1")).toMatchObject({ status: "sent", attempts: 4, lastError: null });
  });

  it("retries a transient Slack error (ok:false, internal_error) but not a permanent one", async () => {
    t.slack.failNext("chat.postMessage", { body: { ok: false, error: "internal_error" } });
    await enqueue(t.db, t.clock, [dm("transient:1", "UTRANS")]);
    await drainAndWait(t, 1100);
    expect(await row(t, "transient:1")).toMatchObject({ status: "pending", lastError: "internal_error" });
    await t.capacita.dispatcher.drain();
    expect(delivered(t)).toHaveLength(1);
    expect((await row(t, "transient:1")).status).toBe("sent");
  });

  it("records channel_not_found, tells each admin once by DM and never retries it", async () => {
    t.slack.failNext("chat.postMessage", { body: { ok: false, error: "channel_not_found" } });
    await enqueue(t.db, t.clock, [dm("gone:1", "CGONE")]);
    await t.capacita.dispatcher.drain();

    expect(await row(t, "gone:1")).toMatchObject({ status: "failed", lastError: "channel_not_found", attempts: 1 });
    // Time passes, the dispatcher keeps polling: no retry storm, no second alert.
    for (let i = 0; i < 5; i++) await drainAndWait(t, 30 * 60_000);
    expect(to(posts(t), "CGONE")).toHaveLength(1);
    for (const admin of ["UADMIN", "UADMIN2"]) {
      const alerts = to(delivered(t), admin);
      expect(alerts, admin).toHaveLength(1);
      expect(alerts[0]?.args.text).toContain("CGONE");
      expect(alerts[0]?.args.text).toContain("channel_not_found");
      expect(alerts[0]?.args.text).toContain("gone:1");
    }
    expect(posts(t)).toHaveLength(3);
    expect(await t.db.outboxMessage.count({ where: { key: { startsWith: "admin-alert:" }, status: "sent" } })).toBe(2);
  });

  it("treats not_in_channel, account_inactive and invalid_blocks as permanent too", async () => {
    const errors = ["not_in_channel", "account_inactive", "invalid_blocks"];
    for (const [i, error] of errors.entries()) {
      t.slack.failNext("chat.postMessage", { body: { ok: false, error } });
      await enqueue(t.db, t.clock, [dm(`perm:${i}`, `CPERM${i}`)]);
      await t.capacita.dispatcher.drain();
      expect(await row(t, `perm:${i}`)).toMatchObject({ status: "failed", lastError: error, attempts: 1 });
    }
    for (let i = 0; i < 3; i++) await drainAndWait(t, 60 * 60_000);
    for (const i of errors.keys()) expect(to(posts(t), `CPERM${i}`)).toHaveLength(1);
    // One alert per failed message and admin.
    expect(to(delivered(t), "UADMIN")).toHaveLength(errors.length);
    expect(to(delivered(t), "UADMIN2")).toHaveLength(errors.length);
  });

  it("sends a message claimed by a dispatcher that died once its lease lapses, and only once", async () => {
    await enqueue(t.db, t.clock, [dm("leased:1", "ULEASE")]);
    // As a dead process leaves it: claimed, lease running, never sent.
    await t.db.outboxMessage.update({
      where: { key: "leased:1" },
      data: { status: "sending", attempts: 1, lockedUntil: new Date(t.clock.now().getTime() + 60_000) },
    });
    await drainAndWait(t, 30_000);
    expect(posts(t)).toHaveLength(0);
    t.clock.advance(35_000);
    await t.capacita.dispatcher.drain();
    await drainAndWait(t, 5 * 60_000);
    await t.capacita.dispatcher.drain();
    expect(to(delivered(t), "ULEASE")).toHaveLength(1);
    expect(await row(t, "leased:1")).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("lets several dispatchers drain at once without posting anything twice", async () => {
    const second = backend === "postgres" ? await openDatabase(t.database.target) : t.database;
    try {
      const logger = createLogger("error");
      const make = (db: Database["prisma"]) =>
        new Dispatcher({ config: t.config, db, clock: t.clock, logger, token: "xoxb-test", channelIntervalMs: 0 });
      const messages = Array.from({ length: 120 }, (_, i) => dm(`many:${i}`, `CMANY${i % 8}`));
      await enqueue(t.db, t.clock, messages);
      await Promise.all([make(t.db).drain(), make(second.prisma).drain(), make(t.db).drain()]);
      const texts = delivered(t).map((c) => c.args.text as string);
      expect(texts).toHaveLength(120);
      expect(new Set(texts).size).toBe(120);
      expect(await t.db.outboxMessage.count({ where: { key: { startsWith: "many:" }, status: "sent" } })).toBe(120);
      // Each channel's messages go out in the order they were stored.
      for (let c = 0; c < 8; c++) {
        const order = to(delivered(t), `CMANY${c}`).map((x) => Number((x.args.text as string).split(":")[1]));
        expect(order).toEqual([...order].sort((a, b) => a - b));
      }
    } finally {
      if (second !== t.database) await second.close();
    }
  });

  it("claims fairly: channels stored one after the other still go out in parallel", async () => {
    const small = new Dispatcher({
      config: t.config,
      db: t.db,
      clock: t.clock,
      logger: createLogger("error"),
      token: "xoxb-test",
      channelIntervalMs: 300,
      batchSize: 4,
    });
    await enqueue(
      t.db,
      t.clock,
      ["CFAIRA", "CFAIRB", "CFAIRC", "CFAIRD"].flatMap((c) =>
        Array.from({ length: 4 }, (_, i) => dm(`fair:${c}:${i}`, c)),
      ),
    );
    const started = Date.now();
    await small.drain();
    const elapsed = Date.now() - started;
    expect(delivered(t)).toHaveLength(16);
    // Three gaps of 300 ms per channel, the channels side by side: ~0.9 s, not 4 × 0.9 s.
    expect(elapsed).toBeLessThan(2600);
    const firsts = ["CFAIRA", "CFAIRB", "CFAIRC", "CFAIRD"].map((c) => to(delivered(t), c)[0]!.at);
    expect(Math.max(...firsts) - Math.min(...firsts)).toBeLessThan(300);
  });

  it("leaves a channel alone while another dispatcher is sending to it, keeping its order", async () => {
    await enqueue(t.db, t.clock, [dm("busy:1", "CBUSY"), dm("busy:2", "CBUSY")]);
    await t.db.outboxMessage.update({
      where: { key: "busy:1" },
      data: { status: "sending", attempts: 1, lockedUntil: new Date(t.clock.now().getTime() + 60_000) },
    });
    await drainAndWait(t, 61_000);
    expect(to(posts(t), "CBUSY")).toHaveLength(0);
    await t.capacita.dispatcher.drain();
    expect(to(delivered(t), "CBUSY").map((c) => c.args.text)).toEqual(["busy:1", "busy:2"]);
  });

  it("keeps at most MAX_IN_FLIGHT sends on the wire (all a crash mid-delivery could post again)", async () => {
    // A slow Slack that counts the requests it holds at once.
    let holding = 0;
    let most = 0;
    const slow = http.createServer((req, res) => {
      most = Math.max(most, ++holding);
      req.resume();
      setTimeout(() => {
        holding--;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ ok: true, channel: "D1", ts: "1.000001" }));
      }, 300);
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/api/`;
      const dispatcher = new Dispatcher({
        config: { ...t.config, SLACK_API_URL: url },
        db: t.db,
        clock: t.clock,
        logger: createLogger("error"),
        token: "xoxb-test",
        channelIntervalMs: 0,
      });
      await enqueue(
        t.db,
        t.clock,
        Array.from({ length: 3 * MAX_IN_FLIGHT }, (_, i) => dm(`wire:${i}`, `UWIRE${i}`)),
      );
      await dispatcher.drain();
      expect(await t.db.outboxMessage.count({ where: { key: { startsWith: "wire:" }, status: "sent" } })).toBe(
        3 * MAX_IN_FLIGHT,
      );
      expect(most).toBe(MAX_IN_FLIGHT);
    } finally {
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
  });

  it("paces each channel (here 300 ms) while channels go in parallel", async () => {
    const paced = new Dispatcher({
      config: t.config,
      db: t.db,
      clock: t.clock,
      logger: createLogger("error"),
      token: "xoxb-test",
      channelIntervalMs: 300,
    });
    await enqueue(t.db, t.clock, [
      ...[0, 1, 2, 3].map((i) => dm(`pace:a${i}`, "CPACEA")),
      ...[0, 1, 2, 3].map((i) => dm(`pace:b${i}`, "CPACEB")),
    ]);
    const started = Date.now();
    await paced.drain();
    const elapsed = Date.now() - started;
    for (const channel of ["CPACEA", "CPACEB"]) {
      const at = to(delivered(t), channel).map((c) => c.at);
      expect(at).toHaveLength(4);
      for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(290);
    }
    // In parallel: about 3 × 300 ms, not 7 × 300 ms.
    expect(elapsed).toBeGreaterThanOrEqual(880);
    expect(elapsed).toBeLessThan(1800);
  });
});

describe.each(BACKENDS)("outbox with ADMIN_CHANNEL (%s)", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend, { ADMIN_USER_IDS: "UADMIN", ADMIN_CHANNEL: "CADMIN" });
  });
  afterAll(async () => t?.close());

  it("reports a permanent failure in the admin channel only, and a failing report is not reported again", async () => {
    await enqueue(t.db, t.clock, [dm("gone:2", "CGONE2")]);
    t.slack.failNext("chat.postMessage", { body: { ok: false, error: "channel_not_found" } });
    await t.capacita.dispatcher.drain();
    expect(to(delivered(t), "CADMIN")).toHaveLength(1);
    expect(to(delivered(t), "CADMIN")[0]?.args.text).toContain("CGONE2");
    expect(to(posts(t), "UADMIN")).toHaveLength(0);

    // The admin channel itself is gone: recorded, but no alert about the alert.
    t.slack.reset();
    await enqueue(t.db, t.clock, [dm("gone:3", "CGONE3")]);
    t.slack.failNext("chat.postMessage", { body: { ok: false, error: "channel_not_found" } }, 2);
    await t.capacita.dispatcher.drain();
    for (let i = 0; i < 3; i++) await drainAndWait(t, 60 * 60_000);
    expect(posts(t).map((c) => c.args.channel)).toEqual(["CGONE3", "CADMIN"]);
    expect(delivered(t)).toHaveLength(0);
    const alert = await t.db.outboxMessage.findFirstOrThrow({
      where: { key: { startsWith: "admin-alert:" }, channel: "CADMIN", status: "failed" },
    });
    expect(alert.lastError).toBe("channel_not_found");
    expect(await t.db.outboxMessage.count({ where: { key: { startsWith: "admin-alert:" } } })).toBe(2);
  });
});

describe.each(BACKENDS)("outbox across a restart (%s)", (backend) => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function target(b: Backend): Promise<DatabaseTarget> {
    if (b === "postgres") return freshTarget("postgres");
    dir = await mkdtemp(path.join(os.tmpdir(), "capacita-outbox-"));
    return { kind: "embedded", dataDir: path.join(dir, "pglite") };
  }

  it("sends what was stored before the process went down exactly once after it comes back", async () => {
    const where = await target(backend);
    const db1 = await openDatabase(where);
    await db1.migrate();
    // First life: messages stored, the process gone before its dispatcher ran.
    const first = await startTestApp(backend, {}, { database: db1 });
    await enqueue(first.db, first.clock, [dm("restart:1", "UONE"), dm("restart:2", "UTWO"), dm("restart:3", "CTHREE")]);
    expect(first.slack.callsTo("chat.postMessage")).toHaveLength(0);
    await first.close();

    // Second life, same database.
    const second = await startTestApp(backend, {}, { database: await openDatabase(where) });
    try {
      expect(await second.db.outboxMessage.count({ where: { status: "pending" } })).toBe(3);
      await second.capacita.dispatcher.drain();
      // Even if the old messages were stored again (a job re-run), they are not sent again.
      await enqueue(second.db, second.clock, [dm("restart:1", "UONE")]);
      await second.capacita.dispatcher.drain();
      const sent = second.slack.callsTo("chat.postMessage").filter((c) => !c.failed);
      expect(sent.map((c) => c.args.text).sort()).toEqual(["restart:1", "restart:2", "restart:3"]);
      expect(await second.db.outboxMessage.count({ where: { status: "sent" } })).toBe(3);
    } finally {
      await second.close();
    }
  });
});
