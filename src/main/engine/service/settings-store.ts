import { mkdir, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { applyPatch, type Patch } from '../../../shared/patch';
import { AppSettings } from '../../../shared/settings';
import { atomicWrite } from '../storage/atomic-write';

/**
 * The app's preferences in one JSON file, validated on read and on every change and written
 * atomically. A file that does not parse is set aside (never lost) and the defaults take over.
 */
export class SettingsStore {
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    private current: AppSettings,
  ) {}

  /** Reads the settings; `warnings` says why a file was set aside. */
  static async open(path: string): Promise<{ store: SettingsStore; warnings: string[] }> {
    const warnings: string[] = [];
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    let settings = AppSettings.parse({});
    if (text !== undefined) {
      const parsed = (() => {
        try {
          return AppSettings.safeParse(JSON.parse(text));
        } catch {
          return undefined;
        }
      })();
      if (parsed?.success) settings = parsed.data;
      else {
        const aside = `${path}.corrupt-${Date.now()}`;
        await rename(path, aside);
        warnings.push(`settings ${path} were unreadable; kept as ${aside}, using the defaults`);
      }
    }
    return { store: new SettingsStore(path, settings), warnings };
  }

  get(): AppSettings {
    return structuredClone(this.current);
  }

  /** Applies a patch (null resets a key), validates the result, saves it and returns it. */
  async set(patch: Patch<AppSettings>): Promise<AppSettings> {
    const next = AppSettings.parse(applyPatch(this.current, patch));
    this.current = next;
    const text = `${JSON.stringify(next, null, 1)}\n`;
    this.writing = this.writing
      .catch(() => undefined)
      .then(async () => {
        await mkdir(dirname(this.path), { recursive: true });
        await atomicWrite(this.path, text);
      });
    await this.writing;
    return this.get();
  }
}
