// Slack request signatures (SPEC §11, issue 9): whatever a request carries — a command, a
// button, a modal — it is refused with 401, reaches no listener, calls no Web API method and
// writes nothing unless its signature is Slack's for exactly that body and a timestamp within
// five minutes.
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { SIGNING_SECRET, startTestApp, type TestApp, waitForCalls } from "../kit/app.ts";
import { addRoleUsers, changedTables, runs, snapshot } from "../kit/fuzz.ts";

const sign = (secret: string, timestamp: number, body: string) =>
  `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;

describe("request signatures (embedded)", () => {
  let t: TestApp;
  /** Bolt warns on the console about every refused request: kept here, and checked for secrets. */
  const consoleLines: string[] = [];
  beforeAll(async () => {
    for (const method of ["debug", "info", "warn", "error", "log"] as const)
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        consoleLines.push(args.map(String).join(" "));
      });
    t = await startTestApp("embedded");
    await addRoleUsers(t);
    // Bolt checks the token once at start-up, in the background: let that call land first.
    await waitForCalls(t.slack, "auth.test");
  });
  afterAll(async () => {
    await t?.close();
    vi.restoreAllMocks();
  });

  /** A state-changing request of each kind, as its form body: all of them would succeed if signed. */
  const bodies = () => {
    const payload = (p: object) => new URLSearchParams({ payload: JSON.stringify(p) }).toString();
    return [
      new URLSearchParams({
        command: "/capacita",
        text: "role <@USTAFF|pedro> admin",
        user_id: "UADMIN",
        team_id: "T1",
        channel_id: "C1",
        response_url: t.slack.responseUrl("sig"),
        trigger_id: "1.2.3",
      }).toString(),
      payload({
        type: "block_actions",
        user: { id: "UADMIN" },
        team: { id: "T1" },
        actions: [{ action_id: "training.cancel", value: "1", type: "button" }],
        response_url: t.slack.responseUrl("sig"),
        trigger_id: "1.2.3",
      }),
      payload({
        type: "view_submission",
        user: { id: "UADMIN" },
        team: { id: "T1" },
        view: {
          id: "V1",
          callback_id: "faq.add",
          private_metadata: "",
          blocks: [],
          state: {
            values: {
              question: { value: { type: "plain_text_input", value: "¿Firmada?" } },
              answer: { value: { type: "plain_text_input", value: "No." } },
            },
          },
        },
      }),
    ];
  };

  async function post(body: string, headers: Record<string, string | undefined>) {
    const h: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
    for (const [k, v] of Object.entries(headers)) if (v !== undefined) h[k] = v;
    const res = await fetch(`${t.baseUrl}/slack/events`, { method: "POST", headers: h, body });
    await res.text();
    return res.status;
  }

  const now = () => Math.floor(Date.now() / 1000);

  it("a forged, missing, stale or mismatched signature is refused with 401 and changes nothing", async () => {
    const forgery = fc.oneof(
      fc.constant({ kind: "missing" as const }),
      fc.string({ maxLength: 80 }).map((s) => ({ kind: "garbage" as const, s })),
      fc.stringMatching(/^v0=[0-9a-f]{64}$/).map((s) => ({ kind: "random hex" as const, s })),
      fc.string({ minLength: 1, maxLength: 30 }).map((s) => ({ kind: "wrong secret" as const, s })),
      // Stale only: Bolt's check (and SPEC §11) refuses what is older than five minutes; a timestamp
      // in the future is taken as long as the signature is right (only Slack can make one).
      fc.integer({ min: -100_000, max: -301 }).map((offset) => ({ kind: "stale" as const, offset })),
      fc.string({ minLength: 1, maxLength: 5 }).map((s) => ({ kind: "other body" as const, s })),
      fc.constantFrom("", "abc", "-1", "1e3", "NaN").map((ts) => ({ kind: "bad timestamp" as const, ts })),
      fc.constant({ kind: "v1" as const }),
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 }), forgery, async (which, f) => {
        const body = bodies()[which] as string;
        const calls = t.slack.calls.length;
        const before = await snapshot(t.db);
        let ts = now();
        let signature: string | undefined = sign(SIGNING_SECRET, ts, body);
        if (f.kind === "missing") signature = undefined;
        else if (f.kind === "garbage" || f.kind === "random hex") signature = f.s;
        else if (f.kind === "wrong secret") signature = sign(`${SIGNING_SECRET}${f.s}`, ts, body);
        else if (f.kind === "stale") {
          ts += f.offset;
          signature = sign(SIGNING_SECRET, ts, body);
        } else if (f.kind === "other body") signature = sign(SIGNING_SECRET, ts, `${body}${encodeURIComponent(f.s)}`);
        else if (f.kind === "v1") signature = (signature as string).replace(/^v0=/, "v1=");
        const timestamp = f.kind === "bad timestamp" ? f.ts : String(ts);
        if (f.kind === "bad timestamp") signature = sign(SIGNING_SECRET, Number(f.ts) || 0, body);
        const status = await post(body, { "x-slack-signature": signature, "x-slack-request-timestamp": timestamp });
        const what = `${JSON.stringify(f)} on body ${which}`;
        expect(status, what).toBe(401);
        expect(
          t.slack.calls.slice(calls).map((c) => c.method),
          what,
        ).toEqual([]);
        expect(changedTables(before, await snapshot(t.db)), what).toEqual([]);
      }),
      runs(150),
    );
    // What Bolt said about the refusals names no signature and no secret.
    expect(consoleLines.length).toBeGreaterThan(0);
    for (const line of consoleLines) {
      expect(line).not.toMatch(/v0=[0-9a-f]{64}/);
      expect(line).not.toContain(SIGNING_SECRET);
    }
  }, 60_000);

  it("the same requests, properly signed, are taken (so the refusals above were the signatures')", async () => {
    for (const body of bodies()) {
      const ts = now() - 200; // within five minutes
      const status = await post(body, {
        "x-slack-signature": sign(SIGNING_SECRET, ts, body),
        "x-slack-request-timestamp": String(ts),
      });
      expect(status).toBe(200);
    }
    await expect.poll(() => t.db.faqEntry.count()).toBe(1);
  });
});
