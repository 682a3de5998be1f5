import type { Page } from 'playwright-core';

/** One value an element's attribute took on the page, as the recorder saw it. */
export interface Seen {
  testid: string;
  attr: string;
  value: string;
  /** The file name of the queue row it belongs to, if any. */
  row: string | null;
  /** When, in the page's clock (see pageNow). */
  t: number;
}

// Runs in the page (a string: the test's tsconfig has no DOM types). States that last a few
// milliseconds (a tiny model's running item, the blend before the exact render swaps in) are too
// short to poll for, so a MutationObserver writes down every value the watched attributes take
// (`title` too: labels that can be cut carry their words there).
const INSTALL = `(() => {
  if (window.__upresSeen) return;
  const seen = (window.__upresSeen = []);
  const attrs = ['data-state', 'data-kind', 'data-value', 'data-alpha', 'data-ends', 'data-pieces', 'title'];
  const note = (el, attr) => {
    if (!(el instanceof Element) || !el.hasAttribute('data-testid') || !el.hasAttribute(attr)) return;
    const last = seen.findLast((s) => s.el === el && s.attr === attr);
    const value = el.getAttribute(attr);
    if (last && last.value === value) return;
    const row = el.closest('[data-testid="queue-row"]')?.getAttribute('data-name') ?? null;
    seen.push({ el, testid: el.getAttribute('data-testid'), attr, value, row, t: performance.now() });
  };
  const noteTree = (node) => {
    if (!(node instanceof Element)) return;
    for (const el of [node, ...node.querySelectorAll('[data-testid]')]) for (const a of attrs) note(el, a);
  };
  noteTree(document.body);
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'attributes') note(r.target, r.attributeName);
      else r.addedNodes.forEach(noteTree);
    }
  }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: attrs });
})()`;

/** Starts writing down attribute values on the page (once per page). */
export async function startRecording(page: Page): Promise<void> {
  await page.evaluate(INSTALL);
}

/** The values recorded so far, oldest first (optionally of one test id). */
export async function recorded(page: Page, testid?: string): Promise<Seen[]> {
  const all = (await page.evaluate(
    `window.__upresSeen.map(({ testid, attr, value, row, t }) => ({ testid, attr, value, row, t }))`,
  )) as Seen[];
  return testid === undefined ? all : all.filter((s) => s.testid === testid);
}

/** Forgets what was recorded so far (what follows is recorded from here on). */
export async function clearRecording(page: Page): Promise<void> {
  await page.evaluate(`window.__upresSeen.length = 0`);
}

/** The page's clock, to compare with `Seen.t`. */
export async function pageNow(page: Page): Promise<number> {
  return (await page.evaluate('performance.now()')) as number;
}
