import { chmod, mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

const FarmFile = z.object({
  url: z.string().default(''),
  password: z.string().optional(),
  /** Batches this app sent, oldest first (followed in the queue panel until forgotten). */
  batches: z.array(z.string()).default([]),
});
export type FarmFile = z.infer<typeof FarmFile>;

/**
 * `<userData>/farm.json`: the farm's Redis address, its password and the batches this app sent.
 * Kept apart from settings.json because it holds a secret: written owner-only (mode 600) through a
 * temp file and a rename, and never sent to the renderer. A file that does not parse is set aside
 * (never lost) and the farm is unset.
 */
export class FarmStore {
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    private current: FarmFile,
  ) {}

  static async open(userData: string, log: (line: string) => void): Promise<FarmStore> {
    const path = join(userData, 'farm.json');
    let value = FarmFile.parse({});
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text !== undefined) {
      const parsed = (() => {
        try {
          return FarmFile.safeParse(JSON.parse(text));
        } catch {
          return undefined;
        }
      })();
      if (parsed?.success) value = parsed.data;
      else {
        const aside = `${path}.corrupt-${Date.now()}`;
        await rename(path, aside).catch(() => undefined);
        log(`warning: farm settings ${path} were unreadable; kept as ${aside}`);
      }
    }
    return new FarmStore(path, value);
  }

  get(): FarmFile {
    return structuredClone(this.current);
  }

  async set(patch: Partial<FarmFile>): Promise<void> {
    this.current = FarmFile.parse({ ...this.current, ...patch });
    await this.save();
  }

  async track(batch: string): Promise<void> {
    await this.set({ batches: [...this.current.batches, batch] });
  }

  async untrack(batch: string): Promise<void> {
    await this.set({ batches: this.current.batches.filter((b) => b !== batch) });
  }

  private save(): Promise<void> {
    const text = `${JSON.stringify(this.current, null, 2)}\n`;
    const next = this.writing.then(async () => {
      await mkdir(join(this.path, '..'), { recursive: true });
      const tmp = `${this.path}.${process.pid}.tmp`;
      // Created owner-only: the password is never readable by other users, not even briefly.
      const fh = await open(tmp, 'w', 0o600);
      try {
        await fh.writeFile(text);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await chmod(tmp, 0o600);
      await rename(tmp, this.path);
    });
    this.writing = next.catch(() => undefined);
    return next;
  }
}
