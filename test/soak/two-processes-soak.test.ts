// The soak on two real app processes (issue #9): HTTP mode on two ports, requests spread over both,
// one PostgreSQL, one Slack double with random faults, the clock moved by the test over IPC. At
// 08:45 the first process is killed (SIGKILL) while it sends a room's 199 rating requests; the
// other carries on alone and takes over what the dead one had claimed; a third joins at 09:20.
import { describe, expect, it } from "vitest";
import { MovableClock } from "../../src/core/clock.ts";
import { openDatabase } from "../../src/core/db.ts";
import { SlackDouble } from "../../src/core/slack-double.ts";
import { SIGNING_SECRET } from "../kit/app.ts";
import { freshTarget } from "../kit/db.ts";
import { type AppProcess, runsLogged, startAppProcess } from "../kit/processes.ts";
import { SlackClientSim } from "../kit/signer.ts";
import { checkSoak, office, runSoak, SOAK_ENV, SOAK_FAULTS, type Stage, soakSeed } from "./scenario.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!process.env.TEST_DATABASE_URL)("soak: two app processes on one PostgreSQL, one killed", () => {
  it("loses nothing and posts nothing twice", async () => {
    const seed = soakSeed();
    const slack = await SlackDouble.start();
    slack.randomFaults({ seed, rates: SOAK_FAULTS });
    const target = await freshTarget("postgres");
    if (target.kind !== "postgres") throw new Error("expected PostgreSQL");
    const database = await openDatabase(target);
    const db = database.prisma;
    const clock = new MovableClock(office("06:30"));
    const all: AppProcess[] = [];
    const sims = new Map<AppProcess, SlackClientSim>();
    // Each process calls Slack through its own base URL, so the double knows who sent what.
    const start = async (name: string) => {
      const child = startAppProcess(
        name,
        {
          ...SOAK_ENV,
          LOG_LEVEL: "info",
          SLACK_BOT_TOKEN: "xoxb-soak",
          SLACK_SIGNING_SECRET: SIGNING_SECRET,
          SLACK_API_URL: slack.urlFor(name),
          DATABASE_URL: target.url,
        },
        { clock: clock.now() },
      );
      all.push(child);
      const port = await child.ready;
      sims.set(
        child,
        new SlackClientSim({
          baseUrl: `http://127.0.0.1:${port}`,
          signingSecret: SIGNING_SECRET,
          responseUrlBase: slack.responseUrlBase,
        }),
      );
      return child;
    };
    const live = () => all.filter((c) => c.running());
    let turn = 0;
    const kill = { posted: 0, claimed: 0 };
    const stage: Stage = {
      name: "on two processes (PostgreSQL)",
      slack,
      db,
      clock,
      client: () => {
        const up = live();
        return sims.get(up[turn++ % up.length] as AppProcess) as SlackClientSim;
      },
      async moveClock(at) {
        clock.set(at);
        await Promise.all(live().map((c) => c.moveClock(at)));
      },
      // Nothing in flight and nothing due within the next moment: a lease taken just before the
      // clock jumps would lapse in the jump while its message is on the wire (a test artefact).
      // Retries due later go out after the jump, under a lease taken then.
      async settle() {
        const deadline = Date.now() + 90_000;
        let calm = 0;
        while (calm < 2) {
          await sleep(50);
          const soon = new Date(clock.now().getTime() + 250);
          const [row] = await db.$queryRaw<{ busy: number }[]>`
            SELECT count(*)::int AS busy FROM "OutboxMessage"
            WHERE status = 'sending' OR (status = 'pending' AND "nextAttemptAt" <= ${soon})`;
          calm = row?.busy ? 0 : calm + 1;
          if (Date.now() > deadline) throw new Error(`outbox still busy: ${row?.busy}`);
        }
      },
      // Killed in the middle of a delivery: only its clock reaches 08:45 (the other one's, still
      // behind, cannot claim what is due at 08:45), so it alone sends the room's rating requests,
      // and it dies once Slack has seen a few dozen of them.
      async down(at) {
        const [victim, survivor] = all as [AppProcess, AppProcess];
        clock.set(at);
        const seen = slack.calls.length;
        await victim.moveClock(at);
        const sent = () =>
          slack.calls.slice(seen).filter((c) => c.via === victim.name && c.method === "chat.postMessage");
        const deadline = Date.now() + 10_000;
        while (sent().length < 30 && Date.now() < deadline) await sleep(5);
        await victim.stop("SIGKILL");
        stage.killed = { via: victim.name, at: Date.now() };
        kill.posted = sent().length;
        kill.claimed = await db.outboxMessage.count({ where: { status: "sending" } });
        await survivor.moveClock(at);
      },
      async up() {
        const third = await start("third");
        await third.moveClock(clock.now());
      },
      runsLogged: () => runsLogged(all.flatMap((c) => c.lines)),
    };
    try {
      await Promise.all([start("first"), start("second")]);
      const run = await runSoak(stage, seed);
      await checkSoak(stage, run);
      console.log(
        `  the kill   "first" died at 08:45 after posting ${kill.posted} rating requests, holding ${kill.claimed} claimed; "second" sent those once their lease lapsed`,
      );
      // Requests reached every process; the killed one died as planned, the others are well.
      expect(all.map((c) => [c.name, c.running()])).toEqual([
        ["first", false],
        ["second", true],
        ["third", true],
      ]);
      for (const c of live()) expect((await fetch(`http://127.0.0.1:${c.port}/healthz`)).status, c.name).toBe(200);
    } catch (e) {
      for (const c of all) console.log(`---- ${c.name}\n${c.lines.slice(-40).join("\n")}`);
      throw e;
    } finally {
      await Promise.all(all.map((c) => c.stop()));
      await database.close();
      await slack.close();
    }
  }, 300_000);
});
