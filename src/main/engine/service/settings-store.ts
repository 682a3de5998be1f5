import { msg, type EngineMessage } from '../../../shared/engine-message';
import { applyPatch, type Patch } from '../../../shared/patch';
import { AppSettings } from '../../../shared/settings';
import { JsonFile } from '../storage/json-file';

/**
 * The app's preferences in one JSON file, validated on read and on every change and written
 * atomically. A file that does not parse is set aside (never lost) and the defaults take over.
 */
export class SettingsStore {
  private constructor(
    private readonly file: JsonFile<typeof AppSettings>,
    private current: AppSettings,
  ) {}

  get path(): string {
    return this.file.path;
  }

  /** Reads the settings; `warnings` says why a file was set aside. */
  static async open(path: string): Promise<{ store: SettingsStore; warnings: EngineMessage[] }> {
    const file = new JsonFile(path, AppSettings);
    const { value, setAside } = await file.read();
    const warnings = setAside
      ? [msg('batch.settingsUnreadable', { file: path, copy: setAside })]
      : [];
    return { store: new SettingsStore(file, value ?? AppSettings.parse({})), warnings };
  }

  get(): AppSettings {
    return structuredClone(this.current);
  }

  /** Applies a patch (null resets a key), validates the result, saves it and returns it. */
  async set(patch: Patch<AppSettings>): Promise<AppSettings> {
    const next = AppSettings.parse(applyPatch(this.current, patch));
    this.current = next;
    await this.file.write(next);
    return this.get();
  }
}
