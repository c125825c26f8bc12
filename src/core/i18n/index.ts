import { en } from "./en.ts";
import { es, type MessageKey } from "./es.ts";

export type Locale = "es" | "en";
export type { MessageKey };
export type Vars = Record<string, string | number>;

const catalogs: Record<Locale, Record<MessageKey, string>> = { es, en };

const plurals: Record<Locale, Intl.PluralRules> = { es: new Intl.PluralRules("es"), en: new Intl.PluralRules("en") };

/**
 * Fills `{name}` with its value and `{name|one|other}` with the word that agrees with
 * the number in `name` ("1 día", "2 días"), by the language's own plural rules.
 */
export function t(locale: Locale, key: MessageKey, vars: Vars = {}): string {
  return catalogs[locale][key]
    .replace(/\{(\w+)\|([^|{}]*)\|([^|{}]*)\}/g, (m, name: string, one: string, other: string) =>
      name in vars ? (plurals[locale].select(Number(vars[name])) === "one" ? one : other) : m,
    )
    .replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** Slack locales look like "es-ES" or "en-US"; anything else gets the office default. */
export function pickLocale(slackLocale: string | null | undefined, fallback: Locale): Locale {
  const lang = slackLocale?.slice(0, 2).toLowerCase();
  return lang === "es" || lang === "en" ? lang : fallback;
}

/** A translator bound to one reader. */
export type T = (key: MessageKey, vars?: Vars) => string;
export const translator =
  (locale: Locale): T =>
  (key, vars) =>
    t(locale, key, vars);
