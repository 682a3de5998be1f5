import type { Page } from 'playwright-core';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The on-screen box of the element with `data-testid`; throws when it is not rendered. */
export async function boxOf(page: Page, testid: string): Promise<Box> {
  const box = await page.getByTestId(testid).first().boundingBox();
  if (!box) throw new Error(`${testid} is not on screen`);
  return box;
}

/** Whether two boxes share any area (touching edges do not count). */
export function overlaps(a: Box, b: Box): boolean {
  const eps = 0.5;
  return (
    a.x + eps < b.x + b.width &&
    b.x + eps < a.x + a.width &&
    a.y + eps < b.y + b.height &&
    b.y + eps < a.y + a.height
  );
}

/** Waits two frames, so layout follows a new window size before it is measured. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(
    'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(undefined))))',
  );
}

/** What the page-wide layout check found: overlapping pairs and clipped boxes, in words. */
export interface LayoutProblems {
  overlaps: string[];
  clipped: string[];
  wrapped: string[];
}

// Runs in the page (a string, so the test runner's transforms never reach it). Measured are the
// visible controls (buttons, fields, sliders, outputs) and the boxes of visible text (each text
// node's line boxes). Two of them overlap when their visible parts (cut by every clipping
// ancestor and the window) share area and neither contains the other. A box is clipped when its
// content is wider or taller than the box and it hides the rest without a tooltip (`title` on it or
// an ancestor). The words of a button or an output must fit on one line.
const LAYOUT_SCRIPT = String.raw`(() => {
  const EPS = 1;
  const out = { overlaps: [], clipped: [], wrapped: [] };
  const view = { left: 0, top: 0, right: innerWidth, bottom: innerHeight };
  const cut = (a, b) => ({
    left: Math.max(a.left, b.left), top: Math.max(a.top, b.top),
    right: Math.min(a.right, b.right), bottom: Math.min(a.bottom, b.bottom),
  });
  const empty = (r) => r.right - r.left < 2 || r.bottom - r.top < 2;
  // A control is cut by its ancestors; text also by its own element.
  const clipOf = (el, self) => {
    let r = view;
    for (let a = self ? el : el.parentElement; a; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.overflowX !== 'visible' || cs.overflowY !== 'visible' || cs.clipPath !== 'none')
        r = cut(r, a.getBoundingClientRect());
    }
    return r;
  };
  const name = (el) => {
    const id = el.closest('[data-testid]');
    const text = (el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 40);
    return (id ? id.getAttribute('data-testid') + ' ' : '') + el.tagName.toLowerCase() +
      (text ? ' "' + text + '"' : '');
  };
  const shown = (el) => el.checkVisibility({ visibilityProperty: true, opacityProperty: true });
  const CONTROL = 'button, input, select, textarea, output, [role="slider"]';
  const boxes = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!shown(el)) continue;
    const control = el.matches(CONTROL);
    const clip = clipOf(el, !control);
    let rects = [];
    if (control) rects = [el.getBoundingClientRect()];
    else
      for (const n of el.childNodes) {
        if (n.nodeType !== 3 || !n.textContent.trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(n);
        rects.push(...range.getClientRects());
      }
    rects = rects.map((r) => cut(r, clip)).filter((r) => !empty(r));
    if (rects.length === 0) continue;
    boxes.push({ el, rects });
    const cs = getComputedStyle(el);
    const hides = cs.overflowX === 'hidden' || cs.overflowX === 'clip' ||
      cs.overflowY === 'hidden' || cs.overflowY === 'clip';
    const plain = !el.matches('input, select, textarea') && cs.display !== 'inline';
    const over = el.scrollWidth > el.clientWidth + EPS ||
      (hides && el.scrollHeight > el.clientHeight + EPS);
    if (plain && over && !el.closest('[title]')) out.clipped.push(name(el));
    if (el.matches('button, output')) {
      const tops = new Set();
      for (const n of el.childNodes) {
        if (n.nodeType !== 3 || !n.textContent.trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(n);
        for (const r of range.getClientRects()) tops.add(Math.round(r.top));
      }
      if (tops.size > 1) out.wrapped.push(name(el));
    }
  }
  const hit = (a, b) => a.left + EPS < b.right && b.left + EPS < a.right &&
    a.top + EPS < b.bottom && b.top + EPS < a.bottom;
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
      if (a.rects.some((r) => b.rects.some((s) => hit(r, s))))
        out.overlaps.push(name(a.el) + ' × ' + name(b.el));
    }
  return out;
})()`;

/** Overlapping, clipped (without a tooltip) and wrapped controls and text on the page now. */
export async function layoutProblems(page: Page): Promise<LayoutProblems> {
  return (await page.evaluate(LAYOUT_SCRIPT)) as LayoutProblems;
}
