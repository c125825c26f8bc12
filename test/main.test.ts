// The real entry point as `npm start` runs it: configuration errors, the
// no-token-no-terminal refusal, /healthz and a clean exit on SIGTERM (SPEC §2, §9).
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { SlackDouble } from "../src/core/slack-double.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "capacita-main-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The `node` arguments of package.json's start script: the process is started as `npm start` starts it. */
const START = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.start as string)
  .split(/\s+/)
  .slice(1);

/** Starts the app as `npm start` does, with only PATH, HOME, a fresh DATA_DIR and `vars` in its environment; stdin is no terminal. */
async function start(vars: Record<string, string>): Promise<Run> {
  const env: Record<string, string> = { DATA_DIR: await tempDir(), ...vars };
  if (process.env.PATH) env.PATH = process.env.PATH;
  if (process.env.HOME) env.HOME = process.env.HOME;
  const child = spawn(process.execPath, START, {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits for the process to end, failing after `ms`. */
async function exitOf(run: Run, ms = 20_000) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`still running after ${ms} ms\nstdout:\n${run.stdout()}\nstderr:\n${run.stderr()}`)),
      ms,
    );
  });
  try {
    return await Promise.race([run.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s{4}at /m);

describe("src/main.ts", () => {
  it("refuses a malformed PORT with a readable message and exit code 1", async () => {
    const run = await start({ PORT: "abc", SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s" });
    const { code } = await exitOf(run);
    expect(code).toBe(1);
    expect(run.stderr()).toContain("PORT");
    expect(run.stderr()).toContain('"abc"');
    expect(run.stderr()).toMatch(/PORT.*expected a port number/);
    noStackTrace(run.stderr());
  });

  it("requires SLACK_SIGNING_SECRET in HTTP mode", async () => {
    const run = await start({ SLACK_BOT_TOKEN: "xoxb-1" });
    const { code } = await exitOf(run);
    expect(code).toBe(1);
    expect(run.stderr()).toMatch(/SLACK_SIGNING_SECRET.*required in HTTP mode/);
    noStackTrace(run.stderr());
  });

  it("names every bad variable in one message", async () => {
    const run = await start({
      SLACK_BOT_TOKEN: "xoxb-1",
      SLACK_SIGNING_SECRET: "s",
      PORT: "abc",
      APP_TIMEZONE: "Mars/Base",
      DEFAULT_LOCALE: "fr",
    });
    const { code } = await exitOf(run);
    expect(code).toBe(1);
    const err = run.stderr();
    expect(err.match(/invalid configuration/g)).toHaveLength(1);
    expect(err).toMatch(/PORT.*expected a port number/);
    expect(err).toMatch(/APP_TIMEZONE.*"Mars\/Base".*expected an IANA time zone/);
    expect(err).toMatch(/DEFAULT_LOCALE.*"fr".*expected es or en/);
    noStackTrace(err);
  });

  it("without a token and without a terminal, exits 1 saying which variables to set", async () => {
    const run = await start({});
    const { code } = await exitOf(run);
    expect(code).toBe(1);
    expect(run.stderr()).toContain("SLACK_BOT_TOKEN");
    expect(run.stderr()).toContain("SLACK_SIGNING_SECRET");
    expect(run.stdout()).not.toContain("local console");
    noStackTrace(run.stderr());
  });

  it("serves /healthz in HTTP mode on the embedded database (created in the fresh DATA_DIR) and exits 0 on SIGTERM", async () => {
    const slack = await SlackDouble.start();
    cleanups.push(() => slack.close());
    const port = await freePort();
    const dataDir = await tempDir();
    const run = await start({
      SLACK_BOT_TOKEN: "xoxb-1",
      SLACK_SIGNING_SECRET: "s",
      SLACK_API_URL: slack.url,
      PORT: String(port),
      DATA_DIR: dataDir,
    });

    const deadline = Date.now() + 25_000;
    let health: { status: number; body: unknown } | undefined;
    while (Date.now() < deadline) {
      if (run.child.exitCode !== null)
        throw new Error(`exited early (${run.child.exitCode})\nstderr:\n${run.stderr()}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        health = { status: res.status, body: await res.json() };
        if (res.status === 200) break;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(health, `no answer on /healthz\nstderr:\n${run.stderr()}`).toEqual({
      status: 200,
      body: { status: "ok" },
    });

    const sentAt = Date.now();
    run.child.kill("SIGTERM");
    const { code, signal } = await exitOf(run, 5_000);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(Date.now() - sentAt).toBeLessThan(5_000);
    noStackTrace(run.stderr());
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    expect((await stat(path.join(dataDir, "pglite"))).isDirectory()).toBe(true);
  }, 45_000);
});
