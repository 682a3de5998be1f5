import type { UpresApi } from '../../shared/api';
import { errorCode } from '../../shared/errors';
import type { Preset, PresetProblem } from '../../shared/presets';
import { errorMessage } from '../i18n/errors';
import { t } from '../i18n/translate';

export type PresetApi = Pick<
  UpresApi,
  'presetList' | 'presetSave' | 'presetRemove' | 'presetApply'
>;

/**
 * The saved presets as the engine reads them (`<user data>/presets.json`, the file `upres presets`
 * uses), and the inspector's actions on them. Every failure is kept as a message to show: a preset
 * that cannot be applied is never replaced by a default.
 */
export class PresetState {
  #presets = $state<Preset[]>([]);
  #problems = $state<PresetProblem[]>([]);
  #path = $state('');
  #error = $state<string | undefined>(undefined);
  /** The last save was refused because the name exists (the panel then offers to replace it). */
  #nameTaken = $state(false);
  #busy = $state(false);
  #done = $state('');
  readonly #api: PresetApi;

  constructor(api: PresetApi) {
    this.#api = api;
  }

  get presets(): readonly Preset[] {
    return this.#presets;
  }

  /** Entries of the file that are not valid presets, and an unreadable file set aside. */
  get problems(): readonly PresetProblem[] {
    return this.#problems;
  }

  get path(): string {
    return this.#path;
  }

  get error(): string | undefined {
    return this.#error;
  }

  get nameTaken(): boolean {
    return this.#nameTaken;
  }

  get busy(): boolean {
    return this.#busy;
  }

  /** What the last action did, for a brief confirmation. */
  get done(): string {
    return this.#done;
  }

  /** Reads the list again (what the last action did stays shown). */
  async load(): Promise<void> {
    await this.#act(async () => {
      const listing = await this.#api.presetList({});
      this.#presets = listing.presets;
      this.#problems = listing.problems;
      this.#path = listing.path;
    }, true);
  }

  /** Saves the item's settings under `name`; true when saved. */
  async save(name: string, id: string, replace = false): Promise<boolean> {
    const ok = await this.#act(async () => {
      const saved = await this.#api.presetSave({ name, id, replace });
      this.#done = t('inspector.presetSaved', { name: saved.name });
    });
    if (ok) await this.load();
    return ok;
  }

  /** Applies a preset to the given items (the engine changes the waiting ones); how many changed. */
  async apply(name: string, ids: string[]): Promise<number | undefined> {
    if (ids.length === 0) return 0;
    let updated: number | undefined;
    await this.#act(async () => {
      updated = (await this.#api.presetApply({ name, ids })).updated;
      this.#done = t('inspector.presetApplied', { name, n: updated });
    });
    return updated;
  }

  async remove(name: string): Promise<void> {
    if (await this.#act(async () => void (await this.#api.presetRemove({ name })))) {
      this.#done = t('inspector.presetRemoved', { name });
      await this.load();
    }
  }

  dismiss(): void {
    this.#error = undefined;
    this.#nameTaken = false;
  }

  /** Runs an action, keeping its failure as the message to show; `reading` keeps the last one's. */
  async #act(run: () => Promise<void>, reading = false): Promise<boolean> {
    this.#busy = true;
    if (!reading) {
      this.#error = undefined;
      this.#nameTaken = false;
      this.#done = '';
    }
    try {
      await run();
      return true;
    } catch (err) {
      this.#error = errorMessage(err);
      this.#nameTaken = errorCode(err) === 'output.exists';
      return false;
    } finally {
      this.#busy = false;
    }
  }
}
