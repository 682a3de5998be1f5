import type { ModelInfo } from '../../shared/model-manifest';
import type { AppSettings } from '../../shared/settings';
import type { AddSettings } from './queue-store.svelte';

/**
 * The settings new items are added with: the saved model, or the first one the engine has when
 * the saved one is gone. The engine fills the rest (device, tile, metadata, α…) from the saved
 * settings.
 */
export function addSettingsFrom(
  app: AppSettings | undefined,
  models: readonly ModelInfo[],
): AddSettings | undefined {
  const model = models.find((m) => m.id === app?.model) ?? models[0];
  return model ? { model: model.id } : undefined;
}
