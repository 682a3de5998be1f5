import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { QueueItem } from '../../../shared/queue';
import { JsonFile } from '../storage/json-file';

export { processAlive } from '../storage/atomic-write';

export const JournalFile = z.object({
  version: z.literal(1),
  /** Process that runs this queue; another process leaves a journal alone while it lives. */
  pid: z.number().int(),
  paused: z.boolean().default(false),
  items: z.array(QueueItem),
});
export type JournalFile = z.infer<typeof JournalFile>;

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

/** The queue on disk: rewritten atomically (temp + fsync + rename) on every state change. */
export class Journal {
  private readonly file: JsonFile<typeof JournalFile>;

  constructor(readonly path: string) {
    this.file = new JsonFile(path, JournalFile);
  }

  /** Reads the journal; a missing file is an empty queue, a corrupt one is set aside (never lost). */
  async load(): Promise<{ journal?: JournalFile; warning?: string }> {
    const { value, setAside } = await this.file.read();
    if (setAside)
      return { warning: `queue journal ${this.path} was unreadable; kept as ${setAside}` };
    return { journal: value };
  }

  /** Queues a write of the state; writes happen in order, the last one wins. */
  save(state: JournalFile): Promise<void> {
    return this.file.write(state);
  }
}
