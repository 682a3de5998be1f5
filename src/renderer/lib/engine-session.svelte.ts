import type { ApiResponse } from '../../shared/api';
import { Resource } from './resource.svelte';
import type { Connection } from './transport';

export type ModelList = ApiResponse<'listModels'>;
export type EngineInfo = ApiResponse<'engineInfo'>;

/** The renderer's view of the engine: the connection, then the models and engine facts. */
export class EngineSession {
  connection = $state<Connection | { kind: 'connecting' }>({ kind: 'connecting' });
  readonly models = new Resource<ModelList>();
  readonly info = new Resource<EngineInfo>();

  readonly #connect: () => Promise<Connection>;

  constructor(connect: () => Promise<Connection>) {
    this.#connect = connect;
  }

  /** Connects, then fetches what the side panel shows. */
  async start(): Promise<void> {
    this.connection = await this.#connect();
    await Promise.all([this.reloadModels(), this.reloadInfo()]);
  }

  reloadModels(): Promise<void> {
    const c = this.connection;
    return c.kind === 'connected'
      ? this.models.load(() => c.api.listModels({}))
      : Promise.resolve();
  }

  reloadInfo(): Promise<void> {
    const c = this.connection;
    return c.kind === 'connected' ? this.info.load(() => c.api.engineInfo({})) : Promise.resolve();
  }
}
