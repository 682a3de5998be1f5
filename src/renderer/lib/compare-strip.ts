// The α strip as plain maths, testable without a browser: the set of α values it shows (edited by
// the user), the grid its panes are laid out in, and the order their renders are asked for.

import { fitZoom, type Point, type Rect, type Size } from './view-transform';

/** The values a new strip shows. */
export const DEFAULT_STRIP_ALPHAS: readonly number[] = [0, 0.25, 0.5, 0.75, 1];

/** Bounds on the number of panes: one to compare with the dial, seven fit the smallest window. */
export const MIN_STRIP = 1;
export const MAX_STRIP = 7;

/** Screen px the strip's bar (its α values) takes above the panes. */
export const STRIP_BAR_HEIGHT = 36;

/** Screen px between two panes. */
export const STRIP_GAP = 2;

/** α is kept to the dial's step, 0.01: two values closer than that are the same value. */
export function roundAlpha(a: number): number {
  return Math.round(Math.min(1, Math.max(0, a)) * 100) / 100;
}

/** Whether two α values are the same at the dial's step. */
export function sameAlpha(a: number, b: number): boolean {
  return Math.abs(roundAlpha(a) - roundAlpha(b)) < 1e-9;
}

/**
 * What a pane shows: the exact render of the region on screen, one of an earlier region at its own
 * place (`stale`, while the new one renders), or nothing yet (`rendering` is the one in flight,
 * `waiting` is queued behind it).
 */
export type PaneKind = 'exact' | 'stale' | 'rendering' | 'waiting' | 'failed';

/** The result of editing the set: the new set, or why the edit is refused (the set unchanged). */
export type StripEdit =
  { ok: true; alphas: number[] } | { ok: false; reason: StripRefusal; alphas: number[] };

export type StripRefusal =
  | { kind: 'not-a-number'; text: string }
  | { kind: 'out-of-range'; value: number }
  | { kind: 'duplicate'; value: number }
  | { kind: 'too-many'; max: number }
  | { kind: 'too-few'; min: number };

/**
 * Reads a typed α: a decimal number with a point or a comma (German keyboards), from 0 to 1;
 * rounded to the dial's step.
 */
export function parseAlpha(
  text: string,
): { ok: true; value: number } | { ok: false; reason: StripRefusal } {
  const t = text.trim().replace(',', '.');
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(t))
    return { ok: false, reason: { kind: 'not-a-number', text } };
  const n = Number(t);
  if (n < 0 || n > 1) return { ok: false, reason: { kind: 'out-of-range', value: n } };
  return { ok: true, value: roundAlpha(n) };
}

/**
 * A set as the strip keeps it: every value in 0–1 at the dial's step, each once, in ascending
 * order, at most MAX_STRIP; an unusable set (none valid) is the default one.
 */
export function normaliseAlphas(values: readonly unknown[]): number[] {
  const out: number[] = [];
  for (const v of values) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) continue;
    const a = roundAlpha(v);
    if (!out.some((b) => sameAlpha(a, b))) out.push(a);
  }
  out.sort((a, b) => a - b);
  return out.length >= MIN_STRIP ? out.slice(0, MAX_STRIP) : [...DEFAULT_STRIP_ALPHAS];
}

/** Adds a value to the set (sorted in); refused when it is there already or the set is full. */
export function addAlpha(alphas: readonly number[], value: number): StripEdit {
  const set = [...alphas];
  if (set.length >= MAX_STRIP)
    return { ok: false, reason: { kind: 'too-many', max: MAX_STRIP }, alphas: set };
  const a = roundAlpha(value);
  if (set.some((b) => sameAlpha(a, b)))
    return { ok: false, reason: { kind: 'duplicate', value: a }, alphas: set };
  return { ok: true, alphas: normaliseAlphas([...set, a]) };
}

/**
 * The value "Add" proposes: an end (0, then 1) the set lacks, else the middle of the widest gap
 * between neighbours at the dial's step; undefined when no step is free.
 */
export function nextAlpha(alphas: readonly number[]): number | undefined {
  const pts = alphas.map(roundAlpha).sort((a, b) => a - b);
  for (const end of [0, 1]) if (!pts.some((p) => sameAlpha(p, end))) return end;
  let best: number | undefined;
  let widest = 0;
  for (let i = 1; i < pts.length; i++) {
    const mid = roundAlpha((pts[i] + pts[i - 1]) / 2);
    const gap = pts[i] - pts[i - 1];
    if (gap > widest + 1e-9 && !pts.some((p) => sameAlpha(p, mid))) {
      widest = gap;
      best = mid;
    }
  }
  return best;
}

/** Removes the value at `index`; refused when the set would have fewer than MIN_STRIP. */
export function removeAlpha(alphas: readonly number[], index: number): StripEdit {
  const set = [...alphas];
  if (set.length <= MIN_STRIP)
    return { ok: false, reason: { kind: 'too-few', min: MIN_STRIP }, alphas: set };
  if (index < 0 || index >= set.length) return { ok: true, alphas: set };
  set.splice(index, 1);
  return { ok: true, alphas: set };
}

/** Replaces the value at `index` with a typed one (re-sorted); refused as `parseAlpha` or a duplicate. */
export function editAlpha(alphas: readonly number[], index: number, text: string): StripEdit {
  const set = [...alphas];
  const parsed = parseAlpha(text);
  if (!parsed.ok) return { ok: false, reason: parsed.reason, alphas: set };
  if (set.some((b, i) => i !== index && sameAlpha(b, parsed.value)))
    return { ok: false, reason: { kind: 'duplicate', value: parsed.value }, alphas: set };
  if (index < 0 || index >= set.length) return { ok: true, alphas: set };
  set[index] = parsed.value;
  return { ok: true, alphas: normaliseAlphas(set) };
}

/**
 * The order the panes' renders are asked for (the engine renders one at a time): the pane of the
 * dial's α first (the one the user is deciding about), then from the middle of the strip outwards,
 * the nearer neighbour to the left before the one to the right.
 */
export function renderOrder(alphas: readonly number[], current: number | undefined): number[] {
  const n = alphas.length;
  const mid = (n - 1) / 2;
  const order = [...alphas.keys()].sort((a, b) => Math.abs(a - mid) - Math.abs(b - mid) || a - b);
  const on = current === undefined ? -1 : alphas.findIndex((a) => sameAlpha(a, current));
  return on < 0 ? order : [on, ...order.filter((i) => i !== on)];
}

/** Columns and rows of the strip's grid. */
export interface StripGrid {
  columns: number;
  rows: number;
}

/**
 * The grid that shows the photo largest in each pane (its fit zoom in one pane), wider grids first
 * on a tie: a wide window puts the panes in one row, a squarer one in two or three.
 */
export function stripGrid(n: number, area: Size, image: Size, gap = STRIP_GAP): StripGrid {
  let best: StripGrid = { columns: Math.max(1, n), rows: 1 };
  let bestZoom = -1;
  for (let columns = Math.max(1, n); columns >= 1; columns--) {
    const rows = Math.ceil(n / columns);
    const pane = paneSize(area, columns, rows, gap);
    if (pane.width <= 0 || pane.height <= 0) continue;
    const zoom = fitZoom(image, pane);
    if (zoom > bestZoom * (1 + 1e-9)) {
      best = { columns, rows };
      bestZoom = zoom;
    }
  }
  return best;
}

function paneSize(area: Size, columns: number, rows: number, gap: number): Size {
  return {
    width: Math.floor((area.width - gap * (columns - 1)) / columns),
    height: Math.floor((area.height - gap * (rows - 1)) / rows),
  };
}

/**
 * The panes of a strip of `n` in `area` (screen px, below `top`): all of one size, row by row, left
 * to right; a last row with fewer panes is centred.
 */
export function stripRects(n: number, area: Size, image: Size, top = 0, gap = STRIP_GAP): Rect[] {
  if (n <= 0 || area.width <= 0 || area.height <= 0) return [];
  const { columns, rows } = stripGrid(n, area, image, gap);
  const pane = paneSize(area, columns, rows, gap);
  const rects: Rect[] = [];
  for (let i = 0; i < n; i++) {
    const row = Math.floor(i / columns);
    const inRow = Math.min(columns, n - row * columns);
    const rowWidth = inRow * pane.width + (inRow - 1) * gap;
    const left = Math.floor((area.width - rowWidth) / 2);
    const col = i - row * columns;
    rects.push({
      x: left + col * (pane.width + gap),
      y: top + row * (pane.height + gap),
      width: pane.width,
      height: pane.height,
    });
  }
  return rects;
}

/** The index of the pane under a point (viewport px), or -1 between and outside them. */
export function paneAt(rects: readonly Rect[], p: Point): number {
  return rects.findIndex(
    (r) => p.x >= r.x && p.x < r.x + r.width && p.y >= r.y && p.y < r.y + r.height,
  );
}

/** A press that moved less than this (screen px) is a click on the pane, not a pan. */
export const CLICK_SLOP = 4;
