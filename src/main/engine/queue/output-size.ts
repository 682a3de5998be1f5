import type { ItemSettings } from '../../../shared/queue';

/**
 * Output size for an input: an explicit scale, a target width and/or height (aspect ratio kept;
 * with both, the largest size that fits inside the box), or the model's own scale.
 */
export function outputSize(
  width: number,
  height: number,
  s: Pick<ItemSettings, 'scale' | 'width' | 'height'>,
  modelScale: number,
): { outWidth: number; outHeight: number; scale: number } {
  let scale: number;
  if (s.scale !== undefined) scale = s.scale;
  else if (s.width !== undefined && s.height !== undefined)
    scale = Math.min(s.width / width, s.height / height);
  else if (s.width !== undefined) scale = s.width / width;
  else if (s.height !== undefined) scale = s.height / height;
  else scale = modelScale;
  const outWidth =
    s.width !== undefined && s.height === undefined && s.scale === undefined
      ? s.width
      : Math.max(1, Math.round(width * scale));
  const outHeight =
    s.height !== undefined && s.width === undefined && s.scale === undefined
      ? s.height
      : Math.max(1, Math.round(height * scale));
  return { outWidth, outHeight, scale };
}

/** Output format for an input file when none is chosen: the input's if Upres writes it, else PNG. */
export function defaultFormatFor(input: string): 'png' | 'jpeg' | 'webp' {
  const ext = input.toLowerCase().split('.').pop() ?? '';
  if (ext === 'jpg' || ext === 'jpeg') return 'jpeg';
  if (ext === 'webp') return 'webp';
  return 'png';
}
