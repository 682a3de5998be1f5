import { DEFAULT_NAME_TEMPLATE } from '../../../shared/defaults';
import { msg, type EngineMessageKey, type MessageParams } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';
import type { Patch } from '../../../shared/patch';
import { BIT_DEPTHS } from '../../../shared/output-rules';
import { PRESET_ITEM_KEYS, type Preset, type PresetSettings } from '../../../shared/presets';
import type { ItemSettings, OnExists, QueueItem } from '../../../shared/queue';
import { chainStages } from '../models/chain-id';
import type { ModelRegistry } from '../models/model-registry';
import { checkNameTemplate } from '../queue/output-plan';

/**
 * Checks that a preset can be used here: its model (each stage of a chain) is installed, α is
 * given only for a pair, the size is one choice, bit depth and compression fit the format, the
 * name template is usable. The message names the preset and the file it came from. Without a
 * registry the models are not checked.
 */
export function checkPreset(
  registry: ModelRegistry | undefined,
  preset: Preset,
  file: string,
): void {
  const s = preset.settings;
  const fail = (
    code: 'model.unknown' | 'request.invalid',
    key: EngineMessageKey,
    params: MessageParams = {},
  ): never => {
    throw new UpresError(code, msg(key, { name: preset.name, file, ...params }));
  };
  const stages = chainStages(s.model) ?? [s.model];
  // Without a registry (a farm submit: the workers hold the models) only the file is checked.
  if (registry) {
    for (const id of stages)
      if (!registry.isPair(id) && !registry.ids().includes(id))
        fail('model.unknown', 'batch.presetModelMissing', { model: id });
  }
  if (registry && s.alpha !== undefined && !stages.some((id) => registry.isPair(id)))
    fail('request.invalid', 'batch.presetAlphaSingle', { model: s.model });
  if (s.scale !== undefined && (s.width !== undefined || s.height !== undefined))
    fail('request.invalid', 'batch.presetScaleAndSize');
  if (s.format && s.bitDepth !== undefined && !BIT_DEPTHS[s.format].includes(s.bitDepth))
    bitDepthFail(fail, s.bitDepth, s.format);
  if (s.compression && s.format && s.format !== 'tiff')
    fail('request.invalid', 'batch.presetCompression');
  if (s.nameTemplate !== undefined) {
    try {
      checkNameTemplate(s.nameTemplate);
    } catch (err) {
      // The template's own sentence (English) goes in as a value: keys do not nest.
      fail('request.invalid', 'batch.presetTemplate', { reason: (err as Error).message });
    }
  }
}

/**
 * The item-settings patch that applying a preset makes: every key a preset can hold is set, and
 * the keys it leaves out are reset to their defaults (null), so a photo ends up with exactly the
 * preset's output whatever it had before. Machine settings (device, tile, precision) stay.
 */
export function presetPatch(s: PresetSettings): Patch<ItemSettings> {
  const patch: Record<string, unknown> = {};
  for (const key of PRESET_ITEM_KEYS) patch[key] = s[key] ?? null;
  return patch as Patch<ItemSettings>;
}

/** The naming a preset gives (the defaults where it names none). */
export function presetNaming(s: PresetSettings): { nameTemplate: string; onExists: OnExists } {
  return {
    nameTemplate: s.nameTemplate ?? DEFAULT_NAME_TEMPLATE,
    onExists: s.onExists ?? 'suffix',
  };
}

/** The preset settings of a queue item: its output settings and its naming. */
export function presetFromItem(item: QueueItem): PresetSettings {
  const s: Record<string, unknown> = {};
  for (const key of PRESET_ITEM_KEYS)
    if (item.settings[key] !== undefined) s[key] = item.settings[key];
  s.nameTemplate = item.placement.nameTemplate;
  s.onExists = item.placement.onExists;
  return s as PresetSettings;
}

/** The bit-depth refusal: one key per number of depths the format holds (a list is no value). */
function bitDepthFail(
  fail: (code: 'request.invalid', key: EngineMessageKey, params: MessageParams) => never,
  depth: number,
  format: keyof typeof BIT_DEPTHS,
): never {
  const [d1 = 8, d2, d3] = BIT_DEPTHS[format];
  const params = { depth, format, d1, ...(d2 ? { d2 } : {}), ...(d3 ? { d3 } : {}) };
  return fail(
    'request.invalid',
    d3 ? 'batch.presetBitDepth3' : d2 ? 'batch.presetBitDepth2' : 'batch.presetBitDepth',
    params,
  );
}
