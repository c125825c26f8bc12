// The load generator, run in its own process so it never shares the event loop
// with the app it measures. Input: one JSON argument; output: one JSON line.
import { createHmac } from "node:crypto";
import autocannon from "autocannon";

export interface LoadSpec {
  url: string;
  secret: string;
  /** requests/s across all connections; 0 = as fast as possible */
  rate: number;
  connections: number;
  /** seconds, or a fixed number of requests with `amount` */
  duration?: number;
  amount?: number;
  code: string;
  /** user ids cycle from userBase+0 … userBase+users-1; each id `repeat` times in a row */
  users: number;
  userBase: number;
  repeat: number;
}

export interface LoadResult {
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p50: number;
  p99: number;
  max: number;
  rps: number;
  bodies: Record<string, number>;
}

export function signedSignin(secret: string, userId: string, code: string) {
  const body = new URLSearchParams({
    token: "bench",
    team_id: "T1",
    team_domain: "capacita",
    channel_id: "CFORM",
    channel_name: "formacion",
    user_id: userId,
    user_name: userId.toLowerCase(),
    command: "/signin",
    text: code,
    api_app_id: "A1",
    response_url: "http://127.0.0.1:9/response",
    trigger_id: "1.2.3",
  }).toString();
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac("sha256", secret).update(`v0:${ts}:${body}`).digest("hex")}`;
  return {
    body,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(ts),
      "x-slack-signature": signature,
    },
  };
}

export const benchUser = (n: number) => `UB${String(n).padStart(6, "0")}`;

async function run(spec: LoadSpec): Promise<LoadResult> {
  let sent = 0;
  const bodies: Record<string, number> = {};
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    ...(spec.rate ? { overallRate: spec.rate } : {}),
    ...(spec.amount ? { amount: spec.amount } : { duration: spec.duration ?? 10 }),
    timeout: 10,
    requests: [
      {
        method: "POST",
        path: "/slack/events",
        setupRequest: (req: autocannon.Request) => {
          const n = Math.floor(sent++ / spec.repeat) % spec.users;
          return { ...req, ...signedSignin(spec.secret, benchUser(spec.userBase + n), spec.code) };
        },
        onResponse: (_status: number, body: string) => {
          const key = String(JSON.parse(body || "{}").text ?? "").slice(0, 12);
          bodies[key] = (bodies[key] ?? 0) + 1;
        },
      },
    ],
  });
  return {
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    rps: result.requests.average,
    bodies,
  };
}

if (process.argv[2]) {
  run(JSON.parse(process.argv[2]) as LoadSpec).then((r) => process.stdout.write(`${JSON.stringify(r)}\n`));
}
