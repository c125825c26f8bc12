// Progress of long imports (SPEC §8), drawn on stderr and only on a terminal: piped, redirected or
// run by a script, the CLI prints what it always prints and nothing more.
import { Presets, SingleBar } from "cli-progress";

/** Where the bar goes: `process.stderr`, or a stream a test passes (isTTY says whether to draw). */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean };

type OnProgress = (done: number, total: number) => void;

/**
 * Runs an import with an `onProgress` that moves a bar: rows written of the rows in the file, in
 * the import's one transaction (nothing shows while the file is read and checked, nor when a bad
 * row stops it before writing). The bar is cleared when the import ends, however it ends.
 */
export async function withProgress<T>(
  stream: ProgressStream,
  label: string,
  run: (onProgress?: OnProgress) => Promise<T>,
): Promise<T> {
  if (!stream.isTTY) return run();
  const bar = new SingleBar(
    {
      stream,
      format: `${label} {bar} {percentage}% · {value}/{total} rows · {duration_formatted}`,
      clearOnComplete: true,
    },
    Presets.shades_classic,
  );
  let started = false;
  try {
    return await run((done, total) => {
      if (started) return bar.update(done);
      bar.start(total, done);
      started = true;
    });
  } finally {
    bar.stop();
  }
}
