// Sends requests to a running Bolt HTTP endpoint exactly as Slack does: signed
// slash-command forms, interaction payloads and Events API envelopes.
import { createHmac, randomBytes } from "node:crypto";

export type Json = any;

export interface SlackHeaders {
  "x-slack-signature": string;
  "x-slack-request-timestamp": string;
  "content-type": string;
}

export interface SimResponse {
  status: number;
  body: Json;
  ms: number;
}

export interface SimUser {
  id: string;
  name?: string;
}

export interface PostOptions {
  /** undefined → a valid signature; null → no signature header; a string → sent as is. */
  signature?: string | null;
  /** Added to the current time for the timestamp header (-360 = six minutes stale). */
  timestampOffsetSec?: number;
  path?: string;
}

export interface CommandOptions {
  channelId?: string;
  channelName?: string;
  triggerId?: string;
  responseUrl?: string;
  timestampOffsetSec?: number;
  signature?: string | null;
}

export interface ActionOptions {
  blockId?: string;
  message?: Json;
  channelId?: string;
  container?: Json;
  view?: Json;
  responseUrl?: string;
  triggerId?: string;
  actionType?: string;
  timestampOffsetSec?: number;
  signature?: string | null;
}

export interface ViewSubmissionOptions {
  privateMetadata?: string;
  viewId?: string;
  blocks?: Json[];
  triggerId?: string;
  timestampOffsetSec?: number;
  signature?: string | null;
}

export interface SlackClientSimOptions {
  /** Origin of the Bolt HTTP receiver, e.g. http://127.0.0.1:3000 */
  baseUrl: string;
  signingSecret: string;
  teamId?: string;
  teamDomain?: string;
  apiAppId?: string;
  /** response_url = responseUrlBase + a fresh id, e.g. `double.responseUrlBase`. */
  responseUrlBase?: string;
  /** Path of Bolt's endpoint; Bolt's default is /slack/events. */
  path?: string;
}

const VERIFICATION_TOKEN = "verification-token";

export function sign(
  secret: string,
  body: string,
  timestamp: number = Math.floor(Date.now() / 1000),
  contentType: string = body.trimStart().startsWith("{") ? "application/json" : "application/x-www-form-urlencoded",
): SlackHeaders {
  const hmac = createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex");
  return {
    "x-slack-signature": `v0=${hmac}`,
    "x-slack-request-timestamp": String(timestamp),
    "content-type": contentType,
  };
}

function randomId(length = 10): string {
  return randomBytes(length).toString("hex").slice(0, length).toUpperCase();
}

function triggerId(): string {
  return `${Date.now()}.${Math.floor(Math.random() * 1e12)}.${randomBytes(16).toString("hex")}`;
}

function nowTs(): string {
  return (Date.now() / 1000).toFixed(6);
}

export class SlackClientSim {
  readonly baseUrl: string;
  readonly signingSecret: string;
  readonly teamId: string;
  readonly teamDomain: string;
  readonly apiAppId: string;
  readonly responseUrlBase: string | undefined;
  readonly path: string;

  constructor(options: SlackClientSimOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.signingSecret = options.signingSecret;
    this.teamId = options.teamId ?? "T1";
    this.teamDomain = options.teamDomain ?? "capacita";
    this.apiAppId = options.apiAppId ?? "A1";
    this.responseUrlBase = options.responseUrlBase;
    this.path = options.path ?? "/slack/events";
  }

  /** A fresh response_url, on the double when `responseUrlBase` is set. */
  newResponseUrl(): string {
    const id = randomId(12);
    return this.responseUrlBase
      ? `${this.responseUrlBase}${id}`
      : `https://hooks.slack.com/commands/${this.teamId}/${Date.now()}/${id}`;
  }

  async post(body: string, contentType: string, options: PostOptions = {}): Promise<SimResponse> {
    const timestamp = Math.floor(Date.now() / 1000) + (options.timestampOffsetSec ?? 0);
    const headers: Record<string, string> = { ...sign(this.signingSecret, body, timestamp, contentType) };
    if (options.signature === null) delete headers["x-slack-signature"];
    else if (options.signature !== undefined) headers["x-slack-signature"] = options.signature;
    const started = performance.now();
    const response = await fetch(`${this.baseUrl}${options.path ?? this.path}`, { method: "POST", headers, body });
    const text = await response.text();
    const ms = performance.now() - started;
    let parsed: Json = text;
    if ((response.headers.get("content-type") ?? "").includes("json") || /^\s*[[{]/.test(text)) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: response.status, body: parsed, ms };
  }

  command(command: string, text: string, user: SimUser, options: CommandOptions = {}): Promise<SimResponse> {
    const channelId = options.channelId ?? "C1";
    const form = new URLSearchParams({
      token: VERIFICATION_TOKEN,
      team_id: this.teamId,
      team_domain: this.teamDomain,
      channel_id: channelId,
      channel_name: options.channelName ?? (channelId.startsWith("D") ? "directmessage" : "general"),
      user_id: user.id,
      user_name: user.name ?? user.id.toLowerCase(),
      command: command.startsWith("/") ? command : `/${command}`,
      text,
      api_app_id: this.apiAppId,
      is_enterprise_install: "false",
      response_url: options.responseUrl ?? this.newResponseUrl(),
      trigger_id: options.triggerId ?? triggerId(),
    });
    return this.post(form.toString(), "application/x-www-form-urlencoded", options);
  }

  action(user: SimUser, actionId: string, value: string, options: ActionOptions = {}): Promise<SimResponse> {
    const channelId = options.channelId ?? "C1";
    const username = user.name ?? user.id.toLowerCase();
    const payload: Json = {
      type: "block_actions",
      user: { id: user.id, username, name: username, team_id: this.teamId },
      api_app_id: this.apiAppId,
      token: VERIFICATION_TOKEN,
      trigger_id: options.triggerId ?? triggerId(),
      team: { id: this.teamId, domain: this.teamDomain },
      enterprise: null,
      is_enterprise_install: false,
      state: { values: {} },
    };
    if (options.view) {
      payload.container = options.container ?? { type: "view", view_id: options.view.id };
      payload.view = options.view;
    } else {
      const ts = options.message?.ts ?? nowTs();
      payload.container = options.container ?? {
        type: "message",
        message_ts: ts,
        channel_id: channelId,
        is_ephemeral: false,
      };
      payload.channel = { id: channelId, name: channelId.startsWith("D") ? "directmessage" : "general" };
      payload.message = options.message ?? {
        type: "message",
        user: "UBOT",
        bot_id: "BBOT",
        team: this.teamId,
        text: "",
        blocks: [],
        ts,
      };
      payload.response_url = options.responseUrl ?? this.newResponseUrl();
    }
    payload.actions = [
      {
        action_id: actionId,
        block_id: options.blockId ?? randomId(5),
        text: { type: "plain_text", text: value, emoji: true },
        value,
        type: options.actionType ?? "button",
        action_ts: nowTs(),
      },
    ];
    return this.postPayload(payload, options);
  }

  viewSubmission(
    user: SimUser,
    callbackId: string,
    values: Record<string, Record<string, object>>,
    options: ViewSubmissionOptions = {},
  ): Promise<SimResponse> {
    const username = user.name ?? user.id.toLowerCase();
    const viewId = options.viewId ?? `V${randomId(10)}`;
    const payload: Json = {
      type: "view_submission",
      team: { id: this.teamId, domain: this.teamDomain },
      user: { id: user.id, username, name: username, team_id: this.teamId },
      api_app_id: this.apiAppId,
      token: VERIFICATION_TOKEN,
      trigger_id: options.triggerId ?? triggerId(),
      view: {
        id: viewId,
        team_id: this.teamId,
        type: "modal",
        blocks: options.blocks ?? [],
        private_metadata: options.privateMetadata ?? "",
        callback_id: callbackId,
        state: { values },
        hash: `${Math.floor(Date.now() / 1000)}.${randomId(8)}`,
        title: { type: "plain_text", text: "Modal", emoji: true },
        clear_on_close: false,
        notify_on_close: false,
        close: null,
        submit: { type: "plain_text", text: "Submit", emoji: true },
        previous_view_id: null,
        root_view_id: viewId,
        app_id: this.apiAppId,
        external_id: "",
        app_installed_team_id: this.teamId,
        bot_id: "BBOT",
      },
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
    return this.postPayload(payload, options);
  }

  event(event: object, options: PostOptions = {}): Promise<SimResponse> {
    const envelope = {
      token: VERIFICATION_TOKEN,
      team_id: this.teamId,
      api_app_id: this.apiAppId,
      event,
      type: "event_callback",
      event_id: `Ev${randomId(10)}`,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [
        { enterprise_id: null, team_id: this.teamId, user_id: "UBOT", is_bot: true, is_enterprise_install: false },
      ],
      is_ext_shared_channel: false,
    };
    return this.post(JSON.stringify(envelope), "application/json", options);
  }

  private postPayload(payload: Json, options: PostOptions): Promise<SimResponse> {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return this.post(body, "application/x-www-form-urlencoded", options);
  }
}
