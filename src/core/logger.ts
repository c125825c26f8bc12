// A small structured logger; secrets never reach it (tokens are not logged anywhere).
export type Level = "debug" | "info" | "warn" | "error";
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: object): void;
  info(msg: string, fields?: object): void;
  warn(msg: string, fields?: object): void;
  error(msg: string, fields?: object): void;
}

// Bot, user, app, refresh (xoxe-, also xoxe.xoxp-), legacy session (xoxs-) and app-level (xapp-) tokens.
const SECRET = /(xox[abeprs][.-][\w.-]+|xapp-[\w-]+)/g;

export function createLogger(
  level: Level,
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Logger {
  const log = (l: Level) => (msg: string, fields?: object) => {
    if (order[l] < order[level]) return;
    const line = JSON.stringify({ level: l, time: new Date().toISOString(), msg, ...fields });
    write(line.replace(SECRET, "[redacted]"));
  };
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}
