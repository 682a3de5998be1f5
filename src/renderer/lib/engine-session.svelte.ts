import type { ApiResponse } from '../../shared/api';
import { Resource } from './resource.svelte';
import type { Connection } from './connection';
import { Workspace } from './workspace.svelte';

export type ModelList = ApiResponse<'listModels'>;
export type EngineInfo = ApiResponse<'engineInfo'>;

/** The renderer's view of the engine: the connection, then the models, engine facts and queue. */
export class EngineSession {
  #connection = $state<Connection | { kind: 'connecting' }>({ kind: 'connecting' });
  readonly models = new Resource<ModelList>();
  readonly info = new Resource<EngineInfo>();
  #workspace = $state.raw<Workspace | undefined>(undefined);

  readonly #connect: () => Promise<Connection>;

  get connection(): Connection | { kind: 'connecting' } {
    return this.#connection;
  }

  /** Set once connected. */
  get workspace(): Workspace | undefined {
    return this.#workspace;
  }

  constructor(connect: () => Promise<Connection>) {
    this.#connect = connect;
  }

  /** Connects, then fetches what the app shows. */
  async start(): Promise<void> {
    const c = await this.#connect();
    this.#connection = c;
    if (c.kind === 'connected') this.#workspace = new Workspace(c.api);
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
}
