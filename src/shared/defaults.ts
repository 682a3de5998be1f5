// Defaults that the app, `upres serve` and the CLI share, each stated once.

/**
 * The model new work uses when none is chosen: the photo pair, so the app's α dial applies from
 * the first photo; at the pair's default α it is mostly Real-ESRGAN x4plus.
 */
export const DEFAULT_MODEL = 'photo-x4';

/** Output file name without extension: the input's name and the output scale. */
export const DEFAULT_NAME_TEMPLATE = '{name}_x{scale}';

/**
 * The α an item of a pair is rendered at: its own, else the pair's manifest default; undefined for
 * a single model (no dial).
 */
export function effectiveAlpha(
  alpha: number | undefined,
  pair: { defaultAlpha: number } | undefined,
): number | undefined {
  return pair ? (alpha ?? pair.defaultAlpha) : undefined;
}
