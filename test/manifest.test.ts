import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import ajvFormats from "ajv-formats";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

// Validates manifest.yml against Slack's published JSON Schema
// (slackapi/manifest-schema), kept in ../shared/schemas/slack-manifest/
// beside the repository clone.

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const schemaDir = path.resolve(repoRoot, "..", "shared", "schemas", "slack-manifest");
const manifestPath = path.join(repoRoot, "manifest.yml");

// manifest.schema.json dispatches on _metadata.major_version with $refs to
// these absolute URLs; the versioned files have no $id of their own, so they
// are registered under the URLs the dispatcher refers to.
const SCHEMA_BASE = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/";
const VERSIONED_SCHEMAS = ["manifest.schema.1.0.0.json", "manifest.schema.2.0.0.json"];

const EXPECTED_COMMANDS = ["/ask", "/capacita", "/faq", "/followup", "/kpi", "/newhire", "/signin", "/training"];

const EXPECTED_BOT_SCOPES = [
  "channels:read",
  "chat:write",
  "chat:write.public",
  "commands",
  "files:write",
  "groups:read",
  "im:write",
  "users:read",
];

// The schema declares this with a non-standard `regex` keyword, which no
// validator enforces, so the test checks it itself.
const BACKGROUND_COLOR = /^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/;

type SlashCommand = {
  command: string;
  description?: string;
  usage_hint?: string;
  url?: string;
  should_escape?: boolean;
};

type Manifest = {
  _metadata?: { major_version?: number; minor_version?: number };
  display_information: { name: string; description?: string; background_color?: string };
  features?: {
    bot_user?: { display_name: string; always_online?: boolean };
    app_home?: {
      home_tab_enabled?: boolean;
      messages_tab_enabled?: boolean;
      messages_tab_read_only_enabled?: boolean;
    };
    slash_commands?: SlashCommand[];
  };
  oauth_config?: { scopes?: { bot?: unknown[]; user?: unknown[] } };
  settings?: {
    event_subscriptions?: { request_url?: string; bot_events?: string[]; user_events?: string[] };
    interactivity?: { is_enabled: boolean; request_url?: string };
    org_deploy_enabled?: boolean;
    socket_mode_enabled?: boolean;
    token_rotation_enabled?: boolean;
  };
};

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(schemaDir, file), "utf8")) as Record<string, unknown>;
}

function compileManifestSchema(): ValidateFunction {
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    // The Slack schema puts minItems on string items and lists 'required'
    // properties inside a 'not' without declaring them: legal, but not strict.
    strictTypes: false,
    strictRequired: false,
  });
  // ajv-formats is CommonJS (`module.exports = plugin; exports.default = plugin`):
  // under NodeNext the default import is typed as the module object.
  ajvFormats.default(ajv);
  // Annotations used by the Slack schema that are not JSON Schema keywords.
  ajv.addVocabulary(["regex", "_note"]);
  for (const file of VERSIONED_SCHEMAS) {
    ajv.addSchema(readJson(file), SCHEMA_BASE + file);
  }
  return ajv.compile(readJson("manifest.schema.json"));
}

// oneOf in manifest.schema.json reports the same error once per branch that
// refers to the 1.0.0 schema, so repeated lines are dropped.
function formatErrors(errors: ErrorObject[] | null | undefined): string {
  const lines = (errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`);
  return [...new Set(lines)].join("\n");
}

function loadManifest(): Manifest {
  return parse(readFileSync(manifestPath, "utf8")) as Manifest;
}

describe("manifest.yml", () => {
  let validate: ValidateFunction;
  let manifest: Manifest;

  beforeAll(() => {
    validate = compileManifestSchema();
    manifest = loadManifest();
  });

  it("validates against Slack's manifest JSON Schema", () => {
    const ok = validate(manifest);
    expect(ok, formatErrors(validate.errors)).toBe(true);
    expect(manifest.display_information.background_color).toMatch(BACKGROUND_COLOR);
  });

  it("declares exactly the eight slash commands, each described with a usage hint", () => {
    const commands = manifest.features?.slash_commands ?? [];
    expect(commands.map((c) => c.command).sort()).toEqual(EXPECTED_COMMANDS);
    for (const c of commands) {
      expect(c.description, c.command).toBeTruthy();
      expect(c.usage_hint, c.command).toBeTruthy();
      expect(c.should_escape, c.command).toBe(true);
      expect(c.url, c.command).toBe("https://example.com/slack/events");
    }
  });

  it("requests exactly the bot scopes the code uses, and no user scopes", () => {
    const bot = manifest.oauth_config?.scopes?.bot ?? [];
    expect(new Set(bot).size).toBe(bot.length);
    expect([...bot].sort()).toEqual(EXPECTED_BOT_SCOPES);
    expect(manifest.oauth_config?.scopes?.user ?? []).toEqual([]);
  });

  it("runs in Socket Mode with interactivity, App Home and app_home_opened", () => {
    const settings = manifest.settings;
    expect(settings?.socket_mode_enabled).toBe(true);
    expect(settings?.org_deploy_enabled).toBe(false);
    expect(settings?.token_rotation_enabled).toBe(false);
    expect(settings?.interactivity?.is_enabled).toBe(true);
    expect(settings?.event_subscriptions?.bot_events).toContain("app_home_opened");
    expect(manifest.features?.app_home).toEqual({
      home_tab_enabled: true,
      messages_tab_enabled: true,
      messages_tab_read_only_enabled: false,
    });
    expect(manifest.features?.bot_user).toEqual({ display_name: "capacita", always_online: true });
  });

  describe("schema catches broken manifests", () => {
    it("rejects a slash command without a description", () => {
      const broken = loadManifest();
      const signin = broken.features?.slash_commands?.find((c) => c.command === "/signin");
      expect(signin).toBeDefined();
      delete signin?.description;
      expect(validate(broken)).toBe(false);
      expect(formatErrors(validate.errors)).toContain("description");
    });

    it("rejects a scope that is not a string", () => {
      const broken = loadManifest();
      broken.oauth_config?.scopes?.bot?.push({ scope: "users:read" });
      expect(validate(broken)).toBe(false);
      expect(formatErrors(validate.errors)).toContain("/oauth_config/scopes/bot/");
    });

    it("rejects an unknown settings field", () => {
      const broken = loadManifest();
      (broken.settings as Record<string, unknown>).socket_mode = true;
      expect(validate(broken)).toBe(false);
    });
  });
});
