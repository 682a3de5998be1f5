// The settings panel's draft of an item's settings: what its fields start at, and the settings
// patch that the user's edits make. Plain functions, so the panel's rules are testable.

import type { ModelInfo } from '../../shared/model-manifest';
import type { QueueItem } from '../../shared/queue';
import type { SettingsPatch } from './queue-store.svelte';

export type SizeMode = 'model' | 'scale' | 'width' | 'height';
export type DraftFormat = '' | 'png' | 'jpeg' | 'webp';

export interface Draft {
  model: string;
  /** Unset: the pair's own default. */
  alpha: number | undefined;
  sizeMode: SizeMode;
  scale: number;
  width: number;
  height: number;
  format: DraftFormat;
  quality: number;
}

/** The fields as an item has them; sizes not set start at what the engine plans now. */
export function draftOf(item: QueueItem, model: Pick<ModelInfo, 'scale'> | undefined): Draft {
  const s = item.settings;
  const sizeMode: SizeMode =
    s.scale !== undefined
      ? 'scale'
      : s.width !== undefined
        ? 'width'
        : s.height !== undefined
          ? 'height'
          : 'model';
  return {
    model: s.model,
    alpha: s.alpha,
    sizeMode,
    scale: s.scale ?? model?.scale ?? 4,
    width: s.width ?? item.plan?.width ?? item.width ?? 1000,
    height: s.height ?? item.plan?.height ?? item.height ?? 1000,
    format: s.format ?? '',
    quality: s.quality ?? 90,
  };
}

/**
 * The settings patch of the edited fields (`null` resets a field: the size fields exclude each
 * other); α only for a pair.
 */
export function patchOf(edits: Partial<Draft>, d: Draft, pair: boolean): SettingsPatch {
  const p: SettingsPatch = {};
  if ('model' in edits) p.model = d.model;
  if (d.alpha !== undefined && 'alpha' in edits && pair) p.alpha = d.alpha;
  const sizeEdited = ['sizeMode', 'scale', 'width', 'height'].some((k) => k in edits);
  if (sizeEdited) {
    if (d.sizeMode === 'model') Object.assign(p, { scale: null, width: null, height: null });
    else if (d.sizeMode === 'scale')
      Object.assign(p, { scale: d.scale, width: null, height: null });
    else if (d.sizeMode === 'width')
      Object.assign(p, { width: Math.round(d.width), scale: null, height: null });
    else Object.assign(p, { height: Math.round(d.height), scale: null, width: null });
  }
  if ('format' in edits) p.format = d.format === '' ? null : d.format;
  if ('quality' in edits) p.quality = Math.round(d.quality);
  return p;
}
