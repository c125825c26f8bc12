// The local console (SPEC §9) driven in-process: lines typed in, readable Slack output read back.
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.ts";
import { runConsole } from "../../src/console/index.ts";
import { createLogger } from "../../src/core/logger.ts";
import { BACKENDS, freshTarget } from "../kit/db.ts";

describe.each(BACKENDS)("local console (%s)", (backend) => {
  const input = new PassThrough();
  const output = new PassThrough();
  const logs: string[] = [];
  let text = "";
  let seen = 0;
  let running: Promise<void> | undefined;
  let finished = false;

  /** Waits until `expected` appears in what the console printed since the last wait; returns that stretch. */
  async function until(expected: string, ms = 10_000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const at = text.indexOf(expected, seen);
      if (at >= 0) {
        const chunk = text.slice(seen, at + expected.length);
        seen = at + expected.length;
        return chunk;
      }
      if (Date.now() > deadline)
        throw new Error(
          `no "${expected}" within ${ms} ms; new output:\n${text.slice(seen)}\nlogs:\n${logs.join("\n")}`,
        );
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Types one line, then waits for `expected` and returns the output up to it. */
  async function type(line: string, expected: string): Promise<string> {
    input.write(`${line}\n`);
    return until(expected);
  }

  beforeAll(async () => {
    output.on("data", (d: Buffer) => {
      text += d.toString();
    });
    const target = await freshTarget(backend);
    running = runConsole({
      config: parseConfig({}),
      target,
      logger: createLogger("error", (line) => logs.push(line)),
      input,
      output,
      terminal: false,
    }).finally(() => {
      finished = true;
    });
    running.catch(() => {}); // asserted in the last test; keeps a startup failure from going unhandled
  });

  afterAll(async () => {
    if (!finished) input.end(); // a failed test left the console running: end its input so it closes
    await running?.catch(() => {});
  });

  it("prints the banner and who you are", async () => {
    // Starting is not what is measured here: a loaded machine may take a while to open the database.
    await until("local console", 25_000);
    await until("You are @ana (UANA)");
    expect(text).toContain("Type :help for help, /capacita to start.");
  });

  it("seeds demo people of every role", async () => {
    const who = await type(":who", "USOFIA  @sofia  staff"); // the last person, by id
    expect(who).toContain("* UANA  @ana  admin");
    expect(who).toContain("  ULUIS  @luis  trainer");
    expect(who).toContain("  UMARTA  @marta  manager");
    expect(who).toContain("  UPEDRO  @pedro  staff");
    expect(who).toContain("  UJOHN  @john  staff");
  });

  it("answers /capacita with the Spanish help for the default admin", async () => {
    input.write("/capacita\n");
    const reply = await until("/capacita role");
    expect(reply).toContain("reply (only you see this)");
    expect(reply).toContain("Hola @ana. Tu rol es *administrador*");
    expect(reply).not.toContain("<@UANA>");
  });

  it("refuses /capacita role to a staff member", async () => {
    await type(":user pedro", "Now acting as @pedro (UPEDRO).");
    const reply = await type("/capacita role @sofia admin", "No tienes permiso");
    expect(reply).toContain("reply (only you see this)");
    const who = await type(":who", "USOFIA  @sofia  staff"); // the last person, by id
    expect(who).toContain("* UPEDRO  @pedro  staff");
    expect(who).toContain("  UANA  @ana  admin");
  });

  it("lets the admin give sofia the trainer role, rendering the mention as @sofia", async () => {
    await type(":user ana", "Now acting as @ana (UANA).");
    const reply = await type("/capacita role @sofia trainer", "@sofia ahora tiene el rol *formador*");
    expect(reply).not.toContain("<@USOFIA>");
    const who = await type(":who", "USOFIA  @sofia  trainer");
    expect(who).toContain("* UANA  @ana  admin");
  });

  it("answers john in English", async () => {
    await type(":user john", "Now acting as @john (UJOHN).");
    const reply = await type("/capacita", "Your role is *staff*");
    expect(reply).toContain("Hi @john.");
  });

  it("hints at what to type for an unknown line and a button number with no button", async () => {
    await type("hola qué tal", "Type a slash command (/capacita), a button number, or :help.");
    await type("7", "No button with that number.");
  });

  it("ends on :quit, closing cleanly with no error logged", async () => {
    input.write(":quit\n");
    await expect(running).resolves.toBeUndefined();
    expect(finished).toBe(true);
    expect(text).not.toMatch(/^error:/m);
    expect(logs).toEqual([]);
  });
});
