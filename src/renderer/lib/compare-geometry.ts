// What the compare view asks the engine for: which downsampled copy of an image is sharp enough
// for the zoom, and which input region a preview render covers.

import type { Rect, Size } from './view-transform';

/** Longest sides of the downsampled copies the view asks for, smallest first. */
export const IMAGE_LEVELS: readonly number[] = [2048, 4096, 8192];

/** Above this many pixels an image is never loaded whole; the largest level is the limit. */
export const FULL_IMAGE_LIMIT = 40_000_000;

/**
 * The `maxSide` to request for an image of `full` px shown `displayedSide` device px long (its
 * long side): the smallest level at least that sharp, undefined for the full image. Images too
 * large to load whole stop at the largest level.
 */
export function chooseLevel(full: Size, displayedSide: number): number | undefined {
  const longSide = Math.max(full.width, full.height);
  const whole = full.width * full.height <= FULL_IMAGE_LIMIT;
  for (const level of IMAGE_LEVELS) {
    if (level >= longSide) return whole ? undefined : level;
    if (level >= displayedSide) return level;
  }
  return whole ? undefined : IMAGE_LEVELS[IMAGE_LEVELS.length - 1];
}

/** An input-px rectangle in the shape `preview` takes. */
export interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The API's largest preview region side (input px). */
export const PREVIEW_MAX_SIDE = 1024;

/**
 * The input region behind the visible part of the output (`visible`, output px): rounded out to
 * whole input px, and cut down around its centre to at most `maxSide` per side. Undefined when
 * nothing is visible.
 */
export function previewRegion(
  visible: Rect,
  output: Size,
  input: Size,
  maxSide = PREVIEW_MAX_SIDE,
): Region | undefined {
  if (visible.width <= 0 || visible.height <= 0) return undefined;
  const sx = output.width / input.width;
  const sy = output.height / input.height;
  const axis = (start: number, len: number, s: number, limit: number): [number, number] => {
    let a = Math.max(0, Math.floor(start / s + 1e-9));
    let b = Math.min(limit, Math.ceil((start + len) / s - 1e-9));
    if (b <= a) b = Math.min(limit, a + 1);
    if (b <= a) a = b - 1;
    if (b - a > maxSide) {
      const centre = (start + len / 2) / s;
      a = Math.max(0, Math.min(limit - maxSide, Math.round(centre - maxSide / 2)));
      b = a + maxSide;
    }
    return [a, b];
  };
  const [x0, x1] = axis(visible.x, visible.width, sx, input.width);
  const [y0, y1] = axis(visible.y, visible.height, sy, input.height);
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/** Below this zoom the view is not previewed unless little of the photo is on screen. */
export const PREVIEW_MIN_ZOOM = 0.5;

/** Input px per side that are always worth previewing, whatever the zoom. */
export const PREVIEW_SMALL_SIDE = 256;

/**
 * Whether the visible region is worth a preview render. Renders cost time in proportion to their
 * pixels and cannot be cancelled; zoomed far out on a large photo a render would take minutes on a
 * CPU and show its detail at a fraction of its size, so the view asks the user to zoom in instead.
 */
export function previewWorthwhile(zoom: number, visibleInput: Region): boolean {
  return (
    zoom >= PREVIEW_MIN_ZOOM ||
    (visibleInput.w <= PREVIEW_SMALL_SIDE && visibleInput.h <= PREVIEW_SMALL_SIDE)
  );
}

/** The output-px rectangle a preview of an input region covers. */
export function regionInOutput(region: Region, output: Size, input: Size): Rect {
  const sx = output.width / input.width;
  const sy = output.height / input.height;
  return { x: region.x * sx, y: region.y * sy, width: region.w * sx, height: region.h * sy };
}

export function sameRegion(a: Region | undefined, b: Region | undefined): boolean {
  return !!a && !!b && a.x === b.x && a.y === b.y && a.w === b.w && a.h === b.h;
}

/**
 * What to preview for the visible part of the output (`visible`, output px) at `zoom`: the input
 * region behind it, or none with `zoomedOut` when so much is on screen that a render is not worth
 * it (the user is asked to zoom in).
 */
export function previewWish(
  visible: Rect,
  zoom: number,
  output: Size,
  input: Size,
): { region: Region | undefined; zoomedOut: boolean } {
  const whole = previewRegion(visible, output, input, Number.POSITIVE_INFINITY);
  if (whole && !previewWorthwhile(zoom, whole)) return { region: undefined, zoomedOut: true };
  return { region: previewRegion(visible, output, input), zoomedOut: false };
}

/** The original's pixel under an output pixel (both whole px from the top left). */
export function originalPixel(
  p: { x: number; y: number },
  output: Size,
  input: Size,
): { x: number; y: number } {
  return {
    x: Math.floor((p.x * input.width) / output.width),
    y: Math.floor((p.y * input.height) / output.height),
  };
}
