// The compare view's keys as plain maps from a key to what it does, so they are testable without
// a browser.

/** What a zoom key asks for: `+`/`=` in, `-`/`_` out, `0` fit, `1` 100 %. */
export type ZoomKeyAction = 'in' | 'out' | 'fit' | 'actual';

export function zoomKeyAction(key: string): ZoomKeyAction | undefined {
  if (key === '+' || key === '=') return 'in';
  if (key === '-' || key === '_') return 'out';
  if (key === '0') return 'fit';
  if (key === '1') return 'actual';
  return undefined;
}

/** Screen px an arrow key pans the image by (Shift: a larger step); undefined for other keys. */
export function panKeyMove(key: string, shift: boolean): [number, number] | undefined {
  const step = shift ? 200 : 50;
  const moves: Record<string, [number, number]> = {
    ArrowLeft: [step, 0],
    ArrowRight: [-step, 0],
    ArrowUp: [0, step],
    ArrowDown: [0, -step],
  };
  return moves[key];
}

/**
 * The split position (0–1) after a key on the divider: arrows nudge it (Shift: further), Home and
 * End put it at an edge; undefined for other keys.
 */
export function dividerKeyMove(key: string, shift: boolean, divider: number): number | undefined {
  const step = shift ? 0.1 : 0.02;
  let d: number;
  if (key === 'ArrowLeft') d = divider - step;
  else if (key === 'ArrowRight') d = divider + step;
  else if (key === 'Home') d = 0;
  else if (key === 'End') d = 1;
  else return undefined;
  return clampUnit(d);
}

/** Clamps to 0–1. */
export function clampUnit(n: number): number {
  return Math.min(1, Math.max(0, n));
}

/** The key held to see the original in place of the render (`\`, Lightroom's before/after key). */
export const FLICKER_KEY = '\\';

/**
 * Whether a key event is the flicker key: `\` with no Ctrl / ⌘ (AltGr, which some layouts need to
 * type it and which browsers report as Ctrl + Alt, counts as no modifier).
 */
export function isFlickerKey(
  e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'altKey' | 'metaKey'>,
): boolean {
  if (e.key !== FLICKER_KEY || e.metaKey) return false;
  return !e.ctrlKey || e.altKey;
}

/** Whether a key event opens the shortcuts sheet: `?`, however the layout types it. */
export function isShortcutsKey(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey'>): boolean {
  return e.key === '?' && !e.ctrlKey && !e.metaKey;
}

/** The keys that choose a focused strip pane (as for any button). */
export function isChooseKey(key: string): boolean {
  return key === 'Enter' || key === ' ';
}
