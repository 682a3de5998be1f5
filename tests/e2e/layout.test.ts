// The layout of every state of the app, measured in Chromium at the window sizes it is reviewed at
// (1280×720 up to 2560×1440): the first screen (the "Add path" field must be usable), an error,
// a photo with a very long name (ellipsized with its full name as a tooltip, never pushing the
// layout wider), then waiting, running, cancelled, done and failed photos, the compare view split
// and side by side, the settings and collapsed side panels. In each, no two visible controls or
// text boxes overlap, none is cut without a tooltip, and the image area does not move when the
// words around it change. Each is also scanned by axe-core (WCAG 2.x A/AA): no serious or critical
// violation; every finding is summed up in test-results/axe/ (helpers/axe.ts).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addPath, dragAlpha, rows, waitValue } from './helpers/app-page';
import { blocking, scanAxe } from './helpers/axe';
import { REGION_ORDER, tabWalk } from './helpers/focus';
import { screenshotSizes, WINDOW_SIZES } from './helpers/browser';
import { boxOf, layoutProblems, overlaps, settle, type Box } from './helpers/layout';
import { useServedApp } from './helpers/served-app';
import { encodeModel } from '../../src/main/engine/models/write-model';
import { randomWeights, TINY_SRVGG } from '../helpers/random-models';
import { CLEAN, SLOW, SLOW_PAIR } from './helpers/serve-world';

/** 120 characters before the extension: longer than any column the app has. */
const LONG_NAME = `${'harbour-at-dusk-from-the-old-lighthouse-'.repeat(3)}.png`;
const MIN_FIELD = 240;
/** 80 characters, the longest preset name there is. */
const LONG_PRESET =
  'Prints for the harbour exhibition: large, fidelity first, TIFF 16 bit, kept DPI.';

/** A model file name longer than a model card is wide. */
const LONG_MODEL =
  'Real-ESRGAN general x4 v3, fine-tuned on harbour photographs at dusk with denoise strength 0.5';
const PTH_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'pth');

/** A tiny random SRVGG checkpoint, as a downloaded .safetensors file's bytes. */
function tinyCheckpoint(): Uint8Array {
  return encodeModel({
    id: 'x',
    name: 'x',
    role: 'general',
    spec: TINY_SRVGG,
    weights: randomWeights(TINY_SRVGG, 41),
    provenance: { source: 'test', sourceFiles: [], licence: 'MIT', credit: 'test' },
    dtype: 'float32',
  }).bytes;
}

/** The window sizes each state is measured at: the reviewed three and a large monitor. */
const LAYOUT_SIZES = [...WINDOW_SIZES, { width: 2560, height: 1440 }] as const;

let photo: string;
let more: string;
let slow: string;
let ends: string;

const app = useServedApp('upres-e2e-layout-', async (world) => {
  photo = join(world.dir, 'photos', LONG_NAME);
  await sharp({ create: { width: 48, height: 32, channels: 3, background: '#3a6ea5' } })
    .png()
    .toFile(photo);
  more = join(world.dir, 'more');
  slow = join(world.dir, 'slow');
  await mkdir(more);
  await mkdir(slow);
  await sharp({ create: { width: 64, height: 48, channels: 3, background: '#a56e3a' } })
    .png()
    .toFile(join(more, 'small.png'));
  // Not a picture: it fails, with a message longer than its row.
  await writeFile(join(more, 'notes.png'), 'this is not a picture\n');
  // 128 × 96 in 16 px tiles through the small RRDBNet: seconds of work, long enough to measure.
  const pixels = Buffer.alloc(128 * 96 * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37) % 251;
  await sharp(pixels, { raw: { width: 128, height: 96, channels: 3 } })
    .png()
    .toFile(join(slow, 'slow.png'));
  // 192 × 96 through the slow pair: two pieces of each end, seconds each.
  ends = join(world.dir, 'ends', 'ends.png');
  await mkdir(join(world.dir, 'ends'));
  await sharp(pixels, { raw: { width: 128, height: 96, channels: 3 } })
    .resize(192, 96)
    .png()
    .toFile(ends);
  // Presets as `upres presets save` writes them, one with a long name, and an invalid entry.
  await writeFile(
    join(world.env.UPRES_USER_DIR!, 'presets.json'),
    JSON.stringify({
      version: 1,
      presets: [
        { name: 'Web', settings: { model: SLOW_PAIR, format: 'webp', quality: 80 } },
        { name: LONG_PRESET, settings: { model: SLOW_PAIR, scale: 2 } },
        { name: 'Broken by hand', settings: { model: SLOW_PAIR, format: 'gif' } },
      ],
    }),
  );
});

/** The compare view's image area per window size, in each state measured with both panels open. */
const viewports = new Map<string, { state: string; box: Box }[]>();

/**
 * Measures the page at every layout size: nothing overlaps, nothing is cut without a tooltip, no
 * button wraps; records where the image area is (`state` names it in messages).
 */
async function expectLayoutHolds(page: Page, state: string, panelsOpen = true): Promise<void> {
  // axe-core first, so a layout failure still leaves the state's accessibility figures.
  expect.soft(blocking(await scanAxe(page, state)), `axe serious/critical, ${state}`).toEqual([]);
  for (const size of LAYOUT_SIZES) {
    await page.setViewportSize(size);
    await settle(page);
    const at = `${state} at ${size.width}×${size.height}`;
    const found = await layoutProblems(page);
    expect(found.overlaps, `overlaps, ${at}`).toEqual([]);
    expect(found.clipped, `clipped without a tooltip, ${at}`).toEqual([]);
    expect(found.wrapped, `wrapped buttons, ${at}`).toEqual([]);
    expect(await page.evaluate('document.documentElement.scrollWidth'), at).toBe(size.width);
    const viewport = page.getByTestId('compare-viewport');
    if (panelsOpen && (await viewport.count()) > 0) {
      const key = `${size.width}x${size.height}`;
      const seen = viewports.get(key) ?? [];
      seen.push({ state, box: (await viewport.boundingBox())! });
      viewports.set(key, seen);
    }
  }
}

async function select(page: Page, name: string): Promise<void> {
  await rows(page, name).first().getByTestId('queue-row-select').click();
}

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
    await expectLayoutHolds(page, 'empty');
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
    await expectLayoutHolds(page, 'empty, with an error');
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
    await expectLayoutHolds(page, 'a long name');
    await screenshotSizes(page, '00-long-name');
  });

  it('waiting photos, split and side by side, with α and the output name on each row', async () => {
    const page = app.page;
    await addPath(page, more);
    await expect.poll(() => rows(page).count()).toBeGreaterThanOrEqual(2);
    await select(page, LONG_NAME);
    await page.locator('[data-testid="preview-label"][data-kind="exact"]').waitFor();
    // The row says what it will write and at which α (the pair's default until dialled).
    const row = rows(page, 'small.png');
    expect(await row.getByTestId('item-output-name').textContent()).toBe('small_x4.png');
    expect(await row.getByTestId('item-alpha').textContent()).toBe('α 0.80');
    await expectLayoutHolds(page, 'waiting, split');
    await screenshotSizes(page, '10-waiting-split');
    await page.getByTestId('mode-side').click();
    await expectLayoutHolds(page, 'waiting, side by side');
    await screenshotSizes(page, '11-waiting-side');
    // The α strip: five panes below its bar, in the same image area.
    await page.getByTestId('mode-strip').click();
    await expect
      .poll(() => page.locator('[data-testid="strip-pane"][data-kind="exact"]').count(), {
        timeout: 60_000,
      })
      .toBe(5);
    await expectLayoutHolds(page, 'waiting, α strip');
    await screenshotSizes(page, '11c-waiting-strip');
    await page.getByTestId('mode-split').click();
  });

  it('the presets in the inspector: the list, a preset just saved, an invalid entry', async () => {
    const page = app.page;
    expect(LONG_PRESET.length).toBe(80);
    await select(page, 'small.png');
    const presets = page.getByTestId('presets');
    await presets.getByTestId('preset-choice').selectOption(LONG_PRESET);
    await presets.getByTestId('preset-problem').waitFor();
    await presets.getByTestId('preset-name').fill('Small photos, doubled');
    await presets.getByTestId('preset-save').click();
    await presets
      .locator('[data-testid="preset-done"]', { hasText: 'Saved preset “Small photos, doubled”' })
      .waitFor();
    await expectLayoutHolds(page, 'presets');
    // Below the fold of a small window: the inspector scrolls to show it (the scroll is kept
    // while the screenshots go from the smallest size up).
    await page.setViewportSize(WINDOW_SIZES[0]);
    await presets.scrollIntoViewIfNeeded();
    await screenshotSizes(page, '10b-presets');
  });

  it('a photo cleaned first with a 1× model: the chain in words on its row and in the panel', async () => {
    const page = app.page;
    await select(page, 'small.png');
    await page.getByTestId('settings-cleanup').selectOption(CLEAN);
    await page.getByTestId('apply-selected').click();
    await page.getByTestId('inspector-chain').waitFor();
    const row = rows(page, 'small.png');
    expect(await row.getByTestId('item-chain').textContent()).toMatch(/cleaned first with/);
    // The chain's upscaler is the pair: its α still shows on the row.
    expect(await row.getByTestId('item-alpha').textContent()).toBe('α 0.80');
    await page.locator('[data-testid="preview-label"][data-kind="exact"]').waitFor();
    await expectLayoutHolds(page, 'waiting, cleaned first');
    await screenshotSizes(page, '10c-clean-first');
  });

  it('a pair’s photo while both ends render: their progress beside the view', async () => {
    const page = app.page;
    // New photos with the slow pair: its ends take a second or more per piece.
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-default-model').selectOption(SLOW_PAIR);
    await page.locator('[data-testid="settings-status"]', { hasText: /^Saved$/ }).waitFor();
    await page.getByTestId('settings-close').click();
    await addPath(page, ends);
    await select(page, 'ends.png');
    const label = page.getByTestId('preview-label');
    await page
      .locator('[data-testid="preview-label"]', { hasText: /both ends: \d+ of \d+ pieces/i })
      .waitFor({ timeout: 60_000 });
    expect(await label.getAttribute('title')).toMatch(/both ends: \d+ of \d+ pieces/i);
    await expectLayoutHolds(page, 'both ends rendering');
    await screenshotSizes(page, '11b-ends-rendering');
  });

  it('the settings screen', async () => {
    const page = app.page;
    await page.getByTestId('nav-settings').click();
    // New photos with the small RRDBNet in 16 px tiles: the next photo runs long enough to measure.
    await page.getByTestId('settings-default-model').selectOption(SLOW);
    await page.getByTestId('settings-tile-mode').selectOption('fixed');
    const tile = page.getByTestId('settings-tile');
    await tile.fill('16');
    await tile.press('Tab');
    await waitValue(tile, '16');
    await page.locator('[data-testid="settings-status"]', { hasText: /^Saved$/ }).waitFor();
    // Every provider of the platform with its state; WebGPU among them, offered by the device menu.
    const webgpu = page.locator('[data-testid="provider"][data-provider="webgpu"]');
    await webgpu.waitFor();
    expect(await webgpu.textContent()).toContain('WebGPU');
    const cpu = page.locator('[data-testid="provider"][data-provider="cpu"]');
    expect(await cpu.getByTestId('provider-state').textContent()).toMatch(/in use|available/);
    expect(
      await page.locator('[data-testid="settings-device"] option[value="webgpu"]').count(),
    ).toBe(1);
    // Measured again: each usable provider shows its speed, an unusable one says why.
    await page.getByTestId('measure-devices').click();
    await page.locator('[data-testid="measure-devices"]:enabled').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('measure-error').count()).toBe(0);
    const state = await webgpu.getAttribute('data-state');
    expect(['in-use', 'available', 'unavailable']).toContain(state);
    if (state === 'unavailable')
      expect(
        (await webgpu.getByTestId('provider-note').textContent())!.trim().length,
      ).toBeGreaterThan(10);
    else
      expect(await webgpu.getByTestId('provider-speed').textContent()).toMatch(/s per megapixel/);
    expect(await cpu.getByTestId('provider-speed').textContent()).toMatch(/s per megapixel/);
    await expectLayoutHolds(page, 'settings');
    await screenshotSizes(page, '12-settings');
    await page.getByTestId('settings-close').click();
  });

  it('the farm settings, with the answer of a failed connection test', async () => {
    const page = app.page;
    await page.getByTestId('nav-settings').click();
    const url = page.getByTestId('settings-farm-url');
    await url.scrollIntoViewIfNeeded();
    // Nothing listens on port 1: a clear "cannot reach" answer, typed but never saved.
    await url.fill('redis://:not-shown@127.0.0.1:1');
    await page.getByTestId('settings-farm-test').click();
    const answer = page.getByTestId('settings-farm-test-result');
    await answer.waitFor({ timeout: 20_000 });
    expect(await answer.textContent()).toContain(
      "cannot reach the farm's Redis at redis://:***@127.0.0.1:1",
    );
    await answer.scrollIntoViewIfNeeded();
    await expectLayoutHolds(page, 'farm settings');
    await screenshotSizes(page, '12b-settings-farm');
    await url.fill('');
    await page.getByTestId('settings-close').click();
  });

  it('a running photo, then cancelled', async () => {
    const page = app.page;
    await addPath(page, slow);
    await page.getByTestId('queue-start').click();
    const running = page.locator(
      '[data-testid="queue-row"][data-name="slow.png"][data-state="running"] [data-testid="item-progress"]:not([data-value=""]):not([data-value="0"])',
    );
    await running.waitFor({ timeout: 60_000 });
    await select(page, 'slow.png');
    // Its bar says how far in numbers a screen reader reads (read at once: it may finish).
    const bar = await rows(page, 'slow.png')
      .getByTestId('item-progress')
      .evaluate((el) => ({
        value: el.getAttribute('data-value'),
        now: el.getAttribute('aria-valuenow'),
        text: el.getAttribute('aria-valuetext'),
        hidden: el.getAttribute('aria-hidden'),
      }));
    if (bar.value === '') expect(bar.hidden).toBe('true');
    else {
      expect(Number(bar.now)).toBe(Math.round(Number(bar.value) * 100));
      expect(bar.text).toMatch(new RegExp(`^${bar.now} %, \\d+ of \\d+ tiles?$`));
    }
    // Its settings cannot change now, and the panel says so instead of looking editable.
    await page.getByTestId('inspector-locked').waitFor();
    expect(await page.getByTestId('settings-model').isDisabled()).toBe(true);
    expect(await page.getByTestId('settings-model').getAttribute('title')).toMatch(/rendering/);
    await expectLayoutHolds(page, 'running');
    await screenshotSizes(page, '13-running');
    await page.getByTestId('queue-cancel-all').click();
    await rows(page, 'slow.png', 'cancelled').waitFor({ timeout: 20_000 });
    await expectLayoutHolds(page, 'cancelled');
  });

  it('a finished photo with "Export again" beside the dial, and a failed one', async () => {
    const page = app.page;
    await rows(page, LONG_NAME, 'done').waitFor({ timeout: 60_000 });
    await select(page, LONG_NAME);
    await page.getByTestId('image-upscaled').waitFor();
    const alpha = await dragAlpha(page, 0.3);
    await page.getByTestId('export-again').waitFor();
    await page.locator('[data-testid="preview-label"][data-kind="exact"]').waitFor();
    // One α for the photo: the panel shows the exported one and cannot change it.
    expect(await page.getByTestId('inspector-alpha').textContent()).toBe('0.80');
    expect(await page.getByTestId('settings-format').isDisabled()).toBe(true);
    expect(await page.getByTestId('export-again').textContent()).toBe(
      `Export again at α ${alpha.toFixed(2)}`,
    );
    await expectLayoutHolds(page, 'done, export again');
    await screenshotSizes(page, '14-done-export-again');

    const failed = rows(page, 'notes.png', 'failed');
    if ((await rows(page, 'notes.png').count()) > 0) {
      await failed.waitFor({ timeout: 60_000 });
      await select(page, 'notes.png');
      await page.getByTestId('inspector-error').waitFor();
    }
    await expectLayoutHolds(page, 'failed');
    await screenshotSizes(page, '15-failed');
  });

  it('a screen reader walks the queue and hears the dial; Tab reaches every control in order, with a ring', async () => {
    const page = app.page;
    await select(page, LONG_NAME);
    await page.getByTestId('alpha-slider').waitFor();
    // The queue is a list of rows, each a toggle named by what it shows, its status included.
    const list = page.getByRole('list', { name: 'Photos in the queue' });
    expect(await list.getByRole('listitem').count()).toBe(await rows(page).count());
    const named = list.getByRole('button', { name: LONG_NAME, exact: false, pressed: true });
    expect(await named.count()).toBe(1);
    expect(await named.evaluate((el) => el.textContent)).toMatch(/Done in/);
    const summary = await list.ariaSnapshot();
    expect(summary).toMatch(/- button ".*harbour-at-dusk.*Done in .*" \[pressed\]/);
    // The dial reads its value and which end it is nearer (dragged to about 0.3 above).
    const dial = page.getByTestId('alpha-slider');
    const value = Number(await dial.inputValue());
    expect(value).toBeLessThan(0.5);
    expect(await dial.getAttribute('aria-valuetext')).toBe(
      `α ${value.toFixed(2)}, closer to fidelity`,
    );
    // The queue's own bar: the share done and what it counts.
    const overall = page.getByTestId('queue-progress');
    expect(await overall.getAttribute('aria-valuetext')).toMatch(/^\d+ %, \d+ of \d+ done/);
    // The batch that Cancel all stopped was announced, politely.
    expect(await page.getByTestId('queue-announce').getAttribute('role')).toBe('status');
    expect(await page.getByTestId('queue-announce').textContent()).toMatch(
      /^Queue (finished|finished with failures|stopped): \d+ done/,
    );
    await expectLayoutHolds(page, 'done, selected for the screen reader');

    await page.setViewportSize(WINDOW_SIZES[0]);
    await settle(page);
    const stops = await tabWalk(page);
    const walk = stops.map((s) => `${s.region} ${s.what}`).join('\n');
    expect(stops.length, walk).toBeGreaterThan(20);
    const order = stops.map((s) => REGION_ORDER.indexOf(s.region));
    expect(
      order.every((r, i) => r >= 0 && (i === 0 || r >= order[i - 1])),
      `focus order header → queue → view → inspector:\n${walk}`,
    ).toBe(true);
    expect(
      stops.filter((s) => s.outline < 2).map((s) => s.what),
      'no focus ring',
    ).toEqual([]);
    expect(
      stops.filter((s) => s.clipped).map((s) => s.what),
      'focus ring cut off',
    ).toEqual([]);
    // The ring is the theme's accent (its 3:1 against every surface is tests/renderer's).
    expect(new Set(stops.map((s) => s.outlineColor))).toEqual(new Set(['rgb(107, 159, 212)']));
    // What a keyboard user sees: the focused row, then the dial.
    await page.getByTestId('queue-row-select').first().focus();
    await screenshotSizes(page, '17-focus-row');
    await dial.focus();
    await screenshotSizes(page, '17-focus-dial');
  });

  it('axe on what the states above do not show: the α strip, the shortcuts, German; Tab on every screen', async () => {
    const page = app.page;
    const scan = async (state: string): Promise<void> => {
      const found = blocking(await scanAxe(page, state));
      expect.soft(found, `axe serious/critical, ${state}`).toEqual([]);
    };
    const ringsOn = async (screen: string): Promise<void> => {
      const stops = await tabWalk(page);
      expect(stops.length, screen).toBeGreaterThan(3);
      const bad = stops.filter((s) => s.outline < 2 || s.clipped).map((s) => s.what);
      expect(bad, `focus ring missing or cut off, ${screen}`).toEqual([]);
    };
    await select(page, LONG_NAME);
    await page.getByTestId('mode-strip').click();
    await expect.poll(() => page.getByTestId('strip-pane').count()).toBe(5);
    await scan('α strip');
    await page.getByTestId('shortcuts-button').click();
    await page.getByTestId('shortcuts-sheet').waitFor();
    await scan('shortcuts sheet');
    await page.keyboard.press('Escape');
    await page.getByTestId('shortcuts-sheet').waitFor({ state: 'hidden' });
    await page.getByTestId('mode-split').click();
    await page.getByTestId('nav-models').click();
    await page.getByTestId('models-screen').waitFor();
    await ringsOn('models');
    await page.getByTestId('nav-settings').click();
    await ringsOn('settings');
    const language = page.getByTestId('settings-language');
    const before = await language.inputValue();
    await language.selectOption('de');
    await expect.poll(() => page.evaluate('document.documentElement.lang')).toBe('de');
    await scan('settings, German');
    await page.getByTestId('nav-work').click();
    await page.getByTestId('compare-viewport').waitFor();
    await scan('done, German');
    await page.getByTestId('nav-settings').click();
    await language.selectOption(before);
    await expect.poll(() => page.evaluate('document.documentElement.lang')).toBe('en');
    await page.getByTestId('nav-work').click();
  });

  it('the Models screen: the list, then a refused import and a model with a long name', async () => {
    const page = app.page;
    await page.getByTestId('nav-models').click();
    await page.getByTestId('model-cards').waitFor();
    await expectLayoutHolds(page, 'models');
    // A hostile pickle, refused with its message (kept until dismissed), and a long-named model.
    const long = join(app.world.dir, `${LONG_MODEL}.safetensors`);
    await writeFile(long, tinyCheckpoint());
    const path = page.getByTestId('model-import-path');
    for (const file of [join(PTH_FIXTURES, 'evil-os-system.pth'), long]) {
      await path.fill(file);
      await path.press('Enter');
    }
    await page.locator('[data-testid="model-import"][data-state="refused"]').waitFor();
    await page.locator('[data-testid="model-import"][data-state="done"]').waitFor();
    await page.locator('[data-testid="model-card"]', { hasText: LONG_MODEL }).waitFor();
    await expectLayoutHolds(page, 'models, a refusal and a long name');
    await screenshotSizes(page, '18-models-refusal-long-name');
    const dismiss = page.getByTestId('model-import-dismiss');
    while ((await dismiss.count()) > 0) await dismiss.first().click();
    await page.getByTestId('nav-work').click();
  });

  it('cleared finished photos, with the undo offered', async () => {
    const page = app.page;
    const before = await rows(page).count();
    await page.getByTestId('queue-clear-finished').click();
    await page.getByTestId('undo-clear').waitFor();
    await expectLayoutHolds(page, 'cleared, with undo');
    if (await page.getByTestId('undo-clear').isVisible())
      await screenshotSizes(page, '15b-cleared-undo');
    const undo = page.getByTestId('undo-clear-button');
    if (await undo.isVisible()) {
      await undo.click();
      await expect.poll(() => rows(page).count()).toBe(before);
    }
  });

  it('the image area stays where it is in every state', () => {
    for (const [size, seen] of viewports) {
      expect(seen.length, size).toBeGreaterThan(3);
      for (const { state, box } of seen) expect(box, `${state} at ${size}`).toEqual(seen[0].box);
    }
  });

  it('the side panels collapse, the compare view grows, and the choice survives a reload', async () => {
    const page = app.page;
    await page.setViewportSize(WINDOW_SIZES[0]);
    await settle(page);
    const before = await boxOf(page, 'compare-viewport');
    const queueWidth = (await boxOf(page, 'queue-panel')).width;
    const inspectorWidth = (await boxOf(page, 'inspector')).width;
    await page.getByTestId('toggle-queue').click();
    await page.getByTestId('toggle-inspector').click();
    await settle(page);
    expect(await page.getByTestId('queue-panel').isVisible()).toBe(false);
    expect(await page.getByTestId('inspector').isVisible()).toBe(false);
    const wide = await boxOf(page, 'compare-viewport');
    expect(wide.width).toBeCloseTo(before.width + queueWidth + inspectorWidth, -1);
    expect(wide.x).toBeLessThan(before.x);
    await expectLayoutHolds(page, 'panels collapsed', false);
    await screenshotSizes(page, '16-panels-collapsed');

    await page.reload();
    await page.getByTestId('toggle-queue').waitFor();
    expect(await page.getByTestId('toggle-queue').getAttribute('aria-expanded')).toBe('false');
    expect(await page.getByTestId('queue-panel').isVisible()).toBe(false);
    await page.getByTestId('toggle-queue').click();
    await page.getByTestId('toggle-inspector').click();
    await page.getByTestId('queue-panel').waitFor();
    await page.getByTestId('inspector').waitFor();
  });

  it('logged no errors in the page', () => {
    // Except the hostile pickle the Models state imports on purpose (refused: 422).
    const refused = /^http 422 \S*\/api\/importModel model\.refused$/;
    expect(app.errors.filter((e) => !refused.test(e))).toEqual([]);
  });
});
