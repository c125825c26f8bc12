// A Bolt receiver fed from the keyboard instead of Slack: the real app handles
// what the console dispatches, exactly as it handles signed HTTP requests.
import type { App, Receiver } from "@slack/bolt";

export class ConsoleReceiver implements Receiver {
  private app: App | undefined;

  init(app: App): void {
    this.app = app;
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  /** Hands one Slack payload to the app; resolves with what the app acknowledged with. */
  async dispatch(body: Record<string, unknown>): Promise<unknown> {
    if (!this.app) throw new Error("ConsoleReceiver used before the app was built");
    let acked: unknown;
    let ackedOnce = false;
    await this.app.processEvent({
      body,
      ack: async (response?: unknown) => {
        if (ackedOnce) return;
        ackedOnce = true;
        acked = response;
      },
    });
    return acked;
  }
}
