// The layout of the first screen and of awkward content, measured in Chromium at the three window
// sizes the app is reviewed at: an empty queue (the "Add path" field must be usable), an error, and
// a photo with a very long name (ellipsized with its full name as a tooltip, never pushing the
// layout wider).
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { addPath, rows } from './helpers/app-page';
import { screenshotSizes, WINDOW_SIZES } from './helpers/browser';
import { boxOf, overlaps, settle } from './helpers/layout';
import { useServedApp } from './helpers/served-app';

/** 120 characters before the extension: longer than any column the app has. */
const LONG_NAME = `${'harbour-at-dusk-from-the-old-lighthouse-'.repeat(3)}.png`;
const MIN_FIELD = 240;

let photo: string;

const app = useServedApp('upres-e2e-layout-', async (world) => {
  photo = join(world.dir, 'photos', LONG_NAME);
  await sharp({ create: { width: 48, height: 32, channels: 3, background: '#3a6ea5' } })
    .png()
    .toFile(photo);
});

describe('the layout at 1280×720, 1440×900 and 1920×1080', () => {
  it('the empty first screen: "Add path" is wide, clickable and covered by nothing', async () => {
    expect(LONG_NAME.length - '.png'.length).toBe(120);
    const page = app.page;
    await page.getByTestId('queue-empty').waitFor();
    for (const size of WINDOW_SIZES) {
      await page.setViewportSize(size);
      await settle(page);
      const at = `${size.width}×${size.height}`;
      const field = await boxOf(page, 'add-path-input');
      expect(field.width, `field width at ${at}`).toBeGreaterThanOrEqual(MIN_FIELD);
      // What a click at the field's centre reaches is the field itself.
      const [cx, cy] = [field.x + field.width / 2, field.y + field.height / 2];
      const hit = await page.evaluate(
        `document.elementFromPoint(${cx}, ${cy})?.getAttribute('data-testid') ?? null`,
      );
      expect(hit, `element at the field's centre at ${at}`).toBe('add-path-input');
      for (const other of ['add-path-submit', 'queue-empty', 'queue-summary', 'export-summary']) {
        expect(overlaps(field, await boxOf(page, other)), `field vs ${other} at ${at}`).toBe(false);
      }
      expect(overlaps(await boxOf(page, 'add-path-submit'), await boxOf(page, 'queue-empty'))).toBe(
        false,
      );
      // Inside the window, and inside the queue column.
      const panel = await boxOf(page, 'queue-panel');
      expect(field.x).toBeGreaterThanOrEqual(panel.x);
      expect(field.x + field.width).toBeLessThanOrEqual(panel.x + panel.width);
    }
    await page.getByTestId('add-path-input').click();
    expect(await page.evaluate(`document.activeElement?.getAttribute('data-testid')`)).toBe(
      'add-path-input',
    );
    await screenshotSizes(page, '00-empty');
  });

  it('an error on the empty screen is a readable box, not a sliver', async () => {
    const page = app.page;
    const input = page.getByTestId('add-path-input');
    await input.fill(join(app.world.dir, 'no-such-folder'));
    await input.press('Enter');
    const problem = page.getByTestId('add-problems').or(page.getByTestId('queue-error'));
    await problem.first().waitFor();
    const testid = (await problem.first().getAttribute('data-testid'))!;
    for (const size of WINDOW_SIZES) {
      await page.setViewportSize(size);
      await settle(page);
      const at = `${size.width}×${size.height}`;
      const box = await boxOf(page, testid);
      expect(box.width, `${testid} width at ${at}`).toBeGreaterThanOrEqual(MIN_FIELD);
      expect(overlaps(box, await boxOf(page, 'add-path-input')), `at ${at}`).toBe(false);
      expect(overlaps(box, await boxOf(page, 'queue-empty')), `at ${at}`).toBe(false);
    }
    await screenshotSizes(page, '00-empty-error');
    // Dismissed, the first screen is as it was.
    const dismiss = page.locator(`[data-testid="${testid}"] button`);
    if (await dismiss.count()) await dismiss.click();
  });

  it('a 120-character file name ellipsizes with the full name as a tooltip', async () => {
    const page = app.page;
    await addPath(page, photo);
    const row = rows(page, LONG_NAME);
    await row.waitFor();
    await row.getByTestId('queue-row-select').click();
    for (const size of WINDOW_SIZES) {
      await page.setViewportSize(size);
      await settle(page);
      const at = `${size.width}×${size.height}`;
      const panel = await boxOf(page, 'queue-panel');
      const rowBox = (await row.boundingBox())!;
      expect(rowBox.x + rowBox.width, `row inside the queue at ${at}`).toBeLessThanOrEqual(
        panel.x + panel.width + 0.5,
      );
      // Nothing in the window scrolls sideways.
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBe(size.width);
      for (const testid of ['item-name', 'inspector-name']) {
        const name = testid === 'item-name' ? row.getByTestId(testid) : page.getByTestId(testid);
        const shown = await name.evaluate((el) => ({
          clipped: el.scrollWidth > el.clientWidth,
          title: el.getAttribute('title'),
          right: el.getBoundingClientRect().right,
          parentRight: el.parentElement!.getBoundingClientRect().right,
        }));
        expect(shown.clipped, `${testid} clipped at ${at}`).toBe(true);
        expect(shown.title?.endsWith(LONG_NAME), `${testid} tooltip at ${at}`).toBe(true);
        expect(shown.right, `${testid} inside its box at ${at}`).toBeLessThanOrEqual(
          shown.parentRight + 0.5,
        );
      }
      const inspector = await boxOf(page, 'inspector');
      expect(inspector.x + inspector.width).toBeLessThanOrEqual(size.width + 0.5);
    }
    await screenshotSizes(page, '00-long-name');
  });

  it('logged no errors in the page', () => {
    expect(app.errors).toEqual([]);
  });
});
