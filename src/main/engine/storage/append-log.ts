import { open, rename, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Flushes a folder's entries (the rename) to disk; not possible on Windows, where it is skipped. */
async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const h = await open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/**
 * A durable state kept as a snapshot plus an append-only log of changes (JSON lines), so that a
 * change costs the bytes of that change, not of the whole state. Line 1 is `{"snapshot": S}`; every
 * later line is one batch of operations, appended and fsynced before `append` resolves. When the
 * log has grown past twice the snapshot (and a floor), the current state is written as a new
 * snapshot (temp file + fsync + rename), so the work per change stays constant on average.
 *
 * A crash mid-append leaves at most a torn last line: it is ignored on open (that batch never
 * resolved), and the next compaction drops it.
 */
export class AppendLog<S, Op> {
  private handle: FileHandle | undefined;
  private chain: Promise<void> = Promise.resolve();
  private snapshotBytes = 0;
  private logBytes = 0;
  /** Bytes written to disk by this instance (appends and compactions): the cost of changes. */
  bytesWritten = 0;
  /** Writes made by this instance (each append and each snapshot counts one). */
  writes = 0;

  private constructor(
    readonly path: string,
    private readonly apply: (state: S, op: Op) => void,
    private readonly current: () => S,
    private readonly minCompactBytes: number,
  ) {}

  /**
   * Reads a log written by this class: the snapshot and the complete lines after it. `parse`
   * validates the snapshot (throws on a bad one); a line that is not JSON ends the log there.
   */
  static read<S, Op>(
    text: string,
    parse: (snapshot: unknown) => S,
    apply: (state: S, op: Op) => void,
  ): { state: S; torn: boolean; tornInside: boolean } {
    const lines = text.split('\n');
    const head = JSON.parse(lines[0]) as { snapshot?: unknown };
    if (typeof head !== 'object' || head === null || !('snapshot' in head))
      throw new Error('the first line is not a snapshot');
    const state = parse(head.snapshot);
    let torn = false;
    let tornInside = false;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      if (line === '') continue;
      let ops: unknown;
      try {
        ops = JSON.parse(line);
      } catch {
        ops = undefined;
      }
      if (!Array.isArray(ops)) {
        torn = true;
        // Only the last line can be torn by a crash; a bad line with complete lines after it is
        // damage, which the caller should keep a copy of.
        tornInside = lines.slice(i + 1).some((l) => l !== '');
        break;
      }
      for (const op of ops as Op[]) apply(state, op);
    }
    return { state, torn, tornInside };
  }

  /**
   * Starts a log at `path` from `state` (a fresh snapshot is written: a log that was read is
   * compacted on open, which also drops a torn line). `current` gives the live state for later
   * compactions; `apply` is how operations change it (the caller applies them to its own state
   * before appending, so `apply` is only used by `read`).
   */
  static async create<S, Op>(
    path: string,
    state: S,
    opt: {
      apply: (state: S, op: Op) => void;
      current: () => S;
      /** Never compact below this many log bytes (default 64 KiB). */
      minCompactBytes?: number;
    },
  ): Promise<AppendLog<S, Op>> {
    const log = new AppendLog<S, Op>(path, opt.apply, opt.current, opt.minCompactBytes ?? 65536);
    await log.writeSnapshot(state);
    return log;
  }

  /** Appends one batch of operations as one line; resolves once it is on disk. */
  append(ops: Op[]): Promise<void> {
    if (ops.length === 0) return this.chain;
    const line = `${JSON.stringify(ops)}\n`;
    const run = this.chain.then(async () => {
      const h = this.handle;
      if (!h) throw new Error(`${this.path}: the journal is closed`);
      const bytes = Buffer.from(line);
      await h.write(bytes);
      await h.datasync();
      this.logBytes += bytes.length;
      this.bytesWritten += bytes.length;
      this.writes++;
      if (this.logBytes > Math.max(this.minCompactBytes, 2 * this.snapshotBytes))
        await this.writeSnapshot(this.current());
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Writes the state as the new snapshot now (e.g. before a long idle period). */
  compact(): Promise<void> {
    const run = this.chain.then(() => this.writeSnapshot(this.current()));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async writeSnapshot(state: S): Promise<void> {
    const text = `${JSON.stringify({ snapshot: state })}\n`;
    // Hidden and named for the process, like atomicWrite's: a killed writer's leftover is
    // recognisable, and the journal that owns the file deletes it.
    const tmp = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.tmp`);
    const h = await open(tmp, 'w');
    try {
      await h.writeFile(text);
      await h.sync();
    } finally {
      await h.close();
    }
    await this.handle?.close();
    this.handle = undefined;
    await rename(tmp, this.path);
    await syncDir(dirname(this.path));
    this.handle = await open(this.path, 'a');
    const bytes = Buffer.byteLength(text);
    this.snapshotBytes = bytes;
    this.logBytes = 0;
    this.bytesWritten += bytes;
    this.writes++;
  }

  /** Waits for pending appends and closes the file. */
  async close(): Promise<void> {
    await this.chain;
    await this.handle?.close();
    this.handle = undefined;
  }
}
