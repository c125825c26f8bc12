// Group commit: a lone request goes at once; requests arriving while a batch runs share the next one.
import { describe, expect, it } from "vitest";
import { groupCommit } from "../../src/core/batch.ts";

function recorder(ms: number) {
  const batches: number[][] = [];
  let release: (() => void) | undefined;
  const load = async (keys: number[]) => {
    batches.push(keys);
    await (ms ? new Promise<void>((r) => setTimeout(r, ms)) : new Promise<void>((r) => (release = r)));
    return keys.map((k) => k * 10);
  };
  return { batches, load, release: () => release?.() };
}

describe("groupCommit", () => {
  it("answers each key with its own value", async () => {
    const r = recorder(1);
    const loader = groupCommit(r.load, 100);
    expect(await Promise.all([1, 2, 3].map((k) => loader.load(k)))).toEqual([10, 20, 30]);
  });

  it("gathers the requests that arrive while a batch runs into the next one", async () => {
    const r = recorder(0);
    const loader = groupCommit(r.load, 100);
    const first = loader.load(1);
    await new Promise((res) => setImmediate(res));
    expect(r.batches).toEqual([[1]]);
    const later = [2, 3, 4].map((k) => loader.load(k));
    await new Promise((res) => setTimeout(res, 20));
    expect(r.batches).toEqual([[1]]); // still waiting for the first batch
    r.release();
    await first;
    await new Promise((res) => setTimeout(res, 5));
    expect(r.batches).toEqual([[1], [2, 3, 4]]);
    r.release();
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
  });

  it("keeps batches under the maximum size", async () => {
    const r = recorder(1);
    const loader = groupCommit(r.load, 2);
    await Promise.all([1, 2, 3, 4, 5].map((k) => loader.load(k)));
    expect(r.batches.map((b) => b.length).every((n) => n <= 2)).toBe(true);
    expect(r.batches.flat().sort()).toEqual([1, 2, 3, 4, 5]);
  });
});
