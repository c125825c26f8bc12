// An in-process fake of the Slack Web API: the tests and the local console point
// SLACK_API_URL at it and read back what the app would have sent to Slack.
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Json = any;

export interface SlackCall {
  /** Web API method (`chat.postMessage`); `upload` for the files upload URL; `response_url` for response URLs. */
  method: string;
  /** Parsed arguments; JSON-string fields (blocks, attachments, view, …) decoded; form values stay strings. */
  args: Record<string, Json>;
  /** Bearer token from the Authorization header, else the `token` argument. */
  token: string | undefined;
  at: number;
  /** Set when the call was refused before Slack acted on it (`failNext`, or a random 429, 500 or dropped request). */
  failed?: true;
  /** The random fault this call met (`randomFaults`). */
  fault?: FaultKind;
  /** Set when Slack acted on the call but its answer never reached the client (fault `answer_lost`). */
  answerLost?: true;
  /** The tag of the base URL the call came through (`urlFor(tag)`): which client sent it. */
  via?: string;
  /** The `<id>` of `/response/<id>` for `response_url` calls. */
  responseId?: string;
  /** What the double answered (e.g. the `ts` of a posted message). */
  result?: Json;
}

export interface SlackFault {
  status?: number;
  headers?: Record<string, string>;
  body?: object;
}

/**
 * Random faults: `ratelimited` (429 with Retry-After) and `server_error` (500) are refused before
 * Slack acts; `dropped` loses the request (held, then the connection is cut with no answer);
 * `answer_lost` acts on the request and then loses the answer the same way — the one fault after
 * which a retry posts the same message twice (Slack has no idempotency key for chat.postMessage).
 */
export type FaultKind = "ratelimited" | "server_error" | "dropped" | "answer_lost";
export const FAULT_KINDS: FaultKind[] = ["ratelimited", "server_error", "dropped", "answer_lost"];

export interface RandomFaults {
  /** The same seed gives the same sequence of decisions (which call meets which depends on arrival order). */
  seed: number;
  /** Probability of each kind per eligible call, e.g. `{ ratelimited: 0.03, answer_lost: 0.02 }`. */
  rates: Partial<Record<FaultKind, number>>;
  /** Methods the faults may hit (default: every Web API method but `auth.test`, and file uploads; never response URLs). */
  methods?: (method: string) => boolean;
  /** Retry-After of a 429, in seconds (default 1). */
  retryAfterSec?: number;
  /** How long a dropped or answer-lost request is held before its connection is cut (default 200 ms); longer than a client's time-out makes it time out first. */
  holdMs?: number;
}

/** A small seeded generator (mulberry32): uniform numbers in [0, 1), the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const defaultFaultable = (method: string) => method === "upload" || (method.includes(".") && method !== "auth.test");

export interface SlackUser {
  id: string;
  /** A deactivated account: posts to it answer `account_inactive`. */
  deleted?: boolean;
  name?: string;
  real_name?: string;
  tz?: string;
  locale?: string;
  is_bot?: boolean;
}

export interface SlackChannel {
  id: string;
  name?: string;
  is_im?: boolean;
  is_private?: boolean;
  user?: string;
}

export interface SlackFile {
  id: string;
  filename: string;
  title: string | undefined;
  content: Buffer;
  channel_id: string | undefined;
  initial_comment: string | undefined;
}

export interface SlackDoubleOptions {
  port?: number;
}

export const BOT_USER_ID = "UBOT";
export const BOT_ID = "BBOT";
export const TEAM_ID = "T1";
export const TEAM_NAME = "capacita";

const JSON_FIELDS = [
  "blocks",
  "attachments",
  "view",
  "files",
  "metadata",
  "unfurls",
  "user_auth_blocks",
  "options",
  "option_groups",
];

type Events = { call: [SlackCall] };

let lastStarted: SlackDouble | undefined;

/** URL of the double's response_url route for `id`; without `on`, the double started last. */
export function responseUrl(id: string, on?: SlackDouble | string): string {
  if (typeof on === "string") return `${on.replace(/\/+$/, "")}/response/${encodeURIComponent(id)}`;
  const double = on ?? lastStarted;
  if (!double) throw new Error("responseUrl: no SlackDouble is running");
  return double.responseUrl(id);
}

export class SlackDouble extends EventEmitter<Events> {
  readonly calls: SlackCall[] = [];
  readonly files: SlackFile[] = [];
  /** Every view opened, pushed, updated or published, by id, as Slack would hold it. */
  readonly views = new Map<string, Json>();

  private readonly users = new Map<string, SlackUser>();
  private readonly channels = new Map<string, SlackChannel>();
  private readonly faults = new Map<string, SlackFault[]>();
  private chaos: { options: RandomFaults; next: () => number } | undefined;
  /** How many random faults of each kind were injected. */
  readonly injected: Record<FaultKind, number> = { ratelimited: 0, server_error: 0, dropped: 0, answer_lost: 0 };
  private tsCounter = 0;
  private idCounter = 0;

  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {
    super();
  }

  static async start(options: SlackDoubleOptions = {}): Promise<SlackDouble> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const double = new SlackDouble(server, `http://127.0.0.1:${port}`);
    server.on("request", (req, res) => {
      double.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ ok: false, error: "double_error", detail: String(error) }));
      });
    });
    lastStarted = double;
    return double;
  }

  /** Base URL for the Web API client's `slackApiUrl`. */
  get url(): string {
    return `${this.origin}/api/`;
  }

  /** A base URL whose calls are recorded with `via: tag`, to tell several clients apart. */
  urlFor(tag: string): string {
    return `${this.origin}/${encodeURIComponent(tag)}/api/`;
  }

  get responseUrlBase(): string {
    return `${this.origin}/response/`;
  }

  responseUrl(id: string): string {
    return `${this.responseUrlBase}${encodeURIComponent(id)}`;
  }

  async close(): Promise<void> {
    if (lastStarted === this) lastStarted = undefined;
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  callsTo(method: string): SlackCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  addUser(user: SlackUser): this {
    this.users.set(user.id, user);
    return this;
  }

  addChannel(channel: SlackChannel): this {
    this.channels.set(channel.id, channel);
    return this;
  }

  /** The next `times` calls to `method` get `response` instead of the normal answer. */
  failNext(method: string, response: SlackFault, times = 1): this {
    const queue = this.faults.get(method) ?? [];
    for (let i = 0; i < times; i++) queue.push(response);
    this.faults.set(method, queue);
    return this;
  }

  /** Marks a user deactivated (posts to them answer `account_inactive`); an unknown id is added so. */
  deactivate(id: string): this {
    this.users.set(id, { ...(this.users.get(id) ?? { id }), deleted: true });
    return this;
  }

  /** Turns random faults on (seeded, see `RandomFaults`), or off with null. Queued `failNext` faults come first. */
  randomFaults(options: RandomFaults | null): this {
    this.chaos = options ? { options, next: seededRandom(options.seed) } : undefined;
    return this;
  }

  /** Forgets calls, files, views, pending and random faults; users and channels stay. */
  reset(): void {
    this.calls.length = 0;
    this.files.length = 0;
    this.views.clear();
    this.faults.clear();
    this.chaos = undefined;
    for (const kind of FAULT_KINDS) this.injected[kind] = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = new URL(req.url ?? "/", this.origin).pathname;
    const contentType = String(req.headers["content-type"] ?? "");
    const bearer = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ""))?.[1];

    const api = /^(?:\/([\w-]+))?\/api\/([\w.]+)$/.exec(path);
    const upload = /^\/upload\/([^/]+)$/.exec(path);
    const response = /^\/response\/([^/]+)$/.exec(path);

    if (req.method === "POST" && upload?.[1]) {
      const fileId = decodeURIComponent(upload[1]);
      const call: SlackCall = { method: "upload", args: { file_id: fileId }, token: bearer, at: Date.now() };
      const fault = this.decide(call, res);
      if (fault === "refused") return;
      const file = this.files.find((f) => f.id === fileId);
      if (!file) return this.finish(call, res, 404, "file_not_found", "text/plain");
      file.content = await uploadedContent(raw, contentType);
      call.args.length = file.content.length;
      if (fault === "answer_lost") return this.loseAnswer(call, res, `OK - ${file.content.length}`);
      return this.finish(call, res, 200, `OK - ${file.content.length}`, "text/plain");
    }

    if (req.method === "POST" && response?.[1]) {
      const id = decodeURIComponent(response[1]);
      const args = await parseArgs(raw, contentType);
      const call: SlackCall = { method: "response_url", args, token: bearer, at: Date.now(), responseId: id };
      const fault = this.decide(call, res);
      if (fault === "refused") return;
      if (fault === "answer_lost") return this.loseAnswer(call, res, { ok: true });
      return this.finish(call, res, 200, { ok: true });
    }

    if (!api?.[2] || (req.method !== "POST" && req.method !== "GET")) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
      return;
    }

    const method = api[2];
    const query = Object.fromEntries(new URL(req.url ?? "/", this.origin).searchParams);
    const args: Record<string, Json> = { ...query, ...(await parseArgs(raw, contentType)) };
    const token = bearer ?? (typeof args.token === "string" ? args.token : undefined);
    delete args.token;
    const call: SlackCall = { method, args, token, at: Date.now() };
    if (api[1]) call.via = decodeURIComponent(api[1]);
    const fault = this.decide(call, res);
    if (fault === "refused") return;
    if (fault === "answer_lost") return this.loseAnswer(call, res, this.answer(method, args));
    return this.finish(call, res, 200, this.answer(method, args));
  }

  /** A queued or random fault for this call: "refused" when it was answered (or dropped) without acting on it. */
  private decide(call: SlackCall, res: ServerResponse): "refused" | "answer_lost" | undefined {
    if (this.fault(call.method, call, res)) return "refused";
    const chaos = this.chaos;
    if (!chaos || !(chaos.options.methods ?? defaultFaultable)(call.method)) return undefined;
    const roll = chaos.next();
    let edge = 0;
    const kind = FAULT_KINDS.find((k) => {
      edge += chaos.options.rates[k] ?? 0;
      return roll < edge;
    });
    if (!kind) return undefined;
    this.injected[kind] += 1;
    call.fault = kind;
    if (kind === "answer_lost") return kind;
    call.failed = true;
    this.record(call);
    if (kind === "dropped") {
      this.cut(res);
      return "refused";
    }
    const status = kind === "ratelimited" ? 429 : 500;
    const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
    if (kind === "ratelimited") headers["retry-after"] = String(chaos.options.retryAfterSec ?? 1);
    res.writeHead(status, headers);
    res.end(JSON.stringify({ ok: false, error: kind === "ratelimited" ? "ratelimited" : "fatal_error" }));
    return "refused";
  }

  /** Acts on the call (its effects are recorded) and then cuts the connection instead of answering. */
  private loseAnswer(call: SlackCall, res: ServerResponse, body: Json): void {
    call.result = body;
    call.answerLost = true;
    this.record(call);
    this.cut(res);
  }

  /** Holds the request, then cuts its connection: to the client, a request that got no answer. */
  private cut(res: ServerResponse): void {
    setTimeout(() => res.socket?.destroy(), this.chaos?.options.holdMs ?? 200);
  }

  private fault(method: string, call: SlackCall, res: ServerResponse): boolean {
    const fault = this.faults.get(method)?.shift();
    if (!fault) return false;
    call.failed = true;
    const status = fault.status ?? 200;
    const body = fault.body ?? { ok: false, error: status === 429 ? "ratelimited" : "fatal_error" };
    this.record(call);
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...fault.headers });
    res.end(JSON.stringify(body));
    return true;
  }

  private finish(call: SlackCall, res: ServerResponse, status: number, body: Json, type = "application/json"): void {
    call.result = body;
    this.record(call);
    res.writeHead(status, { "content-type": `${type}; charset=utf-8` });
    res.end(typeof body === "string" ? body : JSON.stringify(body));
  }

  private record(call: SlackCall): void {
    this.calls.push(call);
    this.emit("call", call);
  }

  private nextTs(): string {
    this.tsCounter += 1;
    const micros = this.tsCounter * 100;
    const seconds = 1_700_000_000 + Math.floor(micros / 1_000_000);
    return `${seconds}.${String(micros % 1_000_000).padStart(6, "0")}`;
  }

  private nextId(prefix: string): string {
    this.idCounter += 1;
    return `${prefix}${String(this.idCounter).padStart(8, "0")}`;
  }

  /** Slack posts to a user id land in that user's DM with the app. */
  private resolveChannel(channel: unknown): string {
    const id = String(channel ?? "");
    return /^[UW]/.test(id) ? `D${id}` : id;
  }

  private userProfile(id: string, includeLocale: boolean): Json {
    const known = this.users.get(id);
    const name = known?.name ?? id.toLowerCase();
    const realName = known?.real_name ?? known?.name ?? `User ${id}`;
    const user: Json = {
      id,
      team_id: TEAM_ID,
      name,
      deleted: known?.deleted ?? false,
      real_name: realName,
      tz: known?.tz ?? "UTC",
      tz_label: known?.tz ?? "UTC",
      tz_offset: 0,
      is_bot: known?.is_bot ?? false,
      is_admin: false,
      profile: { real_name: realName, display_name: name, team: TEAM_ID },
    };
    if (includeLocale) user.locale = known?.locale ?? "en-US";
    return user;
  }

  private channelInfo(id: string): SlackChannel | undefined {
    const known = this.channels.get(id);
    if (known) return known;
    if (/^D[UW]/.test(id)) return { id, is_im: true, user: id.slice(1) };
    return undefined;
  }

  private message(args: Record<string, Json>, ts: string): Json {
    const message: Json = {
      type: "message",
      text: args.text ?? "",
      user: BOT_USER_ID,
      bot_id: BOT_ID,
      team: TEAM_ID,
      ts,
    };
    if (args.blocks !== undefined) message.blocks = args.blocks;
    if (args.attachments !== undefined) message.attachments = args.attachments;
    if (args.thread_ts !== undefined) message.thread_ts = args.thread_ts;
    if (args.metadata !== undefined) message.metadata = args.metadata;
    return message;
  }

  private storeView(args: Record<string, Json>, viewId?: string): Json {
    const id = viewId ?? this.nextId("V");
    const previous = this.views.get(id);
    const given = (args.view ?? {}) as Json;
    const view: Json = {
      id,
      team_id: TEAM_ID,
      type: given.type ?? previous?.type ?? "modal",
      blocks: [],
      private_metadata: "",
      callback_id: "",
      external_id: args.external_id ?? "",
      state: { values: {} },
      hash: `${Date.now()}.${randomBytes(4).toString("hex")}`,
      clear_on_close: false,
      notify_on_close: false,
      previous_view_id: null,
      root_view_id: previous?.root_view_id ?? id,
      app_id: "A1",
      app_installed_team_id: TEAM_ID,
      bot_id: BOT_ID,
      ...given,
    };
    view.id = id;
    this.views.set(id, view);
    return view;
  }

  private answer(method: string, args: Record<string, Json>): Json {
    switch (method) {
      case "api.test":
        return { ok: true, args };
      case "auth.test":
        return {
          ok: true,
          url: `https://${TEAM_NAME}.slack.com/`,
          team: TEAM_NAME,
          user: "capacita",
          team_id: TEAM_ID,
          user_id: BOT_USER_ID,
          bot_id: BOT_ID,
          is_enterprise_install: false,
        };
      case "chat.postMessage": {
        const to = this.resolveChannel(args.channel);
        if (to.startsWith("D") && this.users.get(to.slice(1))?.deleted) return { ok: false, error: "account_inactive" };
        const ts = this.nextTs();
        return { ok: true, channel: to, ts, message: this.message(args, ts) };
      }
      case "chat.postEphemeral":
        return { ok: true, message_ts: this.nextTs() };
      case "chat.update":
        return {
          ok: true,
          channel: args.channel,
          ts: args.ts,
          text: args.text ?? "",
          message: this.message(args, String(args.ts ?? "")),
        };
      case "chat.delete":
        return { ok: true, channel: args.channel, ts: args.ts };
      case "chat.getPermalink":
        return {
          ok: true,
          channel: args.channel,
          permalink: `https://${TEAM_NAME}.slack.com/archives/${args.channel}/p${String(args.message_ts ?? "").replace(".", "")}`,
        };
      case "conversations.open": {
        if (args.channel) return { ok: true, channel: { id: String(args.channel) } };
        const users = String(args.users ?? "")
          .split(",")
          .map((u) => u.trim())
          .filter(Boolean);
        if (users.length === 0) return { ok: false, error: "users_list_not_supplied" };
        const id = users.length === 1 ? `D${users[0]}` : `G${users.join("").slice(0, 10)}`;
        if (!this.channels.has(id)) {
          this.channels.set(id, users.length === 1 ? { id, is_im: true, user: users[0] } : { id, is_private: true });
        }
        return { ok: true, no_op: false, already_open: false, channel: { id } };
      }
      case "conversations.info": {
        const id = String(args.channel ?? "");
        const channel = this.channelInfo(id);
        if (!channel) return { ok: false, error: "channel_not_found" };
        return {
          ok: true,
          channel: {
            is_channel: !channel.is_im && !channel.is_private,
            is_im: channel.is_im ?? false,
            is_private: channel.is_private ?? false,
            is_archived: false,
            is_member: true,
            ...channel,
            name: channel.name ?? (channel.is_im ? undefined : id.toLowerCase()),
          },
        };
      }
      case "users.info": {
        const id = String(args.user ?? "");
        if (!id) return { ok: false, error: "user_not_found" };
        const includeLocale = args.include_locale === true || args.include_locale === "true";
        return { ok: true, user: this.userProfile(id, includeLocale) };
      }
      case "views.open":
      case "views.push":
        return { ok: true, view: this.storeView(args) };
      case "views.update": {
        const byExternal = [...this.views.values()].find(
          (v) => args.external_id !== undefined && v.external_id === args.external_id,
        );
        const id = (args.view_id as string | undefined) ?? byExternal?.id;
        if (id && !this.views.has(id)) return { ok: false, error: "not_found" };
        return { ok: true, view: this.storeView(args, id) };
      }
      case "views.publish": {
        const id = `VHOME${String(args.user_id ?? "")}`;
        return { ok: true, view: this.storeView({ ...args, view: { type: "home", ...args.view } }, id) };
      }
      case "files.getUploadURLExternal": {
        const id = this.nextId("F");
        this.files.push({
          id,
          filename: String(args.filename ?? "file"),
          title: undefined,
          content: Buffer.alloc(0),
          channel_id: undefined,
          initial_comment: undefined,
        });
        return { ok: true, upload_url: `${this.origin}/upload/${id}`, file_id: id };
      }
      case "files.completeUploadExternal": {
        const entries: Json[] = Array.isArray(args.files) ? args.files : [];
        const done: Json[] = [];
        for (const entry of entries) {
          const file = this.files.find((f) => f.id === entry?.id);
          if (!file) return { ok: false, error: "file_not_found" };
          file.title = entry.title ?? file.filename;
          file.channel_id = args.channel_id ?? args.channels;
          file.initial_comment = args.initial_comment;
          done.push({ id: file.id, title: file.title, name: file.filename, size: file.content.length });
        }
        return { ok: true, files: done };
      }
      default:
        return { ok: true };
    }
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function parseArgs(raw: Buffer, contentType: string): Promise<Record<string, Json>> {
  const type = contentType.toLowerCase();
  let args: Record<string, Json> = {};
  if (raw.length === 0) return args;
  if (type.includes("application/json")) {
    const parsed: Json = JSON.parse(raw.toString("utf8"));
    args = parsed && typeof parsed === "object" ? parsed : { body: parsed };
  } else if (type.includes("multipart/form-data")) {
    const form = await new Request("http://double.local/", {
      method: "POST",
      headers: { "content-type": contentType },
      body: raw,
    }).formData();
    for (const [key, value] of form.entries()) {
      args[key] = typeof value === "string" ? value : Buffer.from(await value.arrayBuffer());
    }
  } else {
    args = Object.fromEntries(new URLSearchParams(raw.toString("utf8")));
  }
  for (const key of JSON_FIELDS) {
    const value = args[key];
    if (typeof value === "string" && /^\s*[[{]/.test(value)) {
      try {
        args[key] = JSON.parse(value);
      } catch {
        // not JSON after all: keep the string as sent
      }
    }
  }
  return args;
}

async function uploadedContent(raw: Buffer, contentType: string): Promise<Buffer> {
  if (!contentType.toLowerCase().includes("multipart/form-data")) return raw;
  const args = await parseArgs(raw, contentType);
  const file = Object.values(args).find((value) => Buffer.isBuffer(value));
  if (file) return file as Buffer;
  return typeof args.body === "string" ? Buffer.from(args.body) : raw;
}
