// `npm run bench -- signin`: /signin ack latency at 200 requests/s and maximum
// throughput, capacita (embedded and PostgreSQL) against a bare Bolt app that only
// acks; then 1,000 people signing in to one session, each request sent twice.
import { availableParallelism } from "node:os";
import { createSession } from "../src/training/service.ts";
import type { LoadResult } from "./lib/load.ts";
import { benchUser } from "./lib/load.ts";
import { type Backend, fmt, load, postgresAvailable, SECRET, startBareBolt, startBenchApp } from "./lib/setup.ts";

const RATE = 200;

async function openSession(app: Awaited<ReturnType<typeof startBenchApp>>, title: string) {
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

async function seedPeople(app: Awaited<ReturnType<typeof startBenchApp>>, from: number, count: number) {
  const data = Array.from({ length: count }, (_, i) => ({
    id: benchUser(from + i),
    name: `p${from + i}`,
    locale: "es-ES",
    syncedAt: app.clock.now(),
  }));
  for (let i = 0; i < data.length; i += 5000)
    await app.database.prisma.user.createMany({ data: data.slice(i, i + 5000) });
}

interface Row {
  target: string;
  fixed: LoadResult;
  max: LoadResult;
}

async function measureCapacita(backend: Backend): Promise<{ row: Row; burst: string[] }> {
  const app = await startBenchApp(backend);
  try {
    await seedPeople(app, 0, 40_000);
    const warm = await openSession(app, "warm-up");
    await load({
      url: app.url,
      secret: SECRET,
      rate: 0,
      connections: 8,
      amount: 400,
      code: warm.code,
      users: 400,
      userBase: 30_000,
      repeat: 1,
    });
    const s1 = await openSession(app, "fixed rate");
    const fixed = await load({
      url: app.url,
      secret: SECRET,
      rate: RATE,
      connections: 20,
      duration: 10,
      code: s1.code,
      users: 2000,
      userBase: 0,
      repeat: 1,
    });
    const s2 = await openSession(app, "max throughput");
    const max = await load({
      url: app.url,
      secret: SECRET,
      rate: 0,
      connections: 32,
      duration: 8,
      code: s2.code,
      users: 28_000,
      userBase: 2000,
      repeat: 1,
    });

    // 1,000 people nobody has seen before (their profiles come from users.info), each request sent twice.
    const s3 = await openSession(app, "burst");
    const burst = await load({
      url: app.url,
      secret: SECRET,
      rate: RATE,
      connections: 20,
      amount: 2000,
      code: s3.code,
      users: 1000,
      userBase: 500_000,
      repeat: 2,
    });
    const rows = await app.database.prisma.signIn.count({ where: { sessionId: s3.id } });
    const distinct = await app.database.prisma.signIn.groupBy({ by: ["userId"], where: { sessionId: s3.id } });
    const okReplies = Object.entries(burst.bodies)
      .filter(([k]) => !k.startsWith("Algo"))
      .reduce((a, [, v]) => a + v, 0);
    return {
      row: { target: `capacita (${backend})`, fixed, max },
      burst: [
        `burst on ${backend}: ${burst.requests} requests (1,000 people × 2) in ${fmt(burst.requests / RATE, 0)} s at ${RATE}/s`,
        `  sign-ins stored ${rows} (expected 1000), distinct people ${distinct.length}, duplicates ${rows - distinct.length}`,
        `  errors ${burst.errors}, non-2xx ${burst.non2xx}, timeouts ${burst.timeouts}, friendly replies ${okReplies}/${burst.requests}`,
        `  ack latency p50 ${burst.p50} ms, p99 ${burst.p99} ms, max ${burst.max} ms (users.info looked up for each new person)`,
      ],
    };
  } finally {
    await app.close();
  }
}

async function measureBare(): Promise<Row> {
  const bare = await startBareBolt();
  try {
    await load({
      url: bare.url,
      secret: SECRET,
      rate: 0,
      connections: 8,
      amount: 400,
      code: "X",
      users: 400,
      userBase: 0,
      repeat: 1,
    });
    const fixed = await load({
      url: bare.url,
      secret: SECRET,
      rate: RATE,
      connections: 20,
      duration: 10,
      code: "X",
      users: 2000,
      userBase: 0,
      repeat: 1,
    });
    const max = await load({
      url: bare.url,
      secret: SECRET,
      rate: 0,
      connections: 32,
      duration: 8,
      code: "X",
      users: 28_000,
      userBase: 0,
      repeat: 1,
    });
    return { target: "bare Bolt (ack only)", fixed, max };
  } finally {
    await bare.close();
  }
}

export async function benchSignin(): Promise<string[]> {
  const backends: Backend[] = (await postgresAvailable()) ? ["embedded", "postgres"] : ["embedded"];
  const bare = await measureBare();
  const rows: Row[] = [bare];
  const bursts: string[] = [];
  for (const backend of backends) {
    const r = await measureCapacita(backend);
    rows.push(r.row);
    bursts.push(...r.burst);
  }
  const out = [
    `/signin — ${availableParallelism()} cores; load generator in its own process: an open loop at 200 req/s, autocannon for the maximum; known staff, one open session`,
    "| target | p50 @200/s | p99 @200/s | errors | max req/s | ratio to bare Bolt |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${r.target} | ${r.fixed.p50} ms | ${r.fixed.p99} ms | ${r.fixed.errors + r.fixed.non2xx} | ${fmt(r.max.rps, 0)} | ${fmt(r.max.rps / bare.max.rps, 2)} |`,
    ),
    "goals: p99 ≤ 50 ms at 200 req/s; ratio ≥ 0.7",
    ...bursts,
  ];
  return out;
}
