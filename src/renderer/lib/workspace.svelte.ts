import type { ModelInfo } from '../../shared/model-manifest';
import { addSettingsFrom } from './add-settings';
import type { EngineApi } from './connection';
import { FarmState } from './farm-state.svelte';
import { QueueStore } from './queue-store.svelte';
import { SettingsStore } from './settings-store.svelte';
import { Thumbnails } from './thumbnails.svelte';

export type Screen = 'work' | 'settings' | 'models';

/** Everything the connected app works with: the API, the queue, the settings, the thumbnails. */
export class Workspace {
  readonly api: EngineApi;
  readonly queue: QueueStore;
  readonly settings: SettingsStore;
  readonly thumbnails: Thumbnails;
  /** The render farm (Settings → Farm, *Send to farm*, the sent batches). */
  readonly farm: FarmState;
  #screen = $state<Screen>('work');
  #detach: (() => void) | undefined;

  constructor(api: EngineApi) {
    this.api = api;
    this.queue = new QueueStore(api);
    this.settings = new SettingsStore(api);
    this.thumbnails = new Thumbnails(api);
    this.farm = new FarmState(api);
  }

  /** The screen shown: the work (queue, compare, inspector) or the settings. */
  get screen(): Screen {
    return this.#screen;
  }

  show(screen: Screen): void {
    this.#screen = screen;
  }

  /** Subscribes to engine events, then loads the queue (as the engine kept it) and settings. */
  async start(): Promise<void> {
    if (!this.#detach) {
      const queue = this.queue.attach();
      const farm = this.farm.attach();
      this.#detach = () => {
        queue();
        farm();
      };
    }
    await Promise.all([this.queue.load(), this.settings.load(), this.farm.load()]);
  }

  /** Adds files and folders with the saved defaults; false when nothing could be added. */
  async addPaths(paths: string[], models: readonly ModelInfo[]): Promise<boolean> {
    const settings = addSettingsFrom(this.settings.value, models);
    if (!settings) {
      this.queue.fail('The engine has no model to upscale with.');
      return false;
    }
    return (await this.queue.add(paths, settings)) > 0;
  }

  /** The native pickers (Electron), then adds what was chosen. */
  async choose(kind: 'files' | 'folder', models: readonly ModelInfo[]): Promise<void> {
    const choose = this.api.choosePaths;
    if (!choose) return;
    const paths = await choose(kind);
    if (paths.length > 0) await this.addPaths(paths, models);
  }

  stop(): void {
    this.#detach?.();
    this.#detach = undefined;
  }
}
