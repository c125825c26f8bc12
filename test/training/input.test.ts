// The zod edge for training input, without a database or Slack: the one-line command and the modal fields.
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { issueKey } from "../../src/core/parse.ts";
import { type NewSessionFields, newSessionSchema, splitOneLine, toNewSession } from "../../src/training/input.ts";

const ZONE = "Europe/Madrid";
const schema = newSessionSchema(ZONE);

const valid: NewSessionFields = {
  title: "Product: Hogar Plus",
  when: "2026-12-03 09:30",
  minutes: "90",
  channel: "<#C0TRAINING|training>",
};

function errorKey(fields: Partial<NewSessionFields>): string | null {
  const parsed = schema.safeParse({ ...valid, ...fields });
  return parsed.success ? null : issueKey(parsed.error);
}

describe("newSessionSchema (office zone Europe/Madrid)", () => {
  it("accepts a valid line and reads the time as office time", () => {
    const parsed = schema.parse(splitOneLine("Product: Hogar Plus | 2026-12-03 09:30 | 90 | <#C0TRAINING|training>"));
    expect(parsed.title).toBe("Product: Hogar Plus");
    // December: Madrid is UTC+1.
    expect(parsed.when.toISOString()).toBe("2026-12-03T08:30:00.000Z");
    expect(parsed.minutes).toBe(90);
    expect(parsed.channel).toBe("C0TRAINING");
    expect(parsed.place).toBeNull();
    expect(parsed.kind).toBe("other");
    expect(parsed.capacity).toBeUndefined();
    expect(parsed.description).toBeNull();
    expect(toNewSession(parsed)).toEqual({
      title: "Product: Hogar Plus",
      kind: "other",
      startsAt: new Date("2026-12-03T08:30:00.000Z"),
      durationMin: 90,
      place: null,
      channelId: "C0TRAINING",
      capacity: null,
      description: null,
    });
  });

  it("refuses a time inside the spring-forward gap", () => {
    expect(errorKey({ when: "2026-03-29 02:30" })).toBe("training.error.when");
    // Either side of the gap is fine.
    expect(schema.parse({ ...valid, when: "2026-03-29 01:59" }).when.toISOString()).toBe("2026-03-29T00:59:00.000Z");
    expect(schema.parse({ ...valid, when: "2026-03-29 03:00" }).when.toISOString()).toBe("2026-03-29T01:00:00.000Z");
  });

  it("accepts a time in the fall-back overlap (it happens twice; one of them is taken)", () => {
    const at = schema.parse({ ...valid, when: "2026-10-25 02:30" }).when;
    expect(["2026-10-25T00:30:00.000Z", "2026-10-25T01:30:00.000Z"]).toContain(at.toISOString());
    expect(DateTime.fromJSDate(at, { zone: ZONE }).toFormat("yyyy-MM-dd HH:mm")).toBe("2026-10-25 02:30");
  });

  it.each([
    ["empty", ""],
    ["only spaces", "   "],
    ["151 characters", "x".repeat(151)],
  ])("refuses a title that is %s", (_, title) => {
    expect(errorKey({ title })).toBe("training.error.title");
  });

  it("accepts a title of exactly 150 characters", () => {
    expect(errorKey({ title: "x".repeat(150) })).toBeNull();
  });

  it.each(["2026-13-45 10:00", "2026-02-30 10:00", "25:99", "2026-12-03 25:99", "mañana", ""])(
    "refuses the date and time %j",
    (when) => {
      expect(errorKey({ when })).toBe("training.error.when");
    },
  );

  it.each(["-30", "0", "4", "🎉", "601", "1.5", "", "90 min"])("refuses the duration %j", (minutes) => {
    expect(errorKey({ minutes })).toBe("training.error.minutes");
  });

  it.each([
    ["5", 5],
    ["600", 600],
    [" 45 ", 45],
  ])("accepts the duration %j", (minutes, expected) => {
    expect(schema.parse({ ...valid, minutes }).minutes).toBe(expected);
  });

  it.each(["#nope", "training", "<@U123>", ""])("refuses the channel %j", (channel) => {
    expect(errorKey({ channel })).toBe("error.channelMention");
  });

  it("refuses an unknown kind and accepts the known ones however they are typed", () => {
    expect(errorKey({ kind: "party" })).toBe("training.error.kind");
    expect(schema.parse({ ...valid, kind: "Sales Skills" }).kind).toBe("sales-skills");
    expect(schema.parse({ ...valid, kind: "pre_director" }).kind).toBe("pre-director");
    expect(schema.parse({ ...valid, kind: "" }).kind).toBe("other");
  });

  it("refuses a bad capacity and reads a blank one as no limit", () => {
    expect(errorKey({ capacity: "0" })).toBe("training.error.capacity");
    expect(errorKey({ capacity: "many" })).toBe("training.error.capacity");
    expect(schema.parse({ ...valid, capacity: "  " }).capacity).toBeUndefined();
    expect(schema.parse({ ...valid, capacity: "12" }).capacity).toBe(12);
  });

  it("strips control characters from titles and keeps everything else", () => {
    expect(schema.parse({ ...valid, title: "Hogar\u0000 Plus\u0007\u001b\u007f" }).title).toBe("Hogar Plus");
    // A title is one line: newlines and tabs become single spaces.
    expect(schema.parse({ ...valid, title: "Hogar\r\nPlus\t2026" }).title).toBe("Hogar Plus 2026");
    expect(schema.parse({ ...valid, title: "Hogar\u0085Plus\u009b" }).title).toBe("HogarPlus");
    // A title of nothing but control characters is empty.
    expect(errorKey({ title: "\u0001\u0002\n" })).toBe("training.error.title");
  });

  it("keeps emoji in titles, joined sequences included", () => {
    const title = "🎉 Bienvenida 👩‍💼 Año nuevo 🇪🇸";
    expect(schema.parse({ ...valid, title }).title).toBe(title);
  });

  it("keeps line breaks in descriptions", () => {
    expect(schema.parse({ ...valid, description: "Bring:\n- laptop\u0000" }).description).toBe("Bring:\n- laptop");
  });
});

describe("splitOneLine", () => {
  const head = "Hogar Plus | 2026-12-03 09:30 | 90 | <#C0TRAINING|training>";

  it("splits the four required parts", () => {
    expect(splitOneLine(head)).toEqual({
      title: "Hogar Plus",
      when: "2026-12-03 09:30",
      minutes: "90",
      channel: "<#C0TRAINING|training>",
      place: undefined,
      kind: undefined,
    });
  });

  it("reads a lone 5th part that names a kind as the kind", () => {
    const fields = splitOneLine(`${head} | product`);
    expect(fields.place).toBeNull();
    expect(fields.kind).toBe("product");
    const parsed = schema.parse(fields);
    expect(parsed.kind).toBe("product");
    expect(parsed.place).toBeNull();
  });

  it("reads a lone 5th part that is no kind as the place", () => {
    const parsed = schema.parse(splitOneLine(`${head} | Sala 2`));
    expect(parsed.place).toBe("Sala 2");
    expect(parsed.kind).toBe("other");
  });

  it("reads a 5th and a 6th part as place and kind", () => {
    const fields = splitOneLine(`${head} | Sala 2 | product`);
    expect(fields.place).toBe("Sala 2");
    expect(fields.kind).toBe("product");
    const parsed = schema.parse(fields);
    expect(parsed.place).toBe("Sala 2");
    expect(parsed.kind).toBe("product");
  });

  it.each(["<#C0TRAINING|training>", "<#C0TRAINING|>", "<#C0TRAINING>", "C0TRAINING"])(
    "keeps the channel %s whole, whatever Slack's escaping",
    (channel) => {
      const parsed = schema.parse(splitOneLine(`Hogar Plus | 2026-12-03 09:30 | 90 | ${channel} | Sala 2 | product`));
      expect(parsed).toMatchObject({ channel: "C0TRAINING", place: "Sala 2", kind: "product" });
    },
  );

  it("keeps a call link with a label whole as the place", () => {
    const parsed = schema.parse(splitOneLine(`${head} | <https://meet.google.com/abc-defg-hij|Meet> | agent`));
    expect(parsed.place).toBe("<https://meet.google.com/abc-defg-hij|Meet>");
    expect(parsed.kind).toBe("agent");
  });

  it("still splits around a stray > or < typed in a part", () => {
    expect(splitOneLine(`Ventas <3 | 2026-12-03 09:30 | 90 | <#C0TRAINING|training> | Sala > 2 | bridge`)).toEqual({
      title: "Ventas <3",
      when: "2026-12-03 09:30",
      minutes: "90",
      channel: "<#C0TRAINING|training>",
      place: "Sala > 2",
      kind: "bridge",
    });
  });

  it("passes a bad 6th part on to be refused as a kind", () => {
    expect(issueKey(schema.safeParse(splitOneLine(`${head} | Sala 2 | party`)).error!)).toBe("training.error.kind");
  });

  it("leaves missing parts empty so the schema names the first one missing", () => {
    const fields = splitOneLine("Hogar Plus | 2026-12-03 09:30");
    expect(fields).toMatchObject({ title: "Hogar Plus", when: "2026-12-03 09:30", minutes: "", channel: "" });
    expect(issueKey(schema.safeParse(fields).error!)).toBe("training.error.minutes");
    expect(issueKey(schema.safeParse(splitOneLine("")).error!)).toBe("training.error.title");
  });
});
