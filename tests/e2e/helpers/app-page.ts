import type { Locator, Page } from 'playwright-core';

/** Queue rows, optionally of one file name and / or state. */
export function rows(page: Page, name?: string, state?: string): Locator {
  let css = '[data-testid="queue-row"]';
  if (name !== undefined) css += `[data-name="${name}"]`;
  if (state !== undefined) css += `[data-state="${state}"]`;
  return page.locator(css);
}

/**
 * Waits until the queue row `id` is in `state`; on a timeout the error says what the row shows
 * and what the engine's queue holds, so a CI log's last lines tell what happened.
 */
export async function waitRowState(
  page: Page,
  id: string,
  state: string,
  timeoutMs = 60_000,
): Promise<void> {
  const row = page.locator(`[data-testid="queue-row"][data-id="${id}"]`);
  try {
    await page
      .locator(`[data-testid="queue-row"][data-id="${id}"][data-state="${state}"]`)
      .waitFor({ timeout: timeoutMs });
  } catch (err) {
    const shown = await row
      .evaluate((el) => `${el.getAttribute('data-state')}: ${el.textContent?.trim() ?? ''}`)
      .catch(() => 'no such row');
    const footer = await page
      .getByTestId('queue-summary')
      .textContent()
      .catch(() => '?');
    throw new Error(
      `row ${id} did not become ${state} in ${timeoutMs} ms; it shows "${shown}"; queue: ${footer}`,
      { cause: err },
    );
  }
}

/** Waits until the page is connected to the engine and can add photos. */
export async function waitConnected(page: Page): Promise<void> {
  await page.locator('[data-testid="add-path-input"]:enabled').waitFor();
}

/** Types a server-side path into "Add path" and presses Enter, as a browser user does. */
export async function addPath(page: Page, path: string): Promise<void> {
  const input = page.getByTestId('add-path-input');
  await input.fill(path);
  await input.press('Enter');
  // The field empties once the engine has taken the path.
  await waitValue(input, '');
}

/** Waits until an input's value is `value`. */
export async function waitValue(input: Locator, value: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const now = await input.inputValue();
    if (now === value) return;
    if (Date.now() > end) throw new Error(`input value stayed "${now}", expected "${value}"`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The transform a compare stage is drawn with: its data attributes, CSS and place on screen. */
export interface StageState {
  zoom: number;
  x: number;
  y: number;
  transform: string;
  box: { x: number; y: number; width: number; height: number };
  /** The box relative to the stage's pane (side by side, the panes sit apart). */
  inPane: { x: number; y: number };
}

export async function stageState(page: Page, which: 'original' | 'upscaled'): Promise<StageState> {
  const stage = page.getByTestId(`stage-${which}`);
  const pane = page.getByTestId(`compare-pane-${which}`);
  const [zoom, x, y, transform, box, paneBox] = await Promise.all([
    stage.getAttribute('data-zoom'),
    stage.getAttribute('data-x'),
    stage.getAttribute('data-y'),
    stage.evaluate((el) => (el as { style: { transform: string } }).style.transform),
    stage.boundingBox(),
    pane.boundingBox(),
  ]);
  if (!box || !paneBox) throw new Error(`stage-${which} is not on screen`);
  return {
    zoom: Number(zoom),
    x: Number(x),
    y: Number(y),
    transform,
    box,
    inPane: { x: box.x - paneBox.x, y: box.y - paneBox.y },
  };
}

/**
 * Drags the α slider's thumb with the mouse from where it is to `alpha` (approximately: the
 * browser rounds to the slider's step); returns the value the slider ends on.
 */
export async function dragAlpha(page: Page, alpha: number): Promise<number> {
  const slider = page.getByTestId('alpha-slider');
  const box = await slider.boundingBox();
  if (!box) throw new Error('the α slider is not on screen');
  const current = Number(await slider.inputValue());
  // Chromium's thumb is 16 px wide (its centre travels 8 px inside each end).
  const at = (a: number): number => box.x + 8 + a * (box.width - 16);
  const y = box.y + box.height / 2;
  await page.mouse.move(at(current), y);
  await page.mouse.down();
  await page.mouse.move(at((current + alpha) / 2), y, { steps: 4 });
  await page.mouse.move(at(alpha), y, { steps: 4 });
  await page.mouse.up();
  return Number(await slider.inputValue());
}
