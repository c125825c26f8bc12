// The environment, parsed once with zod (SPEC §2). Bad values stop the process
// with one readable message naming every bad variable.
import path from "node:path";
import { z } from "zod";
import type { DatabaseTarget } from "./core/db.ts";
import { ROOT } from "./core/migrate.ts";

const cron = z.string().regex(/^\s*\S+(\s+\S+){4,5}\s*$/, "a cron expression such as '0 8 * * 1'");

const isZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const slackIds = z
  .string()
  .default("")
  .transform((s) =>
    s
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, "Slack user ids such as U0123ABCD, comma-separated")));

export const envSchema = z
  .object({
    SLACK_BOT_TOKEN: z.string().startsWith("xoxb-", "a bot token starting with xoxb-").optional(),
    SLACK_APP_TOKEN: z.string().startsWith("xapp-", "an app-level token starting with xapp-").optional(),
    SLACK_SIGNING_SECRET: z.string().min(1).optional(),
    SLACK_API_URL: z.url({ message: "a URL such as https://slack.com/api/" }).default("https://slack.com/api/"),
    PORT: z.coerce.number({ message: "a port number (1-65535)" }).int().min(0).max(65535).default(3000),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "a PostgreSQL URL such as postgresql://user@host:5432/db")
      .optional(),
    DATA_DIR: z.string().default(path.join(ROOT, "data")),
    APP_TIMEZONE: z.string().refine(isZone, "an IANA time zone such as Europe/Madrid").default("UTC"),
    DEFAULT_LOCALE: z.enum(["es", "en"], { message: "es or en" }).default("es"),
    ADMIN_USER_IDS: slackIds,
    DIGEST_CRON: cron.default("0 8 * * 1"),
    FOLLOWUP_CRON: cron.default("0 9 * * *"),
    FOLLOWUP_DAYS: z
      .string()
      .default("7,30,60,90")
      .transform((s) => s.split(",").map((x) => Number(x.trim())))
      .pipe(z.array(z.number().int().positive()).min(1, "comma-separated day numbers such as 7,30,60,90")),
    REMINDER_MINUTES: z.coerce.number({ message: "a number of minutes" }).int().min(1).max(10080).default(60),
    ADMIN_CHANNEL: z
      .string()
      .regex(/^[CG][A-Z0-9]{2,}$/, "a channel id such as C0123ABCD")
      .optional(),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error"], { message: "debug, info, warn or error" }).default("info"),
    NODE_ENV: z.string().optional(),
    /** Tests only: the clock starts at this instant and the parent process may move it (src/main.ts). */
    CAPACITA_TEST_CLOCK: z.iso
      .datetime({ offset: true, message: "an ISO instant such as 2026-03-02T07:00:00+01:00" })
      .transform((s) => new Date(s))
      .optional(),
  })
  .superRefine((env, ctx) => {
    if (env.CAPACITA_TEST_CLOCK && env.NODE_ENV !== "test") {
      ctx.addIssue({
        code: "custom",
        path: ["CAPACITA_TEST_CLOCK"],
        message: "to be unset: a moved clock is for tests only (NODE_ENV=test)",
      });
    }
    if (env.SLACK_BOT_TOKEN && !env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["SLACK_SIGNING_SECRET"],
        message: "required in HTTP mode (when SLACK_APP_TOKEN is not set): the app's signing secret",
      });
    }
  });

export type Config = z.infer<typeof envSchema>;

export class ConfigError extends Error {}

/** Empty strings count as unset, as in most .env tooling. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => {
    const name = String(i.path[0] ?? "environment");
    const got = cleaned[name];
    return `  ${name}${got === undefined || name.includes("TOKEN") || name.includes("SECRET") ? "" : ` (got "${got}")`}: expected ${i.message}`;
  });
  throw new ConfigError(`capacita: invalid configuration\n${lines.join("\n")}`);
}

export function mode(config: Config): "socket" | "http" | "console" {
  if (!config.SLACK_BOT_TOKEN) return "console";
  return config.SLACK_APP_TOKEN ? "socket" : "http";
}

export function databaseTarget(config: Config): DatabaseTarget {
  return config.DATABASE_URL
    ? { kind: "postgres", url: config.DATABASE_URL }
    : { kind: "embedded", dataDir: path.join(config.DATA_DIR, "pglite") };
}
