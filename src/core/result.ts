import type { MessageKey, Vars } from "./i18n/index.ts";

/** Errors users can cause are values: a message key and its variables. Only bugs throw. */
export type Failure = { ok: false; key: MessageKey; vars?: Vars };
export type Result<T> = { ok: true; value: T } | Failure;

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (key: MessageKey, vars?: Vars): Failure => ({ ok: false, key, vars });
