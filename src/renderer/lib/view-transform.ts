// Zoom and pan of the compare view as plain maths, so it is testable without a browser. Image
// coordinates are output pixels (the original is shown enlarged to the output size); screen
// coordinates are CSS px inside one pane. Both panes of the side-by-side view, and both layers
// of the split view, are drawn with one transform.
import { formatPercent } from './format';

export interface Size {
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** screen = image · zoom + (x, y). */
export interface ViewTransform {
  zoom: number;
  x: number;
  y: number;
}

/** 1600 %. */
export const MAX_ZOOM = 16;

/** Stops of the zoom menu and of the `+` / `-` keys (fit is added where it falls). */
export const ZOOM_STEPS: readonly number[] = [
  1 / 32,
  1 / 16,
  1 / 8,
  1 / 4,
  1 / 2,
  2 / 3,
  1,
  2,
  3,
  4,
  6,
  8,
  12,
  16,
];

const EPS = 1e-9;

/** The zoom at which the whole image fits the viewport. */
export function fitZoom(image: Size, viewport: Size): number {
  if (image.width <= 0 || image.height <= 0 || viewport.width <= 0 || viewport.height <= 0)
    return 1;
  return Math.min(viewport.width / image.width, viewport.height / image.height);
}

/** The zoom range: from fit (or 100 % for images smaller than the view) to 1600 %. */
export function zoomLimits(image: Size, viewport: Size): { min: number; max: number } {
  const fit = fitZoom(image, viewport);
  return { min: Math.min(fit, 1), max: Math.max(MAX_ZOOM, fit) };
}

export function clampZoom(zoom: number, image: Size, viewport: Size): number {
  const { min, max } = zoomLimits(image, viewport);
  return Math.min(max, Math.max(min, zoom));
}

/**
 * Keeps the image over the viewport: along an axis where the scaled image is smaller than the
 * viewport it is centred; otherwise no gap may open at either edge.
 */
export function clampPan(t: ViewTransform, image: Size, viewport: Size): ViewTransform {
  const axis = (offset: number, imageLen: number, viewLen: number): number => {
    const scaled = imageLen * t.zoom;
    if (scaled <= viewLen) return (viewLen - scaled) / 2;
    return Math.min(0, Math.max(viewLen - scaled, offset));
  };
  return {
    zoom: t.zoom,
    x: axis(t.x, image.width, viewport.width),
    y: axis(t.y, image.height, viewport.height),
  };
}

/** The whole image, centred. */
export function fitTransform(image: Size, viewport: Size): ViewTransform {
  return clampPan({ zoom: fitZoom(image, viewport), x: 0, y: 0 }, image, viewport);
}

export function screenToImage(t: ViewTransform, p: Point): Point {
  return { x: (p.x - t.x) / t.zoom, y: (p.y - t.y) / t.zoom };
}

export function imageToScreen(t: ViewTransform, p: Point): Point {
  return { x: p.x * t.zoom + t.x, y: p.y * t.zoom + t.y };
}

/**
 * Zooms to `zoom` (clamped to the limits) keeping the image point under `anchor` (a screen
 * point, e.g. the cursor) where it is, as far as the pan limits allow.
 */
export function zoomAround(
  t: ViewTransform,
  zoom: number,
  anchor: Point,
  image: Size,
  viewport: Size,
): ViewTransform {
  const z = clampZoom(zoom, image, viewport);
  const p = screenToImage(t, anchor);
  return clampPan({ zoom: z, x: anchor.x - p.x * z, y: anchor.y - p.y * z }, image, viewport);
}

/** Zooms around the centre of the viewport (keys, the zoom menu). */
export function zoomCentred(
  t: ViewTransform,
  zoom: number,
  image: Size,
  viewport: Size,
): ViewTransform {
  return zoomAround(t, zoom, { x: viewport.width / 2, y: viewport.height / 2 }, image, viewport);
}

export function panBy(
  t: ViewTransform,
  dx: number,
  dy: number,
  image: Size,
  viewport: Size,
): ViewTransform {
  return clampPan({ zoom: t.zoom, x: t.x + dx, y: t.y + dy }, image, viewport);
}

/**
 * Carries a view over to a viewport of another size (a window resize, split ↔ side by side):
 * the same zoom and the same image point in the middle.
 */
export function reframe(t: ViewTransform, from: Size, to: Size, image: Size): ViewTransform {
  const centre = screenToImage(t, { x: from.width / 2, y: from.height / 2 });
  const zoom = clampZoom(t.zoom, image, to);
  return clampPan(
    { zoom, x: to.width / 2 - centre.x * zoom, y: to.height / 2 - centre.y * zoom },
    image,
    to,
  );
}

/** The part of the image the viewport shows, in image px, clipped to the image. */
export function visibleImageRect(t: ViewTransform, image: Size, viewport: Size): Rect {
  const a = screenToImage(t, { x: 0, y: 0 });
  const b = screenToImage(t, { x: viewport.width, y: viewport.height });
  const x0 = Math.max(0, Math.min(image.width, a.x));
  const y0 = Math.max(0, Math.min(image.height, a.y));
  const x1 = Math.max(0, Math.min(image.width, b.x));
  const y1 = Math.max(0, Math.min(image.height, b.y));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** The next zoom stop above (`direction` 1) or below (-1) `zoom`; fit counts as a stop. */
export function stepZoom(zoom: number, direction: 1 | -1, fit: number): number {
  const stops = [...ZOOM_STEPS, fit].sort((a, b) => a - b);
  if (direction > 0) return stops.find((s) => s > zoom * (1 + 1e-6)) ?? stops[stops.length - 1];
  for (let i = stops.length - 1; i >= 0; i--) if (stops[i] < zoom * (1 - 1e-6)) return stops[i];
  return stops[0];
}

/** Zoom factor for a wheel movement: one notch (≈100 px) is about ×1.25. */
export function wheelFactor(deltaY: number, deltaMode = 0): number {
  const px = deltaMode === 1 ? deltaY * 33 : deltaMode === 2 ? deltaY * 400 : deltaY;
  const limited = Math.max(-300, Math.min(300, px));
  return Math.pow(2, -limited / 300);
}

/** The CSS transform that draws image px at their screen place (transform-origin 0 0). */
export function cssTransform(t: ViewTransform): string {
  return `translate(${round3(t.x)}px, ${round3(t.y)}px) scale(${round6(t.zoom)})`;
}

/** At 100 % and above one image pixel covers whole screen pixels: draw it as a square. */
export function isPixelated(zoom: number): boolean {
  return zoom >= 1 - EPS;
}

/** 4 → "400 %", 0.3333 → "33 %", 0.04 → "4 %", 0.0312 → "3.1 %". */
export function formatZoom(zoom: number): string {
  return formatPercent(zoom);
}

/** Split, side by side, or the α strip (whose panes compare-strip.ts lays out). */
export type CompareMode = 'split' | 'side' | 'strip';

/**
 * The pane rectangles of a layout inside the view: split uses one pane (the divider clips the
 * upscaled layer), side by side two panes of equal size with a gap between them.
 */
export function paneRects(mode: CompareMode, view: Size, gap = 2): Rect[] {
  if (mode !== 'side') return [{ x: 0, y: 0, width: view.width, height: view.height }];
  const w = Math.max(0, Math.floor((view.width - gap) / 2));
  return [
    { x: 0, y: 0, width: w, height: view.height },
    { x: view.width - w, y: 0, width: w, height: view.height },
  ];
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
