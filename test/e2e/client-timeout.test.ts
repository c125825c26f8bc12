// A Slack call that never gets an answer: the listeners' client gives up on it after its time-out
// (src/app.ts, SLACK_CLIENT; shortened here), so the person still gets an answer and no listener hangs.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Capacita, createCapacita } from "../../src/app.ts";
import { parseConfig } from "../../src/config.ts";
import { MovableClock } from "../../src/core/clock.ts";
import type { Database } from "../../src/core/db.ts";
import { createLogger } from "../../src/core/logger.ts";
import { SlackDouble } from "../../src/core/slack-double.ts";
import { SIGNING_SECRET } from "../kit/app.ts";
import { BACKENDS, freshDatabase } from "../kit/db.ts";
import { SlackClientSim } from "../kit/signer.ts";

const TIMEOUT_MS = 1000;
const admin = { id: "UADMIN", name: "ana" };

interface Held {
  path: string;
  arrived: number;
  /** When the client gave up and closed the connection. */
  closed?: number;
}

/**
 * Stands in front of the Slack double: requests whose path `silent` picks are held with no answer
 * (until the client closes them), the others are passed on.
 */
async function silentProxy(target: string) {
  const held: Held[] = [];
  let silent = (_path: string) => false;
  const server: Server = createServer(async (req, res) => {
    const arrived = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = req.url ?? "/";
    if (silent(path)) {
      const h: Held = { path, arrived };
      held.push(h);
      res.on("close", () => (h.closed = Date.now()));
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of ["content-type", "authorization"]) {
      const value = req.headers[name];
      if (typeof value === "string") headers[name] = value;
    }
    const answer = await fetch(`${target}${path}`, { method: req.method, headers, body: Buffer.concat(chunks) });
    res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "text/plain" });
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held,
    silence(which: (path: string) => boolean) {
      silent = which;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe.each(BACKENDS)("a Slack call without an answer (%s)", (backend) => {
  let slack: SlackDouble;
  let proxy: Awaited<ReturnType<typeof silentProxy>>;
  let database: Database;
  let capacita: Capacita;
  let sim: SlackClientSim;
  const logs: string[] = [];
  let seq = 0;

  beforeAll(async () => {
    slack = await SlackDouble.start();
    slack.addChannel({ id: "CDIR", name: "direccion" });
    slack.addUser({ id: admin.id, name: admin.name, locale: "es-ES", tz: "Europe/Madrid" });
    proxy = await silentProxy(new URL(slack.url).origin);
    database = await freshDatabase(backend);
    const config = parseConfig({
      SLACK_BOT_TOKEN: "xoxb-test-token",
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: `${proxy.url}/api/`,
      PORT: "0",
      ADMIN_USER_IDS: admin.id,
      DEFAULT_LOCALE: "es",
    });
    capacita = await createCapacita({
      config,
      database,
      clock: new MovableClock(),
      logger: createLogger("debug", (line) => logs.push(line)),
      background: false,
      channelIntervalMs: 0,
      // One retry, soon: the test waits for the whole of what a person would wait for.
      slackClient: { timeout: TIMEOUT_MS, retryConfig: { retries: 1, minTimeout: 50, maxTimeout: 50 } },
    });
    const port = await capacita.start();
    sim = new SlackClientSim({
      baseUrl: `http://127.0.0.1:${port}`,
      signingSecret: SIGNING_SECRET,
      responseUrlBase: `${proxy.url}/response/`,
    });
  });
  afterAll(async () => {
    // Resolves only once no listener is still running.
    await capacita?.stop();
    await database?.close();
    await proxy?.close();
    await slack?.close();
  });

  const subscribe = async () => {
    const id = `kpi-${++seq}`;
    const res = await sim.command("/kpi", "subscribe <#CDIR|direccion>", admin, {
      responseUrl: `${proxy.url}/response/${id}`,
    });
    expect(res.status).toBe(200);
    expect(res.body).toBe("");
    return id;
  };
  const heldOn = (path: string) => proxy.held.filter((h) => h.path.startsWith(path));
  /** Each attempt was given up about TIMEOUT_MS after it was sent, not left open. */
  const expectAbandoned = (held: Held[]) => {
    for (const h of held) {
      expect(h.closed, h.path).toBeDefined();
      // Loosely: a busy event loop (the embedded database) notices the request late.
      expect((h.closed ?? 0) - h.arrived).toBeGreaterThanOrEqual(TIMEOUT_MS / 2);
      expect((h.closed ?? 0) - h.arrived).toBeLessThan(TIMEOUT_MS + 2000);
    }
  };

  it("gives up on a Web API call that hangs: the person is told Slack did not answer, and nothing is stored", async () => {
    proxy.silence((path) => path === "/api/conversations.info");
    const id = await subscribe();
    await expect
      .poll(() => slack.calls.filter((c) => c.method === "response_url" && c.responseId === id), { timeout: 5000 })
      .toHaveLength(1);
    const [answer] = slack.calls.filter((c) => c.method === "response_url" && c.responseId === id);
    expect(answer?.args.response_type).toBe("ephemeral");
    expect(answer?.args.text).toBe(
      "Slack no ha respondido al comprobar <#CDIR>, así que no he cambiado nada. Vuelve a intentarlo en un momento.",
    );
    // The first attempt and its one retry, each abandoned.
    const asked = heldOn("/api/conversations.info");
    expect(asked).toHaveLength(2);
    expectAbandoned(asked);
    expect(await database.prisma.digestSubscription.count()).toBe(0);
  });

  it("gives up on a response URL that hangs: the subscription made before it stays, and the listener ends", async () => {
    proxy.silence((path) => path.startsWith("/response/"));
    const id = await subscribe();
    // The answer, then the apology of the app's error middleware: both abandoned.
    await expect.poll(() => heldOn(`/response/${id}`).filter((h) => h.closed).length, { timeout: 5000 }).toBe(2);
    expectAbandoned(heldOn(`/response/${id}`));
    expect(await database.prisma.digestSubscription.findMany({ select: { channelId: true } })).toEqual([
      { channelId: "CDIR" },
    ]);
    // Back to normal: the same command answers again.
    proxy.silence(() => false);
    const next = await subscribe();
    await expect
      .poll(() => slack.calls.find((c) => c.method === "response_url" && c.responseId === next)?.args.text, {
        timeout: 5000,
      })
      .toBe("<#CDIR> ya recibe el resumen semanal.");
  });
});
