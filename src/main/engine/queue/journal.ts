import { copyFile, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { msg, type EngineMessage } from '../../../shared/engine-message';
import { QueueItem } from '../../../shared/queue';
import { AppendLog } from '../storage/append-log';

/** The queue's state as a snapshot holds it (version 1 was the whole file; see `readJournal`). */
export const JournalState = z.object({
  version: z.literal(2),
  /** Process that ran this queue when it was written: for messages only (see batch-lock.ts). */
  pid: z.number().int(),
  paused: z.boolean().default(false),
  items: z.array(QueueItem),
});
export type JournalState = z.infer<typeof JournalState>;

/** The journal before it became a log: one JSON document, rewritten whole on every change. */
const JournalV1 = JournalState.extend({ version: z.literal(1) });

/**
 * One change of the queue, as the log records it. Bulk changes (adding a folder, cancelling all)
 * are many operations in one appended line, so they cost one write.
 */
export const JournalOp = z.discriminatedUnion('op', [
  /** An item was added (at the end) or changed (replaced where it is). */
  z.object({ op: z.literal('put'), item: QueueItem }),
  z.object({ op: z.literal('remove'), ids: z.array(z.string()) }),
  /** A waiting item moved to `to` in the queue's order. */
  z.object({ op: z.literal('move'), id: z.string(), to: z.number().int().nonnegative() }),
  z.object({ op: z.literal('paused'), paused: z.boolean() }),
]);
export type JournalOp = z.infer<typeof JournalOp>;

// Where journals live: one folder in the per-user folder; the app's queue has one journal of its
// own, every `upres upscale` batch gets a new one (removed once all its items are finished).

/** The folder of every queue journal under a per-user folder. */
export function journalDir(userData: string): string {
  return join(userData, 'queue');
}

/** The app's (and `upres serve`'s) queue journal in the journal folder. */
export function appJournalPath(dir: string): string {
  return join(dir, 'app.json');
}

/** A new journal for one command-line batch in the journal folder. */
export function newBatchJournalPath(dir: string): string {
  return join(dir, `cli-${Date.now()}-${process.pid}.json`);
}

/** The command-line batches' journals, oldest first (what `upres upscale --resume` picks up). */
export async function batchJournals(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => /^cli-.*\.json$/.test(n))
    .sort()
    .map((n) => join(dir, n));
}

/** The state being read: items by id in queue order, so replaying a put costs O(1). */
interface Replay {
  pid: number;
  paused: boolean;
  items: Map<string, QueueItem>;
}

function applyOp(state: Replay, raw: unknown): void {
  const op = JournalOp.parse(raw);
  switch (op.op) {
    case 'put':
      state.items.set(op.item.id, op.item);
      break;
    case 'remove':
      for (const id of op.ids) state.items.delete(id);
      break;
    case 'move': {
      const item = state.items.get(op.id);
      if (!item) break;
      const order = [...state.items.values()].filter((i) => i.id !== op.id);
      order.splice(Math.min(op.to, order.length), 0, item);
      state.items = new Map(order.map((i) => [i.id, i]));
      break;
    }
    case 'paused':
      state.paused = op.paused;
      break;
  }
}

const replayOf = (s: z.infer<typeof JournalV1> | JournalState): Replay => ({
  pid: s.pid,
  paused: s.paused,
  items: new Map(s.items.map((i) => [i.id, i])),
});

/**
 * Parses a journal's text: the log (a snapshot line and appended operations; a torn last line, from
 * a crash mid-append, is dropped) or a version 1 document, which is migrated. Throws on anything
 * else. `damaged` says a bad line was followed by good ones (not a crash: worth keeping a copy).
 */
export function parseJournal(text: string): { state: JournalState; damaged: boolean } {
  const firstLine = text.slice(0, text.indexOf('\n') >>> 0);
  let head: unknown;
  try {
    head = JSON.parse(firstLine);
  } catch {
    head = undefined;
  }
  if (typeof head === 'object' && head !== null && 'snapshot' in head) {
    const { state, tornInside } = AppendLog.read<Replay, unknown>(
      text,
      (s) => replayOf(JournalState.parse(s)),
      applyOp,
    );
    return {
      state: { version: 2, pid: state.pid, paused: state.paused, items: [...state.items.values()] },
      damaged: tornInside,
    };
  }
  const v1 = JournalV1.parse(JSON.parse(text));
  return { state: { ...v1, version: 2 }, damaged: false };
}

/**
 * The queue on disk: a snapshot plus appended operations (see AppendLog), so a change costs the
 * bytes of that change, and every append is on disk before it resolves. Only the process holding
 * the journal's lock (batch-lock.ts) opens one.
 */
export class Journal {
  private log: AppendLog<JournalState, JournalOp> | undefined;
  private detached = false;

  constructor(readonly path: string) {}

  /**
   * Reads the journal; a missing file is an empty queue, an unreadable one is set aside as
   * `<path>.corrupt-<time>` (never lost). Temp files of earlier writers are deleted: whoever
   * holds the lock is the only writer.
   */
  async load(): Promise<{ state?: JournalState; warning?: EngineMessage }> {
    await this.removeTempFiles();
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    const aside = `${this.path}.corrupt-${Date.now()}`;
    try {
      const { state, damaged } = parseJournal(text);
      if (!damaged) return { state };
      await copyFile(this.path, aside);
      return {
        state,
        warning: msg('batch.journalDamaged', { file: this.path, copy: aside }),
      };
    } catch {
      await rename(this.path, aside);
      return { warning: msg('batch.journalUnreadable', { file: this.path, copy: aside }) };
    }
  }

  private async removeTempFiles(): Promise<void> {
    const prefix = `.${basename(this.path)}.`;
    const names = await readdir(dirname(this.path)).catch(() => [] as string[]);
    for (const n of names)
      if (n.startsWith(prefix) && n.endsWith('.tmp'))
        await unlink(join(dirname(this.path), n)).catch(() => undefined);
  }

  /** Starts writing: `state` becomes the snapshot (a fresh file); `current` feeds compactions. */
  async begin(state: JournalState, current: () => JournalState): Promise<void> {
    this.log = await AppendLog.create<JournalState, JournalOp>(this.path, state, {
      apply: () => undefined,
      current,
    });
  }

  /** Records operations (one line, one write); resolves once they are on disk. */
  append(ops: JournalOp[]): Promise<void> {
    if (this.detached || ops.length === 0) return Promise.resolve();
    if (!this.log) return Promise.reject(new Error(`${this.path}: the journal is not open`));
    return this.log.append(ops);
  }

  /** Bytes and writes so far (appends and snapshots): what changes cost. */
  get stats(): { bytesWritten: number; writes: number } {
    return { bytesWritten: this.log?.bytesWritten ?? 0, writes: this.log?.writes ?? 0 };
  }

  /**
   * Stops writing for good without closing cleanly: another queue in this process has taken the
   * journal over (a later open of the same file).
   */
  detach(): void {
    this.detached = true;
    void this.log?.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.detached = true;
    await this.log?.close();
  }
}
