// Real app processes (`node --import tsx src/main.ts`) for the tests that need several: each is
// ready once it logs its port, stops gracefully (SIGTERM) or dies (SIGKILL), and, started with a
// test clock, follows the clock the test moves over IPC (src/main.ts, CAPACITA_TEST_CLOCK).
import { type ChildProcess, spawn } from "node:child_process";
import { ROOT } from "../../src/core/migrate.ts";

export interface AppProcess {
  name: string;
  proc: ChildProcess;
  /** Everything it wrote (its JSON log lines), stdout and stderr together. */
  lines: string[];
  port: number | undefined;
  /** The port, once the app says it is running; rejects when it exits first. */
  ready: Promise<number>;
  /** Moves its clock to `at` and runs its minutely tick; resolves with the run keys it did. */
  moveClock(at: Date): Promise<string[]>;
  /** SIGTERM, then SIGKILL after `graceMs` if it has not exited; or SIGKILL at once. */
  stop(signal?: "SIGTERM" | "SIGKILL", graceMs?: number): Promise<void>;
  running(): boolean;
}

export interface AppProcessOptions {
  /** The clock starts here and the test moves it (NODE_ENV=test, an IPC channel). */
  clock?: Date;
}

/** Starts the app in HTTP mode with only PATH, HOME and `env` in its environment (PORT 0: a free port). */
export function startAppProcess(name: string, env: Record<string, string>, opts: AppProcessOptions = {}): AppProcess {
  const clockEnv: Record<string, string> = opts.clock
    ? { NODE_ENV: "test", CAPACITA_TEST_CLOCK: opts.clock.toISOString() }
    : {};
  const proc = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: "0", LOG_LEVEL: "info", ...env, ...clockEnv },
    stdio: opts.clock ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let onPort: (port: number) => void = () => {};
  const ready = new Promise<number>((resolve, reject) => {
    onPort = resolve;
    proc.once("exit", (code, signal) =>
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${lines.join("\n")}`)),
    );
  });
  ready.catch(() => {});
  const child: AppProcess = {
    name,
    proc,
    lines,
    port: undefined,
    ready,
    moveClock: (at) => moveClock(child, at),
    stop: (signal, graceMs) => stop(child, signal, graceMs),
    running: () => proc.exitCode === null && proc.signalCode === null,
  };
  for (const stream of [proc.stdout, proc.stderr]) {
    let rest = "";
    stream?.on("data", (chunk: Buffer) => {
      const parts = (rest + chunk.toString("utf8")).split("\n");
      rest = parts.pop() ?? "";
      for (const line of parts) {
        lines.push(line);
        const port = /"msg":"capacita running in http mode".*"port":(\d+)/.exec(line)?.[1];
        if (port) {
          child.port = Number(port);
          onPort(child.port);
        }
      }
    });
  }
  return child;
}

let moves = 0;

function moveClock(child: AppProcess, at: Date): Promise<string[]> {
  const id = ++moves;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`${child.name}: no answer to the clock move to ${at.toISOString()}`)),
      60_000,
    );
    const onMessage = (m: { type?: string; id?: number; ran?: string[]; error?: string }) => {
      if (m?.type !== "clock" || m.id !== id) return;
      done(m.error ? new Error(`${child.name}: ${m.error}`) : undefined, m.ran ?? []);
    };
    const onExit = () => done(new Error(`${child.name} exited during a clock move`));
    function done(error?: Error, ran: string[] = []) {
      clearTimeout(timer);
      child.proc.off("message", onMessage);
      child.proc.off("exit", onExit);
      if (error) reject(error);
      else resolve(ran);
    }
    child.proc.on("message", onMessage);
    child.proc.once("exit", onExit);
    child.proc.send({ type: "clock", id, at: at.toISOString() });
  });
}

async function stop(child: AppProcess, signal: "SIGTERM" | "SIGKILL" = "SIGTERM", graceMs = 10_000): Promise<void> {
  if (!child.running()) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.proc.kill("SIGKILL"), graceMs);
    child.proc.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.proc.kill(signal);
  });
}

/** The run keys logged as done ("job run") in these log lines (a process's, or a test app's). */
export function runsLogged(lines: string[]): string[] {
  return lines.flatMap((line) => {
    const m = /"msg":"job run","key":"([^"]+)"/.exec(line);
    return m ? [m[1] as string] : [];
  });
}
