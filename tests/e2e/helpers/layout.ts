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
