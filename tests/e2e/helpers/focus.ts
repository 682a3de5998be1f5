import type { Page } from 'playwright-core';

/** One stop of the Tab key: what has focus, where it is, and how its focus shows. */
export interface FocusStop {
  /** data-testid (or tag and accessible words) of the focused element. */
  what: string;
  /** The page region it is in: header, queue, main, inspector (or other). */
  region: string;
  /** Width of the outline drawn in CSS pixels (0 without one). */
  outline: number;
  outlineColor: string;
  /** The outline, or a part of it wider than a pixel, is hidden by a clipping ancestor. */
  clipped: boolean;
}

// Runs in the page (a string: the test's tsconfig has no DOM types). The ring the browser paints
// for :focus-visible is the element's box grown by outline-offset + outline-width; it is cut when
// an ancestor that clips (overflow other than visible) does not contain that grown box.
const STOP = String.raw`(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  // Seen before: the walk has come round.
  const seen = (window.__tabSeen ??= new Set());
  if (seen.has(el)) return null;
  seen.add(el);
  const cs = getComputedStyle(el);
  const width = cs.outlineStyle === 'none' ? 0 : parseFloat(cs.outlineWidth) || 0;
  const grow = width + (parseFloat(cs.outlineOffset) || 0);
  const r = el.getBoundingClientRect();
  const ring = { left: r.left - grow, top: r.top - grow, right: r.right + grow, bottom: r.bottom + grow };
  let clipped = false;
  for (let a = el.parentElement; a && width > 0; a = a.parentElement) {
    const s = getComputedStyle(a);
    if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
    const c = a.getBoundingClientRect();
    // The part of the ring inside the element is cut too when offset is negative: count only
    // what falls outside the clipping box by more than a pixel.
    if (ring.left < c.left - 1 || ring.top < c.top - 1 || ring.right > c.right + 1 || ring.bottom > c.bottom + 1) {
      clipped = true;
      break;
    }
  }
  const region = el.closest('header') ? 'header'
    : el.closest('#queue-column') ? 'queue'
    : el.closest('#inspector-column') ? 'inspector'
    : el.closest('main') ? 'main' : 'other';
  const id = el.getAttribute('data-testid');
  const words = (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 30);
  return {
    what: id || el.tagName.toLowerCase() + (words ? ' "' + words + '"' : ''),
    region,
    outline: width,
    outlineColor: cs.outlineColor,
    clipped,
  };
})()`;

// Tab goes on from where focus (or the last click) was: a throw-away element at the top of the
// page, focused, makes the first Tab land on the page's first control.
const START = `(() => {
  window.__tabSeen = new Set();
  const start = document.createElement('span');
  start.tabIndex = -1;
  start.id = 'tab-walk-start';
  document.body.prepend(start);
  start.focus();
})()`;

/**
 * Presses Tab from the top of the page until focus leaves the page or comes back to an element
 * seen already (or `max` presses); returns every stop in order.
 */
export async function tabWalk(page: Page, max = 200): Promise<FocusStop[]> {
  await page.evaluate(START);
  const stops: FocusStop[] = [];
  try {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      const stop = (await page.evaluate(STOP)) as FocusStop | null;
      if (!stop) break;
      stops.push(stop);
    }
  } finally {
    await page.evaluate(`document.getElementById('tab-walk-start')?.remove()`);
  }
  return stops;
}

/** Region order a Tab walk must follow: the header, the queue, the view, the inspector. */
export const REGION_ORDER = ['header', 'queue', 'main', 'inspector'];
