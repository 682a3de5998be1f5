// Whether removing a model would break work the user still has: photos waiting or running with it
// (alone or as a stage of a chain), the model Settings gives new photos, and saved presets. The CLI has neither a
// queue nor settings, so this is the app's guard only; a pair's ends are guarded by removeModel.
import { msg, type EngineMessage } from '../../../shared/engine-message';
import type { QueueItem } from '../../../shared/queue';
import type { AppSettings } from '../../../shared/settings';
import { chainStages } from '../models/chain-id';

const usesModel = (model: string, id: string): boolean =>
  model === id || (chainStages(model)?.includes(id) ?? false);

/**
 * Why `id` cannot be removed now (a sentence naming it), or undefined when nothing uses it:
 * photos waiting or running with it, the model Settings gives new photos, or a saved preset
 * (which would fail when applied, and the user made it to keep).
 */
export function modelInUse(
  id: string,
  items: readonly QueueItem[],
  settings: Pick<AppSettings, 'model'>,
  presets: readonly { name: string; settings: { model?: string } }[] = [],
): EngineMessage | undefined {
  const pending = items.filter(
    (i) => (i.state === 'waiting' || i.state === 'running') && usesModel(i.settings.model, id),
  );
  if (pending.length > 0) {
    return msg('batch.modelInUsePhotos', { id, count: pending.length, file: pending[0]!.input });
  }
  if (usesModel(settings.model, id)) return msg('batch.modelInUseSettings', { id });
  const named = presets.filter((p) => p.settings.model && usesModel(p.settings.model, id));
  if (named.length > 0)
    return msg('batch.modelInUsePresets', { id, count: named.length, preset: named[0]!.name });
  return undefined;
}
