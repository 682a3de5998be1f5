// What the app shows when things go wrong, in Chromium against a real `upres serve`: unreadable
// files fail with their message in the list, and cancelling stops a running photo at the next tile
// without leaving an output behind.
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { addPath, rows, waitValue } from './helpers/app-page';
import { screenshotSizes } from './helpers/browser';
import { clearRecording, pageNow, recorded } from './helpers/recorder';
import { useServedApp } from './helpers/served-app';
import { SLOW } from './helpers/serve-world';

const SET5 = join(import.meta.dirname, '..', '..', '..', 'shared', 'datasets', 'Set5');

let mixed: string;
let slow: string;

const app = useServedApp('upres-e2e-fail-', async (world) => {
  mixed = join(world.dir, 'mixed');
  slow = join(world.dir, 'slow');
  await mkdir(mixed);
  await mkdir(slow);
  const crop = (left: number, top: number, width: number, height: number) =>
    sharp(join(SET5, 'head.png')).extract({ left, top, width, height });
  await crop(100, 100, 64, 48).png().toFile(join(mixed, 'good.png'));
  // A text file with an image's name, and a JPEG cut off half way through its data.
  await writeFile(join(mixed, 'notes.png'), 'this is not a picture\n');
  const jpeg = await crop(60, 60, 160, 120).jpeg({ quality: 95 }).toBuffer();
  await writeFile(join(mixed, 'cut.jpg'), jpeg.subarray(0, Math.floor(jpeg.length * 0.5)));
  // 128 × 96 in 16 px tiles: 48 tiles through a small RRDBNet, seconds of work to cancel.
  await crop(20, 20, 128, 96).png().toFile(join(slow, 'first.png'));
  await crop(120, 140, 128, 96).png().toFile(join(slow, 'second.png'));
});

/** The row's status line: its text, and whether it is shown (not hidden or zero-sized). */
async function status(name: string) {
  const s = rows(app.page, name).getByTestId('item-status');
  return { text: (await s.textContent())!.trim(), visible: await s.isVisible() };
}

describe('failures in Chromium against upres serve', () => {
  it('refuses a non-image when added; shows why a corrupt file failed, in the list and the inspector', async () => {
    await addPath(app.page, mixed);
    // The text file is refused at once, with one message that names its path once.
    const problem = app.page.getByTestId('add-problem');
    await problem.first().waitFor();
    expect(await problem.count()).toBe(1);
    const said = (await problem.textContent())!;
    expect(said).toContain(join(mixed, 'notes.png'));
    expect(said.split(join(mixed, 'notes.png')).length - 1).toBe(1);
    expect(said).toMatch(/not a readable image/);
    await expect.poll(() => rows(app.page).count()).toBe(2);
    expect(await rows(app.page, 'notes.png').count()).toBe(0);
    await app.page.getByTestId('queue-start').click();
    await rows(app.page, 'good.png', 'done').waitFor({ timeout: 60_000 });
    await rows(app.page, 'cut.jpg', 'failed').waitFor();
    expect(await app.page.getByTestId('queue-summary').textContent()).toBe(
      '1 of 2 done · 1 failed',
    );

    // The list starts with what went wrong (the row already names the file).
    const cut = await status('cut.jpg');
    expect(cut.visible).toBe(true);
    expect(cut.text).toMatch(/truncated|premature|corrupt|not a readable image/i);
    expect(await rows(app.page, 'cut.jpg').getByTestId('item-retry').isVisible()).toBe(true);

    await rows(app.page, 'cut.jpg').getByTestId('queue-row-select').click();
    const error = app.page.getByTestId('inspector-error');
    expect(await error.textContent()).toContain(join(mixed, 'cut.jpg'));
    expect(await error.textContent()).toMatch(/truncated|premature|corrupt|not a readable image/i);
    await screenshotSizes(app.page, '06-failed-items');
  });

  it('cancels a running photo at the next tile and leaves no output', async () => {
    // The settings screen: new photos with the small RRDBNet, in fixed 16 px tiles.
    await app.page.getByTestId('nav-settings').click();
    await app.page.getByTestId('settings-default-model').selectOption(SLOW);
    await app.page.getByTestId('settings-tile-mode').selectOption('fixed');
    const tile = app.page.getByTestId('settings-tile');
    await tile.fill('16');
    await tile.press('Tab');
    await waitValue(tile, '16');
    await app.page.locator('[data-testid="settings-status"]', { hasText: /^Saved$/ }).waitFor();
    expect(await app.page.getByTestId('settings-device-in-use').textContent()).toContain('CPU');
    await screenshotSizes(app.page, '07-settings');
    await app.page.getByTestId('settings-close').click();

    await app.page.getByTestId('queue-clear-finished').click();
    await expect.poll(() => rows(app.page).count()).toBe(0);
    await addPath(app.page, slow);
    await expect.poll(() => rows(app.page, undefined, 'waiting').count()).toBe(2);
    expect(await rows(app.page, 'first.png').getByTestId('item-size').textContent()).toBe(
      '128 × 96 → 512 × 384',
    );
    await rows(app.page, 'first.png').getByTestId('queue-row-select').click();
    const outDir = (await app.page.getByTestId('inspector-export-folder').textContent())!.trim();

    await clearRecording(app.page);
    await app.page.getByTestId('queue-start').click();
    const tileOf = async (name: string) => {
      // Wait for the first finished tile, then read where the photo is.
      await app.page
        .locator(`[data-testid="queue-row"][data-name="${name}"][data-state="running"]`)
        .locator('[data-testid="item-progress"]:not([data-value=""]):not([data-value="0"])')
        .waitFor({ timeout: 60_000 });
      const m = /^Tile (\d+) of (\d+)/.exec((await status(name)).text);
      expect(m, (await status(name)).text).not.toBeNull();
      return { tile: Number(m![1]), tiles: Number(m![2]) };
    };

    /** Progress values a row showed after `since` (app.page clock). */
    const progressAfter = async (name: string, since: number) =>
      (await recorded(app.page, 'item-progress'))
        .filter((s) => s.row === name && s.t > since && s.value !== '')
        .map((s) => Number(s.value));

    // One photo by its own button…
    const first = await tileOf('first.png');
    expect(first.tiles).toBe(48);
    await rows(app.page, 'first.png').getByTestId('item-cancel').click();
    const firstClick = await pageNow(app.page);
    await rows(app.page, 'first.png', 'cancelled').waitFor({ timeout: 10_000 });
    expect((await status('first.png')).text).toBe('Cancelled');
    // …then everything left, once the next photo is running.
    const second = await tileOf('second.png');
    await app.page.getByTestId('queue-cancel-all').click();
    const secondClick = await pageNow(app.page);
    await rows(app.page, 'second.png', 'cancelled').waitFor({ timeout: 10_000 });

    // Each stopped at the next tile: after the click, at most the tile in flight finished (and
    // one more whose progress was already on its way), nowhere near the 48.
    for (const [name, at, click] of [
      ['first.png', first, firstClick],
      ['second.png', second, secondClick],
    ] as const) {
      const after = await progressAfter(name, click);
      expect(after.length, `${name}: ${after.join(' ')}`).toBeLessThanOrEqual(2);
      expect(Math.max(0, ...after)).toBeLessThanOrEqual((at.tile + 4) / 48);
    }
    expect(await app.page.getByTestId('queue-summary').textContent()).toBe('2 cancelled');
    // No output was written, not even a temp file; only the finished tiles are kept (a
    // `.upres-tiles` store beside the output, so a retry continues from the next tile).
    const written = existsSync(outDir) ? await readdir(outDir) : [];
    expect(written.filter((f) => f.startsWith('first') || f.startsWith('second'))).toEqual([]);
    const kept = (f: string): boolean => /^\.(first|second)_x4\.png\..*\.upres-tiles$/.test(f);
    expect(written.filter((f) => (f.includes('tmp') || f.startsWith('.')) && !kept(f))).toEqual([]);
    await screenshotSizes(app.page, '08-cancelled');
  });
});
