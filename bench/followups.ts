// `npm run bench -- followups`: the daily follow-up run over 5,000 new hires × 4 checkpoints
// (50 trainers, 5 teams with managers), every checkpoint due or overdue, on the embedded
// database and on PostgreSQL. Times scheduler.runNow("followups", …) — reading, grouping,
// rendering and enqueuing — and checks it stores exactly one DM per trainer.
import { DateTime } from "luxon";
import { type BenchResult, below, exactly, measured } from "./lib/report.ts";
import { type Backend, type BenchApp, eachBackend, sized, startBenchApp } from "./lib/setup.ts";

const ZONE = "Europe/Madrid";
const HIRES = sized(5_000, 500);
const TRAINERS = 50;
const TEAMS = 5;
const DAYS = [7, 30, 60, 90];
const GOAL_MS = 2_000;
/** The run: Tue 1 Dec 2026, 09:00 in Madrid. Every start is at least 90 days before. */
const RUN_AT = DateTime.fromISO("2026-12-01T09:00", { zone: ZONE }).toJSDate();
const LATEST_START = Date.UTC(2026, 8, 2); // 2 Sep 2026: day 90 falls on 1 Dec
const DAY_MS = 86_400_000;

const trainerId = (i: number) => `UTRAINER${String(i).padStart(3, "0")}`;
const managerId = (i: number) => `UMANAGER${i}`;

async function seed(app: BenchApp) {
  const db = app.database.prisma;
  await db.user.createMany({ data: [{ id: "UADMIN", role: "admin", locale: "es-ES" }] });
  for (let m = 0; m < TEAMS; m++) {
    await db.team.create({
      data: { name: `Equipo ${m}`, manager: { create: { id: managerId(m), role: "manager", locale: "es-ES" } } },
    });
  }
  const teams = await db.team.findMany({ orderBy: { id: "asc" } });
  await db.user.createMany({
    data: Array.from({ length: TRAINERS }, (_, i) => ({
      id: trainerId(i),
      role: "trainer" as const,
      locale: i % 2 ? "en-US" : "es-ES",
      teamId: teams[i % TEAMS]?.id,
    })),
  });
  // Starts spread over 100 days before 2 Sep: some checkpoints are months late, some due today.
  const hires = Array.from({ length: HIRES }, (_, i) => ({
    id: i + 1,
    userId: `UHIRE${String(i).padStart(5, "0")}`,
    startDate: new Date(LATEST_START - (i % 100) * DAY_MS),
    trainerId: trainerId(i % TRAINERS),
  }));
  for (let i = 0; i < hires.length; i += 2_500) await db.newHire.createMany({ data: hires.slice(i, i + 2_500) });
  const checkpoints = hires.flatMap((h) =>
    DAYS.map((day) => ({ newHireId: h.id, day, dueOn: new Date(h.startDate.getTime() + day * DAY_MS) })),
  );
  for (let i = 0; i < checkpoints.length; i += 5_000)
    await db.checkpoint.createMany({ data: checkpoints.slice(i, i + 5_000) });
  return { hires: hires.length, checkpoints: checkpoints.length };
}

async function measure(backend: Backend) {
  const app = await startBenchApp(backend, { APP_TIMEZONE: ZONE });
  try {
    const db = app.database.prisma;
    const seeded = await seed(app);
    const open = await db.checkpoint.count({ where: { state: "open", dueOn: { lte: new Date("2026-12-01") } } });
    app.clock.set(RUN_AT);

    const posted = () => app.slack.callsTo("chat.postMessage").filter((c) => /^UTRAINER/.test(String(c.args.channel)));
    /** Waits for the background delivery the run poked, so the next timing has the database to itself. */
    const delivered = async (count: number) => {
      const deadline = Date.now() + 30_000;
      while (posted().length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await app.capacita.dispatcher.drain();
    };

    let started = performance.now();
    const first = await app.capacita.scheduler.runNow("followups", RUN_AT);
    const firstMs = performance.now() - started;
    await delivered(TRAINERS);
    // The same day forced again (new message keys): the figure with everything warm.
    started = performance.now();
    const again = await app.capacita.scheduler.runNow("followups", RUN_AT, true);
    const againMs = performance.now() - started;
    await delivered(2 * TRAINERS);

    // Keys: "followups:2026-12-01:dm:U…" for the run, "followups:2026-12-01#1:…" for the forced one.
    const rows = await db.outboxMessage.findMany({
      where: { key: { startsWith: "followups:2026-12-01:" } },
      select: { key: true, channel: true, payload: true },
    });
    const dms = rows.filter((r) => r.key.includes(":dm:"));
    const escalations = rows.filter((r) => r.key.includes(":escalation:"));
    const dmsPerTrainer = new Map<string, number>();
    for (const d of dms) dmsPerTrainer.set(d.channel, (dmsPerTrainer.get(d.channel) ?? 0) + 1);
    const rerunDms = await db.outboxMessage.count({ where: { key: { startsWith: "followups:2026-12-01#1:dm:" } } });
    const biggest = Math.max(...rows.map((r) => JSON.stringify(r.payload).length));
    const perTrainer = new Map<string, number>();
    for (const c of posted()) perTrainer.set(String(c.args.channel), (perTrainer.get(String(c.args.channel)) ?? 0) + 1);

    return {
      seeded,
      open,
      ran: Number(first.ran) + Number(again.ran),
      firstMs,
      againMs,
      dms: dms.length,
      storedOnce: [...dmsPerTrainer.values()].filter((n) => n === 1).length,
      rerunDms,
      postedOnce: [...perTrainer.values()].filter((n) => n === 2).length,
      escalations: escalations.length,
      biggest,
    };
  } finally {
    await app.close();
  }
}

export async function benchFollowups(): Promise<BenchResult> {
  const r = await eachBackend(measure);
  return {
    figures: [
      measured(r, "checkpoints due or overdue", "", (x) => x.open),
      measured(r, "daily run", "ms", (x) => x.firstMs, { goal: below(GOAL_MS) }),
      measured(r, "forced re-run, warm", "ms", (x) => x.againMs),
      measured(r, "runs done (daily, forced)", "", (x) => x.ran, { goal: exactly(2) }),
      measured(r, "DMs stored by the daily run", "", (x) => x.dms, { goal: exactly(TRAINERS) }),
      measured(r, "trainers with exactly one of them", "", (x) => x.storedOnce, { goal: exactly(TRAINERS) }),
      measured(r, "DMs stored by the forced re-run", "", (x) => x.rerunDms, { goal: exactly(TRAINERS) }),
      measured(r, "trainers posted exactly one DM per run", "", (x) => x.postedOnce, { goal: exactly(TRAINERS) }),
      measured(r, `escalations (1 admin + ${TEAMS} managers)`, "", (x) => x.escalations),
      measured(r, "largest payload", "KB", (x) => x.biggest / 1024, { digits: 1 }),
    ],
    notes: [
      `${HIRES.toLocaleString("en-US")} new hires × ${DAYS.length} checkpoints, all due or overdue on 2026-12-01, ${TRAINERS} trainers in ${TEAMS} teams; timed: scheduler.runNow("followups") including enqueuing`,
      ...Object.entries(r).map(
        ([backend, x]) => `${backend}: ${x.seeded.checkpoints} checkpoints seeded for ${x.seeded.hires} new hires`,
      ),
    ],
  };
}
