import { readFile, rename } from 'node:fs/promises';
import { z } from 'zod';
import { QueueItem } from '../../../shared/queue';
import { atomicWrite } from '../storage/atomic-write';

export const JournalFile = z.object({
  version: z.literal(1),
  /** Process that runs this queue; another process leaves a journal alone while it lives. */
  pid: z.number().int(),
  paused: z.boolean().default(false),
  items: z.array(QueueItem),
});
export type JournalFile = z.infer<typeof JournalFile>;

/** Whether a process id belongs to a live process. */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The queue on disk: rewritten atomically (temp + fsync + rename) on every state change. */
export class Journal {
  private writing: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  /** Reads the journal; a missing file is an empty queue, a corrupt one is set aside (never lost). */
  async load(): Promise<{ journal?: JournalFile; warning?: string }> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    const parsed = (() => {
      try {
        return JournalFile.safeParse(JSON.parse(text));
      } catch {
        return undefined;
      }
    })();
    if (parsed?.success) return { journal: parsed.data };
    const aside = `${this.path}.corrupt-${Date.now()}`;
    await rename(this.path, aside);
    return { warning: `queue journal ${this.path} was unreadable; kept as ${aside}` };
  }

  /** Queues a write of the state; writes happen in order, the last one wins. */
  save(state: JournalFile): Promise<void> {
    const text = `${JSON.stringify(state, null, 1)}\n`;
    this.writing = this.writing.catch(() => undefined).then(() => atomicWrite(this.path, text));
    return this.writing;
  }
}
