// The test clock of a real app process (src/main.ts, CAPACITA_TEST_CLOCK): refused outside tests,
// and, in a process started by a test, moved over IPC with the minutely tick run at each move.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config.ts";
import { SlackDouble } from "../../src/core/slack-double.ts";
import { startAppProcess } from "./processes.ts";

describe("a moved clock in a real app process", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("is refused unless NODE_ENV=test", () => {
    const env = { CAPACITA_TEST_CLOCK: "2026-03-02T07:59:00+01:00" };
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(/CAPACITA_TEST_CLOCK.*tests only/);
    expect(parseConfig({ ...env, NODE_ENV: "test" }).CAPACITA_TEST_CLOCK).toEqual(new Date("2026-03-02T06:59:00Z"));
    expect(() => parseConfig({ CAPACITA_TEST_CLOCK: "tomorrow", NODE_ENV: "test" })).toThrow(/ISO instant/);
  });

  it("follows the test's moves and runs what came due at each", async () => {
    const slack = await SlackDouble.start();
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "capacita-clock-"));
    const app = startAppProcess(
      "clocked",
      {
        SLACK_BOT_TOKEN: "xoxb-x",
        SLACK_SIGNING_SECRET: "s",
        SLACK_API_URL: slack.url,
        DATA_DIR: dataDir,
        APP_TIMEZONE: "Europe/Madrid",
      },
      { clock: new Date("2026-03-02T07:59:00+01:00") },
    );
    cleanups.push(async () => {
      await app.stop();
      await slack.close();
      await rm(dataDir, { recursive: true, force: true });
    });
    await app.ready;
    // Installed at 07:59 on a Monday: nothing due yet; the 08:00 digest and the 09:00 follow-ups come with the clock.
    expect(await app.moveClock(new Date("2026-03-02T07:59:30+01:00"))).toEqual([]);
    expect(await app.moveClock(new Date("2026-03-02T08:00:00+01:00"))).toEqual(["digest:2026-W09"]);
    expect(await app.moveClock(new Date("2026-03-02T08:30:00+01:00"))).toEqual([]);
    expect(await app.moveClock(new Date("2026-03-02T09:00:00+01:00"))).toEqual(["followups:2026-03-02"]);
  }, 60_000);
});
