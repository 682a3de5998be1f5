// The app in Debian's Chromium against a real `upres serve`, with tiny random models: a folder is
// added and processed, the result compared at 400 % with both panes locked together, the α dial
// blends then renders exactly, and what is exported matches the engine's own render at that α.
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  addPath,
  dragAlpha,
  rows,
  stageState,
  waitRowState,
  type StageState,
} from './helpers/app-page';
import { screenshotSizes } from './helpers/browser';
import { engineRender, maxPixelDiff } from './helpers/pixels';
import { clearRecording, recorded } from './helpers/recorder';
import { useServedApp } from './helpers/served-app';
import { PAIR } from './helpers/serve-world';

const SET5 = join(import.meta.dirname, '..', '..', '..', 'shared', 'datasets', 'Set5');
/** 64 × 48 crops of Set5 photos (×4: 256 × 192 outputs, a single tile each). */
const CROPS = [
  ['baby', 200, 180],
  ['bird', 100, 90],
  ['butterfly', 90, 100],
] as const;

let photos: string;

const app = useServedApp('upres-e2e-happy-', async (world) => {
  photos = join(world.dir, 'photos');
  for (const [name, left, top] of CROPS)
    await sharp(join(SET5, `${name}.png`))
      .extract({ left, top, width: 64, height: 48 })
      .png()
      .toFile(join(photos, `${name}.png`));
});

const expectAligned = (a: StageState, b: StageState): void => {
  expect(b.zoom).toBe(a.zoom);
  expect(b.x).toBe(a.x);
  expect(b.y).toBe(a.y);
  expect(b.transform).toBe(a.transform);
  expect(b.box.width).toBeCloseTo(a.box.width, 1);
  expect(b.box.height).toBeCloseTo(a.box.height, 1);
  expect(b.inPane.x).toBeCloseTo(a.inPane.x, 1);
  expect(b.inPane.y).toBeCloseTo(a.inPane.y, 1);
};

describe('the app in Chromium against upres serve', () => {
  it('adds a folder, shows progress, finishes every photo', async () => {
    await addPath(app.page, photos);
    await expect.poll(() => rows(app.page, undefined, 'waiting').count()).toBe(3);
    for (const [name] of CROPS)
      expect(await rows(app.page, `${name}.png`).getByTestId('item-size').textContent()).toBe(
        '64 × 48 → 256 × 192',
      );
    expect(await app.page.getByTestId('export-folder').textContent()).toContain('upscaled');
    await screenshotSizes(app.page, '01-queue-waiting');

    await app.page.getByTestId('queue-start').click();
    await expect.poll(() => rows(app.page, undefined, 'done').count(), { timeout: 60_000 }).toBe(3);
    expect(await app.page.getByTestId('queue-summary').textContent()).toBe('3 of 3 done');

    // Each item ran, with tile progress on its row, and the queue's bar moved between 0 and 1.
    const seen = await recorded(app.page);
    const states = seen.filter((s) => s.testid === 'queue-row' && s.attr === 'data-state');
    expect(states.filter((s) => s.value === 'running')).toHaveLength(3);
    const itemProgress = seen.filter((s) => s.testid === 'item-progress' && s.value !== '');
    expect(itemProgress.length).toBeGreaterThan(0);
    const overall = seen
      .filter((s) => s.testid === 'queue-progress' && s.attr === 'data-value')
      .map((s) => Number(s.value));
    expect(overall.some((v) => v > 0 && v < 1)).toBe(true);
    expect(overall.at(-1)).toBe(1);
    await screenshotSizes(app.page, '02-queue-done');
  });

  it('compares at 400 %: both panes keep one transform through zoom and pan', async () => {
    await rows(app.page, 'bird.png').getByTestId('queue-row-select').click();
    await app.page.locator('[data-testid="image-upscaled"]').waitFor();
    await app.page
      .locator('[data-testid="preview-label"]', { hasText: 'Exported output at α 0.80' })
      .waitFor();

    await app.page.getByTestId('zoom-menu').selectOption('4');
    await app.page.locator('[data-testid="zoom-readout"][data-zoom="4"]').waitFor();
    const readout = app.page.getByTestId('zoom-readout');
    expect(await readout.getAttribute('data-zoom')).toBe('4');
    expect(await readout.textContent()).toBe('400 %');
    const before = await stageState(app.page, 'original');
    expectAligned(before, await stageState(app.page, 'upscaled'));
    expect(before.box.width).toBeCloseTo(256 * 4, 0);

    // Drag on the left half (the divider sits in the middle and would move instead).
    const vp = (await app.page.getByTestId('compare-viewport').boundingBox())!;
    const from = { x: vp.x + vp.width * 0.25, y: vp.y + vp.height * 0.5 };
    await app.page.mouse.move(from.x, from.y);
    await app.page.mouse.down();
    await app.page.mouse.move(from.x + 60, from.y + 10, { steps: 3 });
    await app.page.mouse.move(from.x + 100, from.y + 20, { steps: 3 });
    await app.page.mouse.up();
    const after = await stageState(app.page, 'original');
    expectAligned(after, await stageState(app.page, 'upscaled'));
    expect(after.zoom).toBe(4);
    expect(after.x).toBeCloseTo(before.x + 100, 3);
    expect(after.box.x - before.box.x).toBeCloseTo(100, 0);
    // Pixels are squares from 100 % up.
    expect(
      await app.page.evaluate(
        `getComputedStyle(document.querySelector('[data-testid="image-upscaled"]')).imageRendering`,
      ),
    ).toBe('pixelated');
    await screenshotSizes(app.page, '03-compare-400-split');

    await app.page.getByTestId('mode-side').click();
    const side = await stageState(app.page, 'original');
    expectAligned(side, await stageState(app.page, 'upscaled'));
    expect(side.zoom).toBe(4);
    const [left, right] = await Promise.all([
      app.page.getByTestId('compare-pane-original').boundingBox(),
      app.page.getByTestId('compare-pane-upscaled').boundingBox(),
    ]);
    expect(right!.x).toBeGreaterThanOrEqual(left!.x + left!.width - 1);
    expect(right!.width).toBeCloseTo(left!.width, 0);
    await screenshotSizes(app.page, '04-compare-400-side');
    await app.page.getByTestId('mode-split').click();
  });

  it('dials α: the blend shows at once, the exact render replaces it, and export uses it', async () => {
    const label = app.page.getByTestId('preview-label');
    const alpha = await dragAlpha(app.page, 0.3);
    expect(alpha).toBeGreaterThan(0.1);
    expect(alpha).toBeLessThan(0.5);
    const text = alpha.toFixed(2);
    expect(await app.page.getByTestId('alpha-value').textContent()).toBe(`α ${text}`);

    await app.page.locator('[data-testid="preview-label"][data-kind="exact"]').waitFor();
    expect(await label.textContent()).toContain(`Exact render at α ${text}`);
    const exact = app.page.getByTestId('exact-render');
    expect(Number(await exact.getAttribute('data-alpha'))).toBe(alpha);
    await app.page.waitForFunction(
      `document.querySelector('[data-testid="exact-render"]')?.complete === true`,
    );
    // The blend of the cached α 0 / α 1 renders was on screen before the exact render.
    const kinds = (await recorded(app.page, 'preview-label')).map((s) => s.value);
    const blend = kinds.lastIndexOf('blend');
    expect(blend).toBeGreaterThanOrEqual(0);
    expect(kinds.indexOf('exact', blend)).toBeGreaterThan(blend);
    await screenshotSizes(app.page, '05-dial-exact-render');

    // The photo was exported at α 0.8: "Export again" exports it at the dialled α, at once (no
    // Start), as its own row that says so, with its α and a new name beside the first export.
    const again = app.page.getByTestId('export-again');
    expect(await again.textContent()).toBe(`Export again at α ${text}`);
    const known = new Set(await rows(app.page).evaluateAll((els) => els.map((e) => e.dataset.id)));
    await clearRecording(app.page);
    await again.click();
    await expect.poll(() => rows(app.page, 'bird.png').count()).toBe(2);
    const id = (await rows(app.page, 'bird.png').evaluateAll((els) => els.map((e) => e.dataset.id)))
      .filter((i) => !known.has(i))
      .at(0)!;
    const row = app.page.locator(`[data-testid="queue-row"][data-id="${id}"]`);
    expect(await row.getByTestId('item-alpha').textContent()).toBe(`α ${text}`);
    const planned = (await row.getByTestId('item-output-name').textContent())!.trim();
    expect(planned).not.toBe('bird_x4.png');
    await waitRowState(app.page, id, 'done');
    const rowStates = (await recorded(app.page, 'queue-row')).filter(
      (s) => s.attr === 'data-state' && s.row === 'bird.png',
    );
    expect(rowStates.map((s) => s.value)).toContain('running');
    expect(await row.getByTestId('item-status').textContent()).toMatch(/^Re-export, done/);

    await row.getByTestId('queue-row-select').click();
    const output = (await app.page.getByTestId('inspector-output').textContent())!.trim();
    expect(basename(output)).toBe(planned);
    const reference = await engineRender(
      app.world.env,
      app.world.dir,
      join(photos, 'bird.png'),
      PAIR,
      alpha,
    );
    expect(await maxPixelDiff(output, reference)).toBeLessThanOrEqual(1);
    // …and α made a difference: the first export, at α 0.8, is another image.
    expect(await maxPixelDiff(join(dirname(output), 'bird_x4.png'), output)).toBeGreaterThan(8);
  });

  it('α dialled on a waiting photo is what Start exports', async () => {
    await app.page.getByTestId('queue-clear-finished').click();
    await expect.poll(() => rows(app.page).count()).toBe(0);
    const single = join(app.world.dir, 'single');
    await mkdir(single);
    await copyFile(join(photos, 'butterfly.png'), join(single, 'wings.png'));
    await addPath(app.page, join(single, 'wings.png'));
    const row = rows(app.page, 'wings.png', 'waiting');
    await row.getByTestId('queue-row-select').click();
    // Not rendered yet: the preview renders the visible region at the pair's default α.
    await app.page.locator('[data-testid="preview-label"][data-kind="exact"]').waitFor();
    expect(await app.page.getByTestId('preview-label').textContent()).toContain('α 0.80');

    const alpha = await dragAlpha(app.page, 0.15);
    expect(alpha).toBeLessThan(0.35);
    // Before Start, the visible region is rendered exactly at the dialled α, and says so.
    await app.page.locator(`[data-testid="exact-render"][data-alpha="${alpha}"]`).waitFor();
    await app.page
      .locator('[data-testid="preview-label"][data-kind="exact"]', {
        hasText: `Exact render at α ${alpha.toFixed(2)}`,
      })
      .waitFor();
    expect(await row.getAttribute('data-state')).toBe('waiting');
    // One α for the photo: the item follows the dial once it rests, and the panel beside the
    // photo and its queue row show that same value (the panel has no α control of its own).
    await app.page
      .locator('[data-testid="inspector-alpha"]', { hasText: alpha.toFixed(2) })
      .waitFor();
    expect(await app.page.getByTestId('settings-alpha').count()).toBe(0);
    expect(await row.getByTestId('item-alpha').textContent()).toBe(`α ${alpha.toFixed(2)}`);
    expect(await app.page.getByTestId('alpha-note').textContent()).toBe(
      `Start exports it at α ${alpha.toFixed(2)}`,
    );
    // Where it will be written is shown before Start, and is where it is written.
    const folder = (await app.page.getByTestId('inspector-export-folder').textContent())!.trim();
    const name = (await app.page.getByTestId('inspector-export-name').textContent())!.trim();
    expect(name).toBe('wings_x4.png');
    expect(await row.getByTestId('item-output-name').textContent()).toBe(name);

    await app.page.getByTestId('queue-start').click();
    await rows(app.page, 'wings.png', 'done').waitFor({ timeout: 60_000 });
    const output = join(folder, name);
    expect((await app.page.getByTestId('inspector-output').textContent())!.trim()).toBe(output);
    const reference = await engineRender(
      app.world.env,
      app.world.dir,
      join(single, 'wings.png'),
      PAIR,
      alpha,
    );
    expect(await maxPixelDiff(output, reference)).toBeLessThanOrEqual(1);
  });

  it('a pair’s photo: both ends arrive piece by piece, the view says how far, and they blend', async () => {
    const big = join(app.world.dir, 'big');
    await mkdir(big);
    // 256 × 192: at fit the whole photo is previewed, in 3 × 2 pieces of the engine's 96 px.
    await sharp(join(SET5, 'baby.png'))
      .extract({ left: 100, top: 100, width: 256, height: 192 })
      .png()
      .toFile(join(big, 'cheeks.png'));
    await clearRecording(app.page);
    await addPath(app.page, join(big, 'cheeks.png'));
    await rows(app.page, 'cheeks.png', 'waiting').getByTestId('queue-row-select').click();
    // The ends come first, then the exact render of the photo's α.
    await app.page.locator('[data-testid="preview-label"][data-kind="exact"]').waitFor();

    const label = await recorded(app.page, 'preview-label');
    const counts = label
      .filter((s) => s.attr === 'data-ends' && s.value !== '')
      .map((s) => s.value);
    const [total] = counts.map((c) => Number(c.split('/')[1]));
    expect(total).toBeGreaterThan(1);
    // Pieces were counted as they came, up to all of them.
    expect(counts.some((c) => Number(c.split('/')[0]) < total)).toBe(true);
    expect(counts.at(-1)).toBe(`${total}/${total}`);
    const words = label.filter((s) => s.attr === 'title').map((s) => s.value);
    expect(
      words.some((w) => /both ends: \d+ of \d+ pieces/i.test(w)),
      words.join(' | '),
    ).toBe(true);
    expect(words.some((w) => /^Loading/.test(w))).toBe(false);
    // The blend of what was ready was drawn before everything was in.
    const drawn = (await recorded(app.page, 'blend-canvas'))
      .filter((s) => s.attr === 'data-pieces')
      .map((s) => Number(s.value));
    expect(drawn.some((n) => n > 0)).toBe(true);
    const kinds = label.filter((s) => s.attr === 'data-kind').map((s) => s.value);
    expect(kinds.indexOf('blend')).toBeGreaterThanOrEqual(0);
    expect(kinds.indexOf('blend')).toBeLessThan(kinds.lastIndexOf('exact'));

    // Taking hold of the dial shows the whole blend at once, over the whole view.
    const slider = app.page.getByTestId('alpha-slider');
    const box = (await slider.boundingBox())!;
    const value = Number(await slider.inputValue());
    await app.page.mouse.move(box.x + 8 + value * (box.width - 16), box.y + box.height / 2);
    await app.page.mouse.down();
    const canvas = app.page.locator(`[data-testid="blend-canvas"][data-pieces="${total}"]`);
    await canvas.waitFor();
    expect(await canvas.isVisible()).toBe(true);
    const [shown, pane] = await Promise.all([
      canvas.boundingBox(),
      app.page.getByTestId('stage-upscaled').boundingBox(),
    ]);
    // The photo is previewed whole: the blend covers the stage.
    expect(shown!.width).toBeCloseTo(pane!.width, 0);
    expect(shown!.height).toBeCloseTo(pane!.height, 0);
    await screenshotSizes(app.page, '05b-dial-blend-of-ends');
    await app.page.mouse.up();
    await app.page.locator('[data-testid="preview-label"][data-kind="exact"]').waitFor();
  });

  it('logged no errors in the page', () => {
    expect(app.errors).toEqual([]);
  });
});
