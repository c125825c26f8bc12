// One Bolt listener per kind of request, routed by name. Bolt runs every registered
// listener's matchers for every request (each on its own copy of the arguments), so its
// cost grows with the number of commands, buttons and modals; measured on this machine, 31
// listeners halve what a bare Bolt app can acknowledge per second. Features register here
// with Bolt's own listener signatures; the router finds the one listener by a map lookup.
import type {
  AllMiddlewareArgs,
  App,
  SlackAction,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackViewMiddlewareArgs,
} from "@slack/bolt";

type Listener<Args> = (args: Args & AllMiddlewareArgs) => Promise<unknown>;
type ActionListener = Listener<SlackActionMiddlewareArgs>;

export class Router {
  private readonly commands = new Map<string, Listener<SlackCommandMiddlewareArgs>>();
  private readonly actions = new Map<string, ActionListener>();
  private readonly actionPatterns: [RegExp, ActionListener][] = [];
  private readonly views = new Map<string, Listener<SlackViewMiddlewareArgs>>();

  /** Events and global middleware go to Bolt directly: there are few and they are rare. */
  constructor(readonly app: App) {
    app.command(/.*/, async (args) => {
      const listener = this.commands.get(args.command.command);
      if (listener) await listener(args);
      else await args.ack();
    });
    app.action(/.*/, async (args) => {
      const id = "action_id" in args.action ? args.action.action_id : "";
      const listener = this.actions.get(id) ?? this.actionPatterns.find(([re]) => re.test(id))?.[1];
      // A button of an old message nobody handles any more: acknowledged, nothing happens.
      if (listener) await listener(args);
      else await args.ack();
    });
    app.view(/.*/, async (args) => {
      const listener = this.views.get(args.view.callback_id);
      if (listener) await listener(args);
      else await args.ack();
    });
  }

  command(name: string, listener: Listener<SlackCommandMiddlewareArgs>): void {
    this.claim(this.commands, name, listener);
  }

  action<A extends SlackAction = SlackAction>(id: string | RegExp, listener: Listener<SlackActionMiddlewareArgs<A>>) {
    const general = listener as unknown as ActionListener;
    if (typeof id === "string") this.claim(this.actions, id, general);
    else this.actionPatterns.push([id, general]);
  }

  view(callbackId: string, listener: Listener<SlackViewMiddlewareArgs>): void {
    this.claim(this.views, callbackId, listener);
  }

  private claim<L>(map: Map<string, L>, name: string, listener: L): void {
    if (map.has(name)) throw new Error(`two listeners for "${name}"`);
    map.set(name, listener);
  }
}
