import type { UpresApi } from '../../shared/api';
import type { AppSettings } from '../../shared/settings';
import { errorMessage } from '../i18n/errors';

export type SettingsApi = Pick<UpresApi, 'settingsGet' | 'settingsSet'>;

/** A change of settings: absent keys stay, `null` resets a key to its default. */
export type SettingsPatch = Parameters<UpresApi['settingsSet']>[0];

/** The saved preferences: loaded once, each change saved at once and echoed back by the engine. */
export class SettingsStore {
  #value = $state<AppSettings | undefined>(undefined);
  #loadError = $state<string | undefined>(undefined);
  #saveError = $state<string | undefined>(undefined);
  #saving = $state(0);
  #savedAt = $state(0);

  readonly #api: SettingsApi;

  get value(): AppSettings | undefined {
    return this.#value;
  }

  get loadError(): string | undefined {
    return this.#loadError;
  }

  get saveError(): string | undefined {
    return this.#saveError;
  }

  /** Fields being saved now; shown as "Saving…" beside them. */
  get saving(): number {
    return this.#saving;
  }

  /** Set after a save succeeds, for a brief "Saved" mark. */
  get savedAt(): number {
    return this.#savedAt;
  }

  constructor(api: SettingsApi) {
    this.#api = api;
  }

  async load(): Promise<void> {
    try {
      this.#value = await this.#api.settingsGet({});
      this.#loadError = undefined;
    } catch (err) {
      this.#loadError = errorMessage(err);
    }
  }

  /** Saves the given fields; the rest stay as they are. */
  async save(patch: SettingsPatch): Promise<void> {
    if (this.#value) {
      const next: Record<string, unknown> = { ...this.#value };
      for (const [k, v] of Object.entries(patch)) if (v !== null && v !== undefined) next[k] = v;
      this.#value = next as AppSettings;
    }
    this.#saving++;
    try {
      this.#value = await this.#api.settingsSet(patch);
      this.#saveError = undefined;
      this.#savedAt = Date.now();
    } catch (err) {
      this.#saveError = errorMessage(err);
      await this.load();
    } finally {
      this.#saving--;
    }
  }
}
