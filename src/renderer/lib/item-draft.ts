// The settings panel's draft of an item's settings: what its fields start at, and the settings
// patch that the user's edits make. Plain functions, so the panel's rules are testable.

import type { ModelInfo } from '../../shared/model-manifest';
import type { QueueItem } from '../../shared/queue';
import { BIT_DEPTHS, type OutputFormatName } from '../../shared/output-rules';
import type { SettingsPatch } from './queue-store.svelte';

export type SizeMode = 'model' | 'scale' | 'width' | 'height';
export type DraftFormat = '' | 'png' | 'jpeg' | 'webp' | 'tiff' | 'avif';

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
  /** TIFF compression; '' = the default (Deflate). */
  compression: '' | 'deflate' | 'lzw' | 'none';
  /** Bits per channel; 0 = as the photo (within what the format holds). */
  bitDepth: number;
  /** Multiply the resolution (DPI) by the scale, so the print size stays. */
  keepPrintSize: boolean;
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
    compression: s.compression ?? '',
    bitDepth: s.bitDepth ?? 0,
    keepPrintSize: s.keepPrintSize ?? false,
  };
}

/**
 * The settings patch of the edited fields (`null` resets a field: the size fields exclude each
 * other); α only for a pair; a bit depth only where the format holds it.
 */
export function patchOf(
  edits: Partial<Draft>,
  d: Draft,
  pair: boolean,
  /** The format "same as the photo" means for this item. */
  inputFormat: OutputFormatName = 'png',
): SettingsPatch {
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
  if ('compression' in edits) p.compression = d.compression === '' ? null : d.compression;
  // A depth the chosen format cannot hold goes back to "as the photo" (the engine would refuse it).
  const holds = BIT_DEPTHS[d.format || inputFormat].includes(d.bitDepth);
  if ('bitDepth' in edits || ('format' in edits && d.bitDepth !== 0 && !holds))
    p.bitDepth = d.bitDepth !== 0 && holds ? (d.bitDepth as 8 | 10 | 12 | 16) : null;
  if ('keepPrintSize' in edits) p.keepPrintSize = d.keepPrintSize ? true : null;
  return p;
}
