// No secret reaches a log (issue 9): neither the app's own structured logger nor Bolt's and the
// Web API client's (which write to the console) ever print the bot token, the app token, the
// signing secret or a request signature — at LOG_LEVEL=debug, through commands, buttons, modals,
// failing Web API calls and failing deliveries. And createLogger redacts tokens it is handed.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createLogger } from "../../src/core/logger.ts";
import { SIGNING_SECRET, type TestApp } from "../kit/app.ts";
import { type Driver, runs, startRoleMatrix, userFor } from "../kit/fuzz.ts";

const BOT_TOKEN = "xoxb-test-token";
/** The legacy verification token every payload carries. */
const VERIFICATION = "verification-token";
const SIGNATURE = /v0=[0-9a-f]{64}/;

describe("no secret in the logs (embedded, LOG_LEVEL=debug)", () => {
  let t: TestApp;
  let d: Driver;
  /** Everything written to the console while the app runs: Bolt's and the Web API client's loggers. */
  const consoleLines: string[] = [];

  beforeAll(async () => {
    for (const method of ["debug", "info", "warn", "error", "log"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        consoleLines.push(args.map((a) => (typeof a === "string" ? a : (JSON.stringify(a) ?? String(a)))).join(" "));
      });
    }
    ({ t, d } = await startRoleMatrix(["C1", "CFORM"], { LOG_LEVEL: "debug" }));
  });
  afterAll(async () => {
    await t?.close();
    vi.restoreAllMocks();
  });

  const everything = () => [...t.logs, ...consoleLines];

  function expectNoSecret(lines: string[]) {
    for (const line of lines) {
      expect(line).not.toContain(BOT_TOKEN);
      expect(line).not.toContain(SIGNING_SECRET);
      expect(line).not.toContain(VERIFICATION);
      expect(line).not.toMatch(SIGNATURE);
      expect(line).not.toMatch(/xox[abeprs]-[\w-]{4,}|xapp-[\w-]{4,}/);
    }
  }

  it("commands, buttons, modals, failing Web API calls and deliveries log no secret", async () => {
    const trainer = userFor("trainer");
    const admin = userFor("admin");
    const staff = userFor("staff");
    // Ordinary traffic.
    await d.command("/capacita", "", staff);
    await d.command("/training", "new Producto | 2026-12-03 09:30 | 90 | <#CFORM|formacion>", trainer);
    const session = await t.db.trainingSession.findFirstOrThrow();
    await d.action(staff, "training.rsvp.yes", String(session.id));
    await d.command("/faq", "add ¿Cómo anulo una póliza? | Con el formulario A-12. | pólizas | es", admin);
    await d.command("/ask", "capital de australia", staff);
    await d.submit(admin, "faq.add", { question: { value: { type: "plain_text_input", value: "x" } } });
    // Web API calls that fail: as an error answer, as an HTTP 500, as an authentication failure.
    t.slack.failNext("chat.postMessage", { body: { ok: false, error: "invalid_auth" } });
    await d.command("/training", "new Falla | 2026-12-04 09:30 | 60 | <#CFORM|formacion>", trainer);
    t.slack.failNext("views.open", { body: { ok: false, error: "expired_trigger_id" } });
    await d.command("/training", "new", trainer);
    t.slack.failNext("chat.update", { body: { ok: false, error: "not_authed" } });
    await d.action(staff, "training.rsvp.no", String(session.id));
    t.slack.failNext("users.info", { body: { ok: false, error: "token_revoked" } });
    await d.command("/capacita", "", { id: "UNEWCOMER" });
    // A delivery from the outbox that is rate-limited, retried, then fails for good.
    t.slack.failNext("chat.postMessage", { status: 429, headers: { "retry-after": "0" } });
    t.slack.failNext("chat.postMessage", { body: { ok: false, error: "account_inactive" } }, 10);
    await d.command("/ask", "quién ganó el mundial de 1982", staff);
    await t.capacita.dispatcher.drain();
    // Someone sending wrongly signed and stale requests.
    await t.sim.command("/capacita", "role <@USTAFF> admin", admin, { signature: "v0=deadbeef" });
    await t.sim.command("/capacita", "role <@USTAFF> admin", admin, { timestampOffsetSec: -600 });

    // The run did log, including the failures (so the check below is not vacuous).
    for (const msg of ["listener failed", "views.open failed", "users.info failed", "outbox"])
      expect(
        t.logs.some((l) => l.includes(msg)),
        msg,
      ).toBe(true);
    expect(consoleLines.length).toBeGreaterThan(0);
    expectNoSecret(everything());
  }, 60_000);

  it("createLogger redacts bot, user and app tokens wherever they appear", async () => {
    const token = fc
      .tuple(
        fc.constantFrom("xoxb", "xoxp", "xoxa", "xoxr", "xapp"),
        fc.array(fc.stringMatching(/^[A-Za-z0-9]{1,12}$/), { minLength: 1, maxLength: 4 }),
      )
      .map(([prefix, parts]) => `${prefix}-${parts.join("-")}`);
    await fc.assert(
      fc.property(
        token,
        fc.string({ maxLength: 20 }),
        fc.constantFrom("msg", "field", "nested", "error"),
        (secret, around, where) => {
          const lines: string[] = [];
          const logger = createLogger("debug", (l) => lines.push(l));
          const text = `${around} ${secret} ${around}`;
          if (where === "msg") logger.info(text);
          else if (where === "field") logger.warn("x", { token: text });
          else if (where === "nested")
            logger.debug("x", { request: { headers: { authorization: `Bearer ${secret}` } } });
          else logger.error("x", { error: new Error(text).stack });
          expect(lines).toHaveLength(1);
          expect(lines[0]).not.toContain(secret);
          expect(lines[0]).toContain("[redacted]");
        },
      ),
      runs(300),
    );
  });

  // Was a gap: the redaction matched xox[abpr]- and xapp- only.
  it("createLogger also redacts xoxe-, xoxe.xoxp- and xoxs- tokens", () => {
    const lines: string[] = [];
    const logger = createLogger("debug", (l) => lines.push(l));
    logger.info("refresh xoxe-1-abcdef, rotating xoxe.xoxp-1-abc and session xoxs-1234-abcd");
    expect(lines[0]).not.toMatch(/xox[eps][.-]|abcdef|1234-abcd/);
  });
});
