// `npm run bench -- signin`: /signin ack latency at 200 requests/s and maximum
// throughput, capacita (embedded and PostgreSQL) against a bare Bolt app that only
// acks; then 1,000 people signing in to one session, each request sent twice.
import { findPeople } from "../src/people/service.ts";
import { createSession, signInMany } from "../src/training/service.ts";
import { benchUser, type LoadResult } from "./lib/load.ts";
import { atLeast, atMost, type BenchResult, exactly, independent, measured } from "./lib/report.ts";
import {
  type Backend,
  type BenchApp,
  eachBackend,
  fmt,
  load,
  SECRET,
  sized,
  startBareBolt,
  startBenchApp,
} from "./lib/setup.ts";

const RATE = 200;
const S = sized(
  { people: 40_000, warm: 400, fixedS: 10, maxS: 8, burst: 1_000 },
  { people: 4_000, warm: 200, fixedS: 2, maxS: 1, burst: 100 },
);
const FIXED_USERS = RATE * S.fixedS;

async function openSession(app: BenchApp, title: string) {
  const created = await createSession(app.database.prisma, app.clock, "UTRAINER", {
    title,
    kind: "product",
    startsAt: new Date(app.clock.now().getTime() + 5 * 60_000),
    durationMin: 600,
    channelId: "CFORM",
  });
  if (!created.ok) throw new Error(created.key);
  return created.value;
}

async function seedPeople(app: BenchApp, count: number) {
  const data = Array.from({ length: count }, (_, i) => ({
    id: benchUser(i),
    name: `p${i}`,
    locale: "es-ES",
    syncedAt: app.clock.now(),
  }));
  for (let i = 0; i < data.length; i += 5000)
    await app.database.prisma.user.createMany({ data: data.slice(i, i + 5000) });
}

/** Warm-up, then the open loop at RATE, then the maximum; each against a sign-in code `code` gives. */
async function fixedAndMax(url: string, code: (title: string) => Promise<string>) {
  const base = { url, secret: SECRET, repeat: 1 };
  const people = S.people - S.warm;
  await load({
    ...base,
    rate: 0,
    connections: 8,
    amount: S.warm,
    code: await code("warm-up"),
    users: S.warm,
    userBase: people,
  });
  const fixed = await load({
    ...base,
    rate: RATE,
    connections: 20,
    duration: S.fixedS,
    code: await code("fixed rate"),
    users: FIXED_USERS,
    userBase: 0,
  });
  // CPU of this process (the app; the load generator is another process) per request served:
  // unlike throughput, it does not depend on what else the machine is doing.
  const cpuBefore = process.cpuUsage();
  const max = await load({
    ...base,
    rate: 0,
    connections: 32,
    duration: S.maxS,
    code: await code("max throughput"),
    users: people - FIXED_USERS,
    userBase: FIXED_USERS,
  });
  const cpu = process.cpuUsage(cpuBefore);
  const cpuPerRequestUs = (cpu.user + cpu.system) / Math.max(1, max.requests);
  return { fixed, max, cpuPerRequestUs };
}

const failed = (r: LoadResult) => r.errors + r.non2xx + r.timeouts;

/**
 * The embedded database's own share of a sign-in: the two statements a batch makes (the people,
 * then the sign-ins), timed alone in batches of the size seen at the maximum. With the database in
 * the process this CPU adds to Bolt's, whatever the app around it does.
 */
async function databaseCpuPerSignIn(app: BenchApp, code: string): Promise<number> {
  const batch = 15;
  const batches = S.burst / batch;
  const db = app.database.prisma;
  const before = process.cpuUsage();
  for (let b = 0; b < batches; b++) {
    const ids = Array.from({ length: batch }, (_, i) => benchUser(b * batch + i));
    await findPeople(db, ids);
    await signInMany(
      db,
      app.clock,
      ids.map((userId) => ({ userId, code })),
    );
  }
  const cpu = process.cpuUsage(before);
  return (cpu.user + cpu.system) / (batches * batch);
}

async function measureCapacita(backend: Backend) {
  const app = await startBenchApp(backend);
  try {
    await seedPeople(app, S.people);
    const { fixed, max, cpuPerRequestUs } = await fixedAndMax(
      app.url,
      async (title) => (await openSession(app, title)).code,
    );

    // People nobody has seen before (their profiles come from users.info), each request sent twice.
    const session = await openSession(app, "burst");
    const burst = await load({
      url: app.url,
      secret: SECRET,
      rate: RATE,
      connections: 20,
      amount: 2 * S.burst,
      code: session.code,
      users: S.burst,
      userBase: 500_000,
      repeat: 2,
    });
    const stored = await app.database.prisma.signIn.count({ where: { sessionId: session.id } });
    const distinct = await app.database.prisma.signIn.groupBy({ by: ["userId"], where: { sessionId: session.id } });
    const friendly = Object.entries(burst.bodies)
      .filter(([k]) => !k.startsWith("Algo"))
      .reduce((a, [, v]) => a + v, 0);
    const databaseCpuUs =
      backend === "embedded"
        ? await databaseCpuPerSignIn(app, (await openSession(app, "database alone")).code)
        : undefined;
    return { fixed, max, cpuPerRequestUs, burst, stored, distinct: distinct.length, friendly, databaseCpuUs };
  } finally {
    await app.close();
  }
}

async function measureBare() {
  const bare = await startBareBolt();
  try {
    return await fixedAndMax(bare.url, async () => "X");
  } finally {
    await bare.close();
  }
}

export async function benchSignin(): Promise<BenchResult> {
  const bare = await measureBare();
  const cap = await eachBackend(measureCapacita);
  const people = S.burst.toLocaleString("en-US");
  const burst = `${people} people × 2 requests`;
  return {
    figures: [
      measured(cap, "ack p50 at 200 req/s", "ms", (r) => r.fixed.p50, { digits: 1 }),
      measured(cap, "ack p99 at 200 req/s", "ms", (r) => r.fixed.p99, { digits: 1, goal: atMost(50) }),
      measured(cap, "failed requests at 200 req/s", "", (r) => failed(r.fixed), { goal: exactly(0) }),
      independent("bare Bolt ack p50 at 200 req/s", "ms", bare.fixed.p50, { digits: 1 }),
      independent("bare Bolt ack p99 at 200 req/s", "ms", bare.fixed.p99, { digits: 1 }),
      measured(cap, "max throughput", "req/s", (r) => r.max.rps),
      independent("bare Bolt max throughput", "req/s", bare.max.rps),
      measured(cap, "max throughput ÷ bare Bolt", "", (r) => r.max.rps / bare.max.rps, {
        digits: 2,
        goal: atLeast(0.7),
      }),
      measured(cap, "app CPU per request at max throughput", "µs", (r) => r.cpuPerRequestUs),
      independent("bare Bolt CPU per request at max throughput", "µs", bare.cpuPerRequestUs),
      measured(
        cap,
        "bare Bolt CPU ÷ capacita CPU per request (embedded: all of it in-process)",
        "",
        (r) => bare.cpuPerRequestUs / r.cpuPerRequestUs,
        {
          digits: 2,
        },
      ),
      {
        figure: "embedded database CPU per sign-in: its two queries alone, through Prisma, in batches of 15",
        unit: "µs",
        embedded: cap.embedded?.databaseCpuUs,
      },
      {
        figure: "ceiling of max throughput ÷ bare Bolt with the database in-process: bare CPU ÷ (bare + database CPU)",
        unit: "",
        digits: 2,
        embedded:
          cap.embedded?.databaseCpuUs === undefined
            ? undefined
            : bare.cpuPerRequestUs / (bare.cpuPerRequestUs + cap.embedded.databaseCpuUs),
      },
      measured(cap, `${burst}: sign-ins stored`, "", (r) => r.stored, { goal: exactly(S.burst) }),
      measured(cap, `${burst}: duplicates`, "", (r) => r.stored - r.distinct, { goal: exactly(0) }),
      measured(cap, `${burst}: failed requests`, "", (r) => failed(r.burst), { goal: exactly(0) }),
      measured(cap, `${burst}: friendly replies`, "", (r) => r.friendly, { goal: exactly(2 * S.burst) }),
      measured(cap, `${burst}: ack p99`, "ms", (r) => r.burst.p99, { digits: 1 }),
    ],
    notes: [
      `load generator in its own process: an open loop at ${RATE} req/s for ${S.fixedS} s (latency counted from when each request was due), autocannon with 32 connections for ${S.maxS} s for the maximum; ${S.people.toLocaleString("en-US")} known staff, one open session per phase`,
      `bare Bolt (ack only) at ${RATE} req/s: p50 ${bare.fixed.p50} ms, p99 ${bare.fixed.p99} ms, max ${bare.fixed.max} ms, failed ${failed(bare.fixed)}`,
      ...Object.entries(cap).map(
        ([backend, r]) =>
          `${backend}: at ${RATE} req/s max ${r.fixed.max} ms; ${burst} (${fmt((2 * S.burst) / RATE, 0)} s at ${RATE}/s, users.info looked up for each new person): ${r.distinct} distinct people, ack p50 ${r.burst.p50} ms, max ${r.burst.max} ms`,
      ),
    ],
  };
}
