import type { ApiResponse } from '../../shared/api';
import { Resource } from './resource.svelte';
import type { Connection } from './connection';
import { Workspace } from './workspace.svelte';
import { ModelsState } from './models-state.svelte';
import { errorMessage } from '../i18n/errors';

export type ModelList = ApiResponse<'listModels'>;
export type EngineInfo = ApiResponse<'engineInfo'>;

/** The renderer's view of the engine: the connection, then the models, engine facts and queue. */
export class EngineSession {
  #connection = $state<Connection | { kind: 'connecting' }>({ kind: 'connecting' });
  readonly models = new Resource<ModelList>();
  readonly info = new Resource<EngineInfo>();
  #workspace = $state.raw<Workspace | undefined>(undefined);
  #modelsState = $state.raw<ModelsState | undefined>(undefined);
  #measuring = $state(false);
  #measureError = $state<string | undefined>(undefined);

  readonly #connect: () => Promise<Connection>;

  get connection(): Connection | { kind: 'connecting' } {
    return this.#connection;
  }

  /** Set once connected. */
  get workspace(): Workspace | undefined {
    return this.#workspace;
  }

  /** The Models screen's imports, removals and pairs; set once connected. */
  get modelsState(): ModelsState | undefined {
    return this.#modelsState;
  }

  /** The providers are being measured again (`measureDevices`). */
  get measuring(): boolean {
    return this.#measuring;
  }
  /** Why the last measurement failed. */
  get measureError(): string | undefined {
    return this.#measureError;
  }

  constructor(connect: () => Promise<Connection>) {
    this.#connect = connect;
  }

  /** Connects, then fetches what the app shows. */
  async start(): Promise<void> {
    const c = await this.#connect();
    this.#connection = c;
    if (c.kind === 'connected') {
      this.#workspace = new Workspace(c.api);
      this.#modelsState = new ModelsState(c.api, () => this.reloadModels());
    }
    await Promise.all([this.reloadModels(), this.reloadInfo(), this.#workspace?.start()]);
  }

  reloadModels(): Promise<void> {
    const c = this.#connection;
    return c.kind === 'connected'
      ? this.models.load(() => c.api.listModels({}))
      : Promise.resolve();
  }

  reloadInfo(): Promise<void> {
    const c = this.#connection;
    return c.kind === 'connected' ? this.info.load(() => c.api.engineInfo({})) : Promise.resolve();
  }

  /**
   * Forgets the measured device choices and measures each provider again on `model` (the engine's
   * default when absent); the provider list shows the new figures.
   */
  async measureDevices(model?: string): Promise<void> {
    const c = this.#connection;
    if (c.kind !== 'connected' || this.#measuring) return;
    this.#measuring = true;
    this.#measureError = undefined;
    try {
      const { providers } = await c.api.measureDevices(model ? { model } : {});
      const info = this.info.state;
      if (info.status === 'ready') this.info.set({ ...info.value, providers });
      else await this.reloadInfo();
    } catch (err) {
      this.#measureError = errorMessage(err);
    } finally {
      this.#measuring = false;
    }
  }
}
