// Requests that need the same query share one round trip, batched the way databases batch
// commits: a request arriving while no batch is running goes at once (no added latency when
// it is quiet); while a batch runs, the requests arriving meanwhile gather into the next one,
// so the busier it gets, the bigger the batches. A fixed time window would add its wait to
// every quiet request and still catch only a couple of requests at a time under load.
import DataLoader from "dataloader";

export function groupCommit<K, V>(load: (keys: K[]) => Promise<V[]>, maxBatchSize: number): DataLoader<K, V> {
  let running = 0;
  const waiting: (() => void)[] = [];
  const done = () => {
    running--;
    waiting.shift()?.();
  };
  return new DataLoader<K, V>(
    async (keys) => {
      running++;
      try {
        return await load([...keys]);
      } finally {
        done();
      }
    },
    {
      cache: false,
      maxBatchSize,
      // setImmediate: after the requests already read from the sockets have queued their keys.
      batchScheduleFn: (flush) => (running === 0 ? setImmediate(flush) : waiting.push(() => setImmediate(flush))),
    },
  );
}
