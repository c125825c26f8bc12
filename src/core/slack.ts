// What every feature's listeners share: the acting person, the role guard,
// private replies and the parsing of Slack's escaped mentions.
import type { AllMiddlewareArgs, AnyMiddlewareArgs, Middleware } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { Config } from "../config.ts";
import { findPeople, type Person, type Profile, profileIsStale, savePeople } from "../people/service.ts";
import { groupCommit } from "./batch.ts";
import type { Clock } from "./clock.ts";
import type { Db } from "./db.ts";
import { type Locale, pickLocale, type T, translator } from "./i18n/index.ts";
import type { Logger } from "./logger.ts";
import { can, PERMISSIONS, type Permission, type Role } from "./roles.ts";
import type { Router } from "./router.ts";

/** What every listener may use. */
export interface Deps {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Delivers what was just stored in the outbox (src/core/outbox.ts). */
  outbox: { poke(): void };
}

export interface Actor {
  id: string;
  role: Role;
  locale: Locale;
  tz: string | null;
  t: T;
}

export function actorOf(context: AllMiddlewareArgs["context"]): Actor {
  return context.actor as Actor;
}

function userIdOf(body: Record<string, unknown>): string | undefined {
  if (typeof body.user_id === "string") return body.user_id;
  const user = body.user as { id?: string } | string | undefined;
  if (typeof user === "string") return user;
  if (user?.id) return user.id;
  const event = body.event as { user?: string | { id?: string } } | undefined;
  if (typeof event?.user === "string") return event.user;
  return event?.user?.id;
}

async function fetchProfile(client: WebClient, id: string, logger: Logger) {
  try {
    const res = await client.users.info({ user: id, include_locale: true });
    const u = res.user;
    return { name: u?.name, realName: u?.real_name ?? u?.profile?.real_name, tz: u?.tz, locale: u?.locale };
  } catch (e) {
    logger.warn("users.info failed", { user: id, error: (e as Error).message });
    return null;
  }
}

/**
 * People seen in the last few seconds, so a burst of sign-ins does not read the same
 * rows again and again. Role changes made here clear the entry at once; one made by
 * another app process shows within ACTOR_TTL_MS.
 */
const ACTOR_TTL_MS = 5_000;
type ActorCache = Map<string, { person: Person; at: number }>;
/** One cache per app (tests and the console run several apps in one process). */
const caches = new Set<ActorCache>();

export function forgetActor(id: string): void {
  for (const cache of caches) cache.delete(id);
}

function remember(cache: ActorCache, person: Person): Person {
  if (cache.size > 10_000) cache.clear();
  cache.set(person.id, { person, at: Date.now() });
  return person;
}

/** Loads the acting person (learning new people from users.info) into context.actor. */
export function actorMiddleware(deps: Deps): Middleware<AnyMiddlewareArgs> {
  const { db, clock, config, logger } = deps;
  // People looked up while a lookup is running share the next query (bursts of sign-ins).
  const loader = groupCommit<string, Person | null>((ids) => findPeople(db, ids), 500);
  // New people's profiles, saved together; one users.info per person however many requests they send.
  const saver = groupCommit<{ id: string; profile: Profile | null }, Person>((e) => savePeople(db, clock, e), 500);
  const learning = new Map<string, Promise<Person>>();
  const learn = (client: WebClient, id: string): Promise<Person> => {
    let learnt = learning.get(id);
    if (!learnt) {
      learnt = within(fetchProfile(client, id, logger), 1500, null)
        .then((profile) => saver.load({ id, profile }))
        .finally(() => learning.delete(id));
      learning.set(id, learnt);
    }
    return learnt;
  };
  const cache: ActorCache = new Map();
  caches.add(cache);
  const cachedPerson = async (id: string): Promise<Person | null> => {
    const hit = cache.get(id);
    if (hit && Date.now() - hit.at < ACTOR_TTL_MS) return hit.person;
    const person = await loader.load(id);
    return person ? remember(cache, person) : null;
  };
  return async ({ body, client, context, next }) => {
    dropNul(body);
    const id = userIdOf(body as unknown as Record<string, unknown>);
    if (!id) return next();
    let person = await cachedPerson(id);
    if (!person) person = remember(cache, await learn(client, id));
    else if (profileIsStale(person, clock)) {
      // Known people answer from what we have; the refresh happens beside the request, once.
      remember(cache, { ...person, syncedAt: clock.now() });
      void fetchProfile(client, id, logger)
        .then(async (profile) => profile && remember(cache, await saver.load({ id, profile })))
        .catch(() => {});
    }
    const locale = pickLocale(person.locale, config.DEFAULT_LOCALE);
    context.actor = { id, role: person.role, locale, tz: person.tz, t: translator(locale) } satisfies Actor;
    await next();
  };
}

/**
 * PostgreSQL text cannot hold U+0000: a crafted request carrying one (Slack itself sends none)
 * would make the first write fail. Every string of every request loses it here, in place, before
 * any listener reads the command, action or view (they are parts of this same body).
 */
export function dropNul(value: unknown, depth = 0): void {
  if (depth > 32 || value === null || typeof value !== "object") return;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const v = record[key];
    if (typeof v === "string") {
      if (v.includes("\u0000")) record[key] = v.replaceAll("\u0000", "");
    } else dropNul(v, depth + 1);
  }
}

/** What `p` gives within `ms`, else `otherwise` (`p` goes on, its result unused). */
export async function within<X, Y>(p: Promise<X>, ms: number, otherwise: Y): Promise<X | Y> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Y>((resolve) => {
    timer = setTimeout(() => resolve(otherwise), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The refusal a person without the permission reads, or null when allowed. */
export function refusal(actor: Actor, permission: Permission): string | null {
  if (can(actor.role, permission)) return null;
  const roles = PERMISSIONS[permission].map((r) => actor.t(`role.${r}`)).join(" / ");
  return actor.t("error.forbidden", { roles, role: actor.t(`role.${actor.role}`) });
}

export interface EphemeralReply {
  response_type: "ephemeral";
  text: string;
  blocks?: unknown[];
}

export const ephemeral = (text: string, blocks?: unknown[]): EphemeralReply => ({
  response_type: "ephemeral",
  text,
  ...(blocks ? { blocks } : {}),
});

/** `<@U123|ana>` (escaped by Slack), `<@U123>` or a bare `U123`. */
export function parseUserMention(token: string | undefined): string | null {
  const m = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(token ?? "") ?? /^([UW][A-Z0-9]{2,})$/.exec(token ?? "");
  return m?.[1] ?? null;
}

/** `<#C123|general>`, `<#C123>` or a bare `C123`. */
export function parseChannelMention(token: string | undefined): string | null {
  const m = /^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(token ?? "") ?? /^([CG][A-Z0-9]{2,})$/.exec(token ?? "");
  return m?.[1] ?? null;
}

/** Slack escapes &, < and > in command text; mentions stay as <@…>. */
export function unescapeText(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** Splits command text into words, keeping Slack's <…> mentions whole. */
export function words(text: string): string[] {
  return text.trim().split(/\s+/).filter(Boolean);
}

export type Register = (routes: Router, deps: Deps) => void;
