// The load generator, run in its own process so it never shares the event loop
// with the app it measures. Input: one JSON argument; output: one JSON line.
import { createHmac } from "node:crypto";
import http from "node:http";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

export interface LoadSpec {
  url: string;
  secret: string;
  /** requests/s, evenly spaced (open loop); 0 = as fast as `connections` allow (autocannon) */
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

/** The value below which a share `q` of the ascending sample lies (nearest rank). */
export function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

export const benchUser = (n: number) => `UB${String(n).padStart(6, "0")}`;

/**
 * Open loop at a fixed rate: request i is due at start + i/rate and its latency counts
 * from when it was due, so a slow server cannot hide its queue (no coordinated omission).
 */
async function paced(spec: LoadSpec): Promise<LoadResult> {
  const total = spec.amount ?? Math.round(spec.rate * (spec.duration ?? 10));
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections });
  const url = new URL("/slack/events", spec.url);
  const latencies: number[] = [];
  const bodies: Record<string, number> = {};
  let non2xx = 0;
  let errors = 0;
  const start = performance.now() + 50;
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / spec.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const n = Math.floor(i / spec.repeat) % spec.users;
    const { body, headers } = signedSignin(spec.secret, benchUser(spec.userBase + n), spec.code);
    pending.push(
      new Promise<void>((resolve) => {
        const req = http.request(
          url,
          { method: "POST", agent, headers: { ...headers, "content-length": Buffer.byteLength(body) } },
          (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (c) => (text += c));
            res.on("end", () => {
              latencies.push(performance.now() - due);
              if ((res.statusCode ?? 0) >= 300) non2xx++;
              const key = String(JSON.parse(text || "{}").text ?? "").slice(0, 12);
              bodies[key] = (bodies[key] ?? 0) + 1;
              resolve();
            });
          },
        );
        req.on("error", () => {
          errors++;
          resolve();
        });
        req.end(body);
      }),
    );
  }
  await Promise.all(pending);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => Math.round(quantile(latencies, p) * 10) / 10;
  const seconds = (performance.now() - start) / 1000;
  return {
    requests: total,
    non2xx,
    errors,
    timeouts: 0,
    p50: q(0.5),
    p99: q(0.99),
    max: q(1),
    rps: total / seconds,
    bodies,
  };
}

async function run(spec: LoadSpec): Promise<LoadResult> {
  if (spec.rate) return paced(spec);
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

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2]) {
  run(JSON.parse(process.argv[2]) as LoadSpec).then((r) => process.stdout.write(`${JSON.stringify(r)}\n`));
}
