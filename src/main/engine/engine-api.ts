import type { ApiMethod, ApiRequest, ApiResponse } from '../../shared/api';
import type { ModelRegistry } from './models/model-registry';
import { currentPlatform } from './runtime/open-session';
import { planProviders, preferredDevices } from './runtime/provider-select';

export type EngineHandlers = { [M in ApiMethod]: (req: ApiRequest<M>) => Promise<ApiResponse<M>> };

/** Implements the API contract on the engine; transports (IPC, loopback server) call these. */
export function createEngineHandlers(registry: ModelRegistry, version: string): EngineHandlers {
  return {
    listModels: async () => registry.info(),
    engineInfo: async () => {
      const p = currentPlatform();
      const gpu = preferredDevices(p.platform, p.arch);
      const providers = [
        { name: 'cpu', available: true },
        ...gpu.map((d) => {
          const note = planProviders(d, p).notes[0];
          return { name: d, available: note === undefined, note };
        }),
      ];
      return {
        version,
        platform: `${p.platform}-${p.arch}`,
        providers,
        defaultDevice: 'auto' as const,
      };
    },
  };
}
