// `npm run bench [-- <name> …]`: runs the named benchmarks (all without a name) and prints their figures.

import { benchAsk } from "./ask.ts";
import { benchDelivery } from "./delivery.ts";
import { benchDigest } from "./digest.ts";
import { benchFollowups } from "./followups.ts";
import { benchSignin } from "./signin.ts";

const benches: Record<string, () => Promise<string[]>> = {
  signin: benchSignin,
  ask: benchAsk,
  digest: benchDigest,
  delivery: benchDelivery,
  followups: benchFollowups,
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const names = wanted.length ? wanted : Object.keys(benches);
for (const name of names) {
  const bench = benches[name];
  if (!bench) {
    process.stderr.write(`unknown benchmark "${name}"; known: ${Object.keys(benches).join(", ")}\n`);
    process.exit(2);
  }
  const started = Date.now();
  const lines = await bench();
  process.stdout.write(`\n## ${name} (${((Date.now() - started) / 1000).toFixed(0)} s)\n${lines.join("\n")}\n`);
}
process.exit(0);
