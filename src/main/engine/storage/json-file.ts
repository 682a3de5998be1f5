import { mkdir, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { atomicWrite, cleanStaleWrites } from './atomic-write';

/**
 * One JSON document on disk, validated by a schema: a missing file reads as nothing, a file that
 * does not parse or validate is set aside as `<path>.corrupt-<time>` (never lost, never silently
 * replaced), and writes go through `atomicWrite` one after another, the last one winning
 * (reading clears the temp files of a writer that was killed). The
 * queue's journal and the app's settings both live in one of these.
 */
export class JsonFile<S extends z.ZodType> {
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly schema: S,
  ) {}

  /** Reads the document; `setAside` names where an unreadable file was moved. */
  async read(): Promise<{ value?: z.output<S>; setAside?: string }> {
    // A process killed while writing leaves its temp file; the document itself is whole.
    await cleanStaleWrites(this.path);
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    const parsed = (() => {
      try {
        return this.schema.safeParse(JSON.parse(text));
      } catch {
        return undefined;
      }
    })();
    if (parsed?.success) return { value: parsed.data };
    const aside = `${this.path}.corrupt-${Date.now()}`;
    await rename(this.path, aside);
    return { setAside: aside };
  }

  /** Queues a write of the value (its folder is created); resolves once it is on disk. */
  write(value: z.output<S>): Promise<void> {
    const text = `${JSON.stringify(value, null, 1)}\n`;
    this.writing = this.writing
      .catch(() => undefined)
      .then(async () => {
        await mkdir(dirname(this.path), { recursive: true });
        await atomicWrite(this.path, text);
      });
    return this.writing;
  }
}
