import type { ApiMethod, ApiRequest, ApiResponse } from '../../../shared/api';
import type { AppEngine } from './app-engine';
import { createModelHandlers } from './model-handlers';
import { modelInUse } from './model-use';
import { DEFAULT_MODEL } from '../../../shared/defaults';
import { userDeviceChoices } from '../runtime/device-choice-store';
import { loadModel } from '../runtime/loaded-model';
import { currentPlatform } from '../runtime/open-session';
import { providerStatuses } from '../runtime/provider-status';

export type EngineHandlers = { [M in ApiMethod]: (req: ApiRequest<M>) => Promise<ApiResponse<M>> };

/**
 * Implements the API contract on the engine; transports (IPC, loopback server) call these with
 * requests they have already validated (see dispatchApi).
 */
export function createEngineHandlers(engine: AppEngine): EngineHandlers {
  const { registry, version } = engine;
  return {
    listModels: async () => registry.info(),
    // importModel, removeModel, pairModels, pairOptions (the Models screen).
    ...createModelHandlers(registry, async (id) =>
      modelInUse(
        id,
        engine.queueList().items,
        engine.settingsGet(),
        (await engine.presets.list()).presets,
      ),
    ),
    queueList: async () => engine.queueList(),
    queueAdd: (req) => engine.queueAdd(req),
    queueUpdate: (req) => engine.queueUpdate(req),
    queueControl: (req) => engine.queueControl(req),
    queueRestore: (req) => engine.queueRestore(req),
    queueReexport: (req) => engine.queueReexport(req),
    preview: (req) => engine.preview(req),
    previewEnds: (req) => engine.previewEnds(req),
    previewCancel: async (req) => engine.previewCancel(req),
    itemImage: (req) => engine.itemImage(req),
    presetList: () => engine.presets.list(),
    presetSave: (req) => engine.presetSave(req),
    presetRemove: async ({ name }) => {
      await engine.presets.remove(name);
      return { removed: name };
    },
    presetApply: (req) => engine.presetApply(req),
    settingsGet: async () => engine.settingsGet(),
    settingsSet: (req) => engine.settingsSet(req),
    farmGet: async () => engine.farm.get(),
    farmSet: (req) => engine.farm.set(req),
    farmTest: (req) => engine.farm.test(req),
    farmSend: (req) => engine.farm.sendItems(req),
    farmStatus: () => engine.farm.status(),
    farmCancel: (req) => engine.farm.cancel(req.batch),
    farmForget: async (req) => {
      await engine.farm.forget(req.batch);
      return { ok: true as const };
    },
    engineInfo: async () => {
      const p = currentPlatform('app');
      return {
        version,
        platform: `${p.platform}-${p.arch}`,
        providers: await providerStatuses(userDeviceChoices(), 'app', p),
        defaultDevice: 'auto' as const,
      };
    },
    measureDevices: async ({ model }) => {
      const store = userDeviceChoices();
      await store.clear();
      const m = await loadModel(registry, model ?? DEFAULT_MODEL, {
        device: 'auto',
        store,
        audience: 'app',
      });
      await m.dispose();
      return { providers: await providerStatuses(store, 'app') };
    },
  };
}
