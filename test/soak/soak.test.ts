// The soak in one process (issue #9), on every backend: the working day of test/soak/scenario.ts
// against one app with random Slack faults, stopped gracefully at 08:45 and started again at 09:20
// on the same database and the same Slack, where its start must make up the runs it missed, once.
import { describe, expect, it } from "vitest";
import { MovableClock } from "../../src/core/clock.ts";
import { SlackDouble } from "../../src/core/slack-double.ts";
import { startTestApp, type TestApp } from "../kit/app.ts";
import { BACKENDS } from "../kit/db.ts";
import { runsLogged } from "../kit/processes.ts";
import {
  checkSoak,
  missedWhileDown,
  office,
  runSoak,
  SOAK_ENV,
  SOAK_FAULTS,
  type Stage,
  soakSeed,
} from "./scenario.ts";

describe.each(BACKENDS)("soak: a working day in one process, faults and a restart (%s)", (backend) => {
  it("loses nothing and posts nothing twice", async () => {
    const seed = soakSeed();
    const slack = await SlackDouble.start();
    slack.randomFaults({ seed, rates: SOAK_FAULTS });
    const clock = new MovableClock(office("06:30"));
    const start = (database?: TestApp["database"]) =>
      startTestApp(backend, SOAK_ENV, { slack, clock, database, background: true });
    let app: TestApp | undefined = await start();
    const database = app.database;
    const logs = [app.logs];
    const running = () => {
      if (!app) throw new Error("a request while the app is down");
      return app;
    };
    const stage: Stage = {
      name: `in one process (${backend})`,
      slack,
      db: database.prisma,
      clock,
      client: () => running().sim,
      async moveClock(at) {
        clock.set(at);
        await app?.capacita.scheduler.tick();
      },
      async settle() {
        await app?.capacita.dispatcher.drain();
      },
      // Stopped gracefully: it finishes the deliveries under way, then stops taking requests and ticks.
      async down(at) {
        await stage.moveClock(at);
        await running().capacita.stop();
        app = undefined;
      },
      async up() {
        app = await start(database);
        logs.push(app.logs);
      },
      runsLogged: () => runsLogged(logs.flat()),
    };
    try {
      const run = await runSoak(stage, seed);
      await checkSoak(stage, run);
      // What the app missed while down was made up by its start at 09:20, and only then.
      const madeUp = await database.prisma.jobRun.findMany({
        where: { startedAt: { gte: run.makeUp.up, lt: new Date(run.makeUp.up.getTime() + 60_000) } },
      });
      expect(madeUp.map((r) => r.key).sort()).toEqual(missedWhileDown(run).sort());
      for (const r of madeUp) expect(r, r.key).toMatchObject({ status: "done", attempts: 1, generation: 0 });
    } finally {
      await app?.capacita.stop();
      await database.close();
      await slack.close();
    }
  }, 240_000);
});
