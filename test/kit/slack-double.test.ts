import { createHmac } from "node:crypto";
import type { AddressInfo } from "node:net";
import { App, LogLevel, verifySlackRequest } from "@slack/bolt";
import { WebClient } from "@slack/web-api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { responseUrl, type SlackCall, SlackDouble } from "../../src/core/slack-double.js";
import { SlackClientSim, sign } from "./signer.js";

let double: SlackDouble;
let client: WebClient;

beforeAll(async () => {
  double = await SlackDouble.start();
  client = new WebClient("xoxb-test", {
    slackApiUrl: double.url,
    retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 20 },
    logLevel: LogLevel.ERROR,
  });
});

afterAll(async () => {
  await double.close();
});

beforeEach(() => double.reset());

describe("SlackDouble with the real WebClient", () => {
  it("serves on 127.0.0.1 with an /api/ base URL", () => {
    expect(double.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  });

  it("answers auth.test like Slack", async () => {
    const res = await client.auth.test();
    expect(res).toMatchObject({ ok: true, user_id: "UBOT", bot_id: "BBOT", team_id: "T1", team: "capacita" });
    expect(double.callsTo("auth.test")[0]?.token).toBe("xoxb-test");
  });

  it("records chat.postMessage with blocks decoded and monotonically increasing ts", async () => {
    const blocks = [{ type: "section", text: { type: "mrkdwn", text: "*Hola*" } }];
    const first = await client.chat.postMessage({ channel: "C1", text: "Hola", blocks });
    const second = await client.chat.postMessage({ channel: "C1", text: "Otra" });

    const [call] = double.callsTo("chat.postMessage");
    expect(call?.args.blocks).toEqual(blocks);
    expect(call?.args.text).toBe("Hola");
    expect(call?.args.channel).toBe("C1");
    expect(call?.token).toBe("xoxb-test");
    expect(call?.failed).toBeUndefined();
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
    expect(first.message?.blocks).toEqual(blocks);
  });

  it("accepts JSON bodies too", async () => {
    const res = await fetch(`${double.url}chat.postMessage`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", authorization: "Bearer xoxb-json" },
      body: JSON.stringify({ channel: "C2", blocks: [{ type: "divider" }] }),
    });
    expect(await res.json()).toMatchObject({ ok: true, channel: "C2" });
    expect(double.calls[0]).toMatchObject({ method: "chat.postMessage", token: "xoxb-json" });
    expect(double.calls[0]?.args.blocks).toEqual([{ type: "divider" }]);
  });

  it("opens a DM channel for a user", async () => {
    const res = await client.conversations.open({ users: "U123" });
    expect(res.channel?.id).toBe("DU123");
    const info = await client.conversations.info({ channel: "DU123" });
    expect(info.channel?.is_im).toBe(true);
  });

  it("knows added channels and rejects unknown ones", async () => {
    double.addChannel({ id: "C9", name: "ventas" });
    const info = await client.conversations.info({ channel: "C9" });
    expect(info.channel?.name).toBe("ventas");
    await expect(client.conversations.info({ channel: "CNOPE" })).rejects.toMatchObject({
      data: { ok: false, error: "channel_not_found" },
    });
  });

  it("returns added users with their locale only when asked", async () => {
    double.addUser({ id: "U1", name: "ana", real_name: "Ana Pérez", tz: "America/Mexico_City", locale: "es-MX" });
    const withLocale = await client.users.info({ user: "U1", include_locale: true });
    expect(withLocale.user).toMatchObject({
      id: "U1",
      name: "ana",
      real_name: "Ana Pérez",
      tz: "America/Mexico_City",
      locale: "es-MX",
    });
    const without = await client.users.info({ user: "U1" });
    expect(without.user?.locale).toBeUndefined();
    const unknown = await client.users.info({ user: "U404", include_locale: true });
    expect(unknown.user).toMatchObject({ id: "U404", locale: "en-US" });
  });

  it("opens, updates and publishes views with ids", async () => {
    const opened = await client.views.open({
      trigger_id: "t1",
      view: { type: "modal", callback_id: "cb", title: { type: "plain_text", text: "T" }, blocks: [] },
    });
    expect(opened.view?.id).toMatch(/^V/);
    expect(double.callsTo("views.open")[0]?.args.view.callback_id).toBe("cb");
    const updated = await client.views.update({
      view_id: opened.view?.id ?? "",
      view: { type: "modal", callback_id: "cb2", title: { type: "plain_text", text: "T" }, blocks: [] },
    });
    expect(updated.view).toMatchObject({ id: opened.view?.id, callback_id: "cb2" });
    const home = await client.views.publish({ user_id: "U1", view: { type: "home", blocks: [] } });
    expect(home.view?.id).toMatch(/^V/);
  });

  it("is retried by the WebClient after a 429 with Retry-After", async () => {
    double.failNext("chat.postMessage", { status: 429, headers: { "Retry-After": "1" } });
    const res = await client.chat.postMessage({ channel: "C1", text: "reintento" });
    expect(res.ok).toBe(true);
    const calls = double.callsTo("chat.postMessage");
    expect(calls).toHaveLength(2);
    expect(calls[0]?.failed).toBe(true);
    expect(calls.filter((c) => !c.failed)).toHaveLength(1);
  });

  it("injects error bodies and 500s", async () => {
    double.failNext("chat.postMessage", { body: { ok: false, error: "channel_not_found" } });
    await expect(client.chat.postMessage({ channel: "CX", text: "x" })).rejects.toMatchObject({
      data: { error: "channel_not_found" },
    });
    double.failNext("chat.update", { status: 500 }, 3);
    await expect(client.chat.update({ channel: "C1", ts: "1.0", text: "x" })).rejects.toThrow();
    expect(double.callsTo("chat.update").every((c) => c.failed)).toBe(true);
    const ok = await client.chat.update({ channel: "C1", ts: "1.0", text: "x" });
    expect(ok.ok).toBe(true);
  });

  it("stores a filesUploadV2 CSV upload", async () => {
    const csv = "name,score\nAna,9\nLuis,7\n";
    const res = await client.filesUploadV2({
      channel_id: "C1",
      filename: "roster.csv",
      title: "Roster",
      content: csv,
      initial_comment: "Lista",
    });
    expect(res.ok).toBe(true);
    expect(double.files).toHaveLength(1);
    expect(double.files[0]?.content.toString("utf8")).toBe(csv);
    expect(double.files[0]).toMatchObject({
      filename: "roster.csv",
      title: "Roster",
      channel_id: "C1",
      initial_comment: "Lista",
    });
    expect(double.callsTo("files.completeUploadExternal")[0]?.args.files).toEqual([
      { id: double.files[0]?.id, title: "Roster" },
    ]);
  });

  it("records posts to a response_url and emits call events", async () => {
    const seen: SlackCall[] = [];
    double.on("call", (call) => seen.push(call));
    const url = double.responseUrl("abc");
    expect(responseUrl("abc")).toBe(url);
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "hecho", response_type: "ephemeral" }),
    });
    expect(res.status).toBe(200);
    expect(double.callsTo("response_url")).toEqual([
      expect.objectContaining({ responseId: "abc", args: { text: "hecho", response_type: "ephemeral" } }),
    ]);
    expect(seen.map((c) => c.method)).toEqual(["response_url"]);
    double.removeAllListeners("call");
  });

  it("answers unknown methods with ok", async () => {
    const res = await client.apiCall("reactions.add", { channel: "C1", name: "tada", timestamp: "1.0" });
    expect(res.ok).toBe(true);
  });
});

describe("SlackDouble's random faults", () => {
  // No retries: each call meets the double once.
  const bare = (url = double.url) =>
    new WebClient("xoxb-test", {
      slackApiUrl: url,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logLevel: LogLevel.ERROR,
    });
  const post = (c: WebClient, text: string) =>
    c.chat.postMessage({ channel: "C1", text }).then(
      () => "ok",
      (e: { code?: string }) => e.code ?? "error",
    );

  it("makes the same decisions for the same seed, each kind at about its rate", async () => {
    const c = bare();
    const run = async () => {
      double.reset();
      double.randomFaults({
        seed: 42,
        rates: { ratelimited: 0.2, server_error: 0.2, dropped: 0.1, answer_lost: 0.1 },
        holdMs: 5,
      });
      for (let i = 0; i < 120; i++) await post(c, `m${i}`);
      return double.calls.map((call) => call.fault ?? "none");
    };
    const first = await run();
    expect(await run()).toEqual(first);
    const count = (kind: string) => first.filter((f) => f === kind).length;
    expect(count("ratelimited")).toBeGreaterThan(10);
    expect(count("server_error")).toBeGreaterThan(10);
    expect(count("dropped")).toBeGreaterThan(3);
    expect(count("answer_lost")).toBeGreaterThan(3);
    expect(count("none")).toBeGreaterThan(30);
    expect(double.injected.ratelimited).toBe(count("ratelimited"));
  });

  it("refuses before acting (429 with Retry-After, 500, a dropped request) or acts and loses the answer", async () => {
    const c = bare();
    const only = (kind: "ratelimited" | "server_error" | "dropped" | "answer_lost") =>
      double.randomFaults({ seed: 1, rates: { [kind]: 1 }, retryAfterSec: 3, holdMs: 5 });
    only("ratelimited");
    await expect(c.chat.postMessage({ channel: "C1", text: "a" })).rejects.toMatchObject({ retryAfter: 3 });
    only("server_error");
    await expect(c.chat.postMessage({ channel: "C1", text: "b" })).rejects.toMatchObject({ statusCode: 500 });
    only("dropped");
    expect(await post(c, "c")).toBe("slack_webapi_request_error");
    only("answer_lost");
    expect(await post(c, "d")).toBe("slack_webapi_request_error");
    double.randomFaults(null);
    expect(await post(c, "e")).toBe("ok");
    const calls = double.callsTo("chat.postMessage");
    expect(calls.map((x) => [x.args.text, x.failed ?? false, x.answerLost ?? false, x.result?.ok ?? null])).toEqual([
      ["a", true, false, null],
      ["b", true, false, null],
      ["c", true, false, null],
      ["d", false, true, true],
      ["e", false, false, true],
    ]);
  });

  it("leaves auth.test and response URLs alone, and whatever `methods` excludes", async () => {
    double.randomFaults({ seed: 1, rates: { server_error: 1 }, methods: (m) => m === "chat.update" });
    expect(await post(bare(), "kept")).toBe("ok");
    await expect(bare().chat.update({ channel: "C1", ts: "1.0", text: "x" })).rejects.toMatchObject({
      statusCode: 500,
    });
    double.randomFaults({ seed: 1, rates: { server_error: 1 } });
    expect((await bare().auth.test()).ok).toBe(true);
    expect((await fetch(double.responseUrl("r1"), { method: "POST", body: "{}" })).status).toBe(200);
    double.reset();
  });

  it("tells clients apart by their base URL, and answers posts to a deactivated person with account_inactive", async () => {
    await bare(double.urlFor("second")).chat.postMessage({ channel: "C1", text: "hola" });
    expect(double.callsTo("chat.postMessage")[0]?.via).toBe("second");
    double.deactivate("UGONE");
    await expect(bare().chat.postMessage({ channel: "UGONE", text: "x" })).rejects.toMatchObject({
      data: { error: "account_inactive" },
    });
    expect((await bare().users.info({ user: "UGONE" })).user?.deleted).toBe(true);
  });
});

describe("signer", () => {
  const secret = "shhh";

  it("signs so that Bolt verifies", () => {
    const body = "token=x&command=%2Fask&text=hola";
    const headers = sign(secret, body);
    expect(() =>
      verifySlackRequest({
        signingSecret: secret,
        body,
        headers: {
          "x-slack-signature": headers["x-slack-signature"],
          "x-slack-request-timestamp": Number(headers["x-slack-request-timestamp"]),
        },
      }),
    ).not.toThrow();
    expect(headers["content-type"]).toBe("application/x-www-form-urlencoded");
  });

  it("is the HMAC of v0:ts:body", () => {
    const headers = sign(secret, '{"a":1}', 1_700_000_000);
    const expected = createHmac("sha256", secret).update('v0:1700000000:{"a":1}').digest("hex");
    expect(headers).toEqual({
      "x-slack-signature": `v0=${expected}`,
      "x-slack-request-timestamp": "1700000000",
      "content-type": "application/json",
    });
    expect(() =>
      verifySlackRequest({
        signingSecret: "other",
        body: '{"a":1}',
        headers: { "x-slack-signature": headers["x-slack-signature"], "x-slack-request-timestamp": Date.now() / 1000 },
      }),
    ).toThrow();
  });
});

describe("SlackClientSim against a real Bolt app", () => {
  const signingSecret = "test-secret";
  let app: App;
  let sim: SlackClientSim;
  const seen: Record<string, unknown>[] = [];

  beforeAll(async () => {
    app = new App({
      token: "xoxb-test",
      signingSecret,
      clientOptions: { slackApiUrl: double.url },
      logLevel: LogLevel.ERROR,
    });
    app.command("/ask", async ({ ack, command, respond }) => {
      await ack();
      seen.push({ kind: "command", text: command.text, user: command.user_id });
      await respond({ text: `eco: ${command.text}` });
    });
    app.action("rsvp", async ({ ack, body, client: web }) => {
      await ack();
      const action = (body as { actions: { value: string }[] }).actions[0];
      seen.push({ kind: "action", value: action?.value, user: body.user.id });
      await web.chat.postMessage({ channel: body.user.id, text: `rsvp ${action?.value}` });
    });
    app.view("sign_in", async ({ ack, view }) => {
      const code = view.state.values.code?.code_input?.value;
      if (code !== "K7MQ2X") {
        await ack({ response_action: "errors", errors: { code: "bad code" } });
        return;
      }
      await ack();
      seen.push({ kind: "view", code, meta: view.private_metadata });
    });
    app.event("app_home_opened", async ({ event }) => {
      seen.push({ kind: "event", user: event.user });
    });
    const server = (await app.start(0)) as unknown as { address(): AddressInfo };
    sim = new SlackClientSim({
      baseUrl: `http://127.0.0.1:${server.address().port}`,
      signingSecret,
      responseUrlBase: double.responseUrlBase,
    });
  });

  afterAll(async () => {
    await app.stop();
  });

  beforeEach(() => {
    seen.length = 0;
  });

  it("delivers a signed slash command and its respond() reaches the double", async () => {
    const res = await sim.command("/ask", "cómo anulo una póliza", { id: "U1", name: "ana" });
    expect(res.status).toBe(200);
    expect(seen).toEqual([{ kind: "command", text: "cómo anulo una póliza", user: "U1" }]);
    await expect.poll(() => double.callsTo("response_url").length).toBe(1);
    expect(double.callsTo("response_url")[0]?.args.text).toBe("eco: cómo anulo una póliza");
  });

  it("delivers a block action and the app posts through the double", async () => {
    const res = await sim.action({ id: "U2" }, "rsvp", "yes", { blockId: "b1" });
    expect(res.status).toBe(200);
    expect(seen).toEqual([{ kind: "action", value: "yes", user: "U2" }]);
    await expect.poll(() => double.callsTo("chat.postMessage").length).toBe(1);
    expect(double.callsTo("chat.postMessage")[0]?.args).toMatchObject({ channel: "U2", text: "rsvp yes" });
  });

  it("delivers a view submission and returns inline errors", async () => {
    const bad = await sim.viewSubmission({ id: "U1" }, "sign_in", {
      code: { code_input: { type: "plain_text_input", value: "NOPE" } },
    });
    expect(bad).toMatchObject({ status: 200, body: { response_action: "errors", errors: { code: "bad code" } } });
    const good = await sim.viewSubmission(
      { id: "U1" },
      "sign_in",
      { code: { code_input: { type: "plain_text_input", value: "K7MQ2X" } } },
      { privateMetadata: "s1" },
    );
    expect(good.status).toBe(200);
    expect(seen).toEqual([{ kind: "view", code: "K7MQ2X", meta: "s1" }]);
  });

  it("delivers an event envelope", async () => {
    const res = await sim.event({ type: "app_home_opened", user: "U3", channel: "DU3", tab: "home" });
    expect(res.status).toBe(200);
    await expect.poll(() => seen).toEqual([{ kind: "event", user: "U3" }]);
  });

  it("is rejected when unsigned, wrongly signed or stale", async () => {
    const body = "command=%2Fask&text=x&user_id=U1";
    const unsigned = await sim.post(body, "application/x-www-form-urlencoded", { signature: null });
    const wrong = await sim.post(body, "application/x-www-form-urlencoded", { signature: "v0=deadbeef" });
    const stale = await sim.command("/ask", "x", { id: "U1" }, { timestampOffsetSec: -360 });
    expect([unsigned.status, wrong.status, stale.status]).toEqual([401, 401, 401]);
    expect(seen).toEqual([]);
  });
});
