// Checking a channel with Slack before subscribing it: Slack's refusal, its silence, and a deadline
// so the person hears back while the response URL still works (the client alone retries for 30 min).
import type { WebClient } from "@slack/web-api";
import { ErrorCode } from "@slack/web-api";
import { describe, expect, it } from "vitest";
import { cannotPost } from "../../src/kpi/listeners.ts";

const slack = (info: () => Promise<unknown>) =>
  ({ conversations: { info } }) as unknown as Pick<WebClient, "conversations">;

describe("cannotPost", () => {
  it("is null when Slack knows the channel", async () => {
    expect(
      await cannotPost(
        slack(async () => ({ ok: true })),
        "C1",
      ),
    ).toBeNull();
  });

  it("says refused when Slack answers with an error, unanswered when the call fails otherwise", async () => {
    const refused = Object.assign(new Error("channel_not_found"), { code: ErrorCode.PlatformError });
    expect(
      await cannotPost(
        slack(() => Promise.reject(refused)),
        "C1",
      ),
    ).toBe("refused");
    const timeout = Object.assign(new Error("timeout"), { code: ErrorCode.RequestError });
    expect(
      await cannotPost(
        slack(() => Promise.reject(timeout)),
        "C1",
      ),
    ).toBe("unanswered");
  });

  it("gives up at the deadline while the client is still retrying", async () => {
    const started = performance.now();
    expect(
      await cannotPost(
        slack(() => new Promise(() => {})),
        "C1",
        50,
      ),
    ).toBe("unanswered");
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
