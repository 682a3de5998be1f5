// The α strip in Chromium against a real `upres serve` with the tiny pair: five panes of the
// visible region at α 0, 0.25, 0.5, 0.75 and 1, each showing pixels equal to a crop of what
// `upres upscale --alpha` writes (read back from the image and from the screen), locked together
// for zoom and pan; a pane clicked (or Enter on it) gives the photo its α; holding `\` shows the
// original's pixels in every mode; `?` opens the shortcuts sheet, Esc closes it.
import { mkdirSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { addPath, rows } from './helpers/app-page';
import { SCREENSHOTS, WINDOW_SIZES } from './helpers/browser';
import { settle } from './helpers/layout';
import { engineRender, rgba } from './helpers/pixels';
import { useServedApp } from './helpers/served-app';
import { PAIR, SLOW } from './helpers/serve-world';

const SET5 = join(import.meta.dirname, '..', '..', '..', 'shared', 'datasets', 'Set5');
const ALPHAS = [0, 0.25, 0.5, 0.75, 1];
/** The tiny pair's scale. */
const SCALE = 4;

let photo: string;
let single: string;

const app = useServedApp('upres-e2e-strip-', async (world) => {
  photo = join(world.dir, 'photos', 'strip.png');
  single = join(world.dir, 'photos', 'single.png');
  // 96 × 64 (×4: 384 × 256): at 400 % a pane shows a part of it, not the whole photo.
  await sharp(join(SET5, 'baby.png'))
    .extract({ left: 150, top: 160, width: 96, height: 64 })
    .png()
    .toFile(photo);
  await sharp(join(SET5, 'bird.png'))
    .extract({ left: 100, top: 90, width: 64, height: 48 })
    .png()
    .toFile(single);
  // The original drawn by nearest neighbour: its pixels are squares on screen, so they can be
  // read back from a screenshot.
  await writeFile(
    join(world.env.UPRES_USER_DIR!, 'settings.json'),
    `${JSON.stringify({ model: PAIR, device: 'cpu', compareResample: 'nearest' })}\n`,
  );
});

const pane = (page: Page, alpha: number): Locator =>
  page.locator(`[data-testid="strip-pane"][data-alpha="${alpha}"]`);

interface Pixels {
  width: number;
  height: number;
  data: Buffer;
}

// Runs in the page (a string: the tests' tsconfig has no DOM types): an <img>'s own pixels at its
// natural size, read back through a canvas.
const READ_IMAGE = `async (selector) => {
  const img = document.querySelector(selector);
  await img.decode();
  const c = document.createElement('canvas');
  c.width = img.naturalWidth;
  c.height = img.naturalHeight;
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  let s = '';
  for (let k = 0; k < d.length; k += 0x8000) s += String.fromCharCode(...d.subarray(k, k + 0x8000));
  return { width: c.width, height: c.height, b64: btoa(s) };
}`;

async function imagePixels(page: Page, selector: string): Promise<Pixels> {
  const r = (await page.evaluate(`(${READ_IMAGE})(${JSON.stringify(selector)})`)) as {
    width: number;
    height: number;
    b64: string;
  };
  return { width: r.width, height: r.height, data: Buffer.from(r.b64, 'base64') };
}

/** The largest channel difference of two RGBA images of one size. */
function maxDiff(a: Pixels, b: Pixels): number {
  if (a.width !== b.width || a.height !== b.height) return Infinity;
  let max = 0;
  for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i] - b.data[i]));
  return max;
}

async function crop(path: string, x: number, y: number, w: number, h: number): Promise<Pixels> {
  const { data, info } = await sharp(path)
    .extract({ left: x, top: y, width: w, height: h })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

/** The region a pane's exact render covers (input px). */
async function regionOf(p: Locator): Promise<{ x: number; y: number; w: number; h: number }> {
  const [x, y, w, h] = (await p.getAttribute('data-region'))!.split(',').map(Number);
  return { x, y, w, h };
}

/**
 * What a pane shows on screen, sampled at the centre of each output pixel that lies fully inside
 * it and clear of its label and the corner buttons, against `expected(ox, oy)` (RGB of output
 * pixel ox, oy); returns the largest channel difference and how many pixels were compared.
 */
async function screenDiff(
  page: Page,
  p: Locator,
  expected: (ox: number, oy: number) => [number, number, number] | undefined,
): Promise<{ max: number; compared: number }> {
  const box = (await p.boundingBox())!;
  const stage = p.getByTestId('strip-stage');
  const [zoom, vx, vy] = await Promise.all(
    ['data-zoom', 'data-x', 'data-y'].map(async (a) => Number(await stage.getAttribute(a))),
  );
  const covered = [
    await p.getByTestId('strip-tag').boundingBox(),
    await page.getByTestId('compare-corner').boundingBox(),
  ];
  const shot = await sharp(await page.screenshot({ clip: box, animations: 'disabled' }))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const sw = shot.info.width;
  let max = 0;
  let compared = 0;
  const margin = 3; // the current pane's 2 px border
  for (let oy = 0; ; oy++) {
    const cy = vy + (oy + 0.5) * zoom;
    if (cy >= box.height - margin) break;
    if (cy < margin) continue;
    for (let ox = 0; ; ox++) {
      const cx = vx + (ox + 0.5) * zoom;
      if (cx >= box.width - margin) break;
      if (cx < margin) continue;
      const [gx, gy] = [box.x + cx, box.y + cy];
      if (
        covered.some(
          (c) =>
            c &&
            gx >= c.x - 1 &&
            gx <= c.x + c.width + 1 &&
            gy >= c.y - 1 &&
            gy <= c.y + c.height + 1,
        )
      )
        continue;
      const want = expected(ox, oy);
      if (!want) continue;
      const i = (Math.floor(cy) * sw + Math.floor(cx)) * 4;
      for (let k = 0; k < 3; k++) max = Math.max(max, Math.abs(shot.data[i + k] - want[k]));
      compared++;
    }
  }
  return { max, compared };
}

/** Waits until every pane of the strip shows its exact render of one region. */
async function allExact(page: Page, n = ALPHAS.length): Promise<void> {
  await expect
    .poll(() => page.locator('[data-testid="strip-pane"][data-kind="exact"]').count(), {
      timeout: 60_000,
    })
    .toBe(n);
}

/** Screenshots of the state at each reviewed size, each once its panes are exact. */
async function strip(page: Page, name: string, wait: boolean): Promise<string[]> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const before = page.viewportSize();
  const paths: string[] = [];
  try {
    for (const size of WINDOW_SIZES) {
      await page.setViewportSize(size);
      await settle(page);
      if (wait) await allExact(page);
      const path = join(SCREENSHOTS, `${name}-${size.width}x${size.height}.png`);
      rmSync(path, { force: true });
      await page.screenshot({ path, animations: 'disabled' });
      paths.push(path);
    }
  } finally {
    if (before) {
      await page.setViewportSize(before);
      // The view re-fits to the restored size over the next frames: let it, before a test reads it.
      await settle(page);
    }
  }
  return paths;
}

describe('the α strip in Chromium against upres serve', () => {
  it('shows five exact renders, each equal to `upres upscale --alpha` on the same region', async () => {
    const page = app.page;
    await addPath(page, photo);
    await addPath(page, single);
    await rows(page, 'strip.png').getByTestId('queue-row-select').click();
    await page.locator('[data-testid="preview-label"][data-kind="exact"]').waitFor();

    await page.getByTestId('mode-strip').click();
    const started = Date.now();
    await page.getByTestId('zoom-menu').selectOption('4');
    await allExact(page);
    const wall = (Date.now() - started) / 1000;
    const label = (await page.getByTestId('preview-label').textContent())!;
    const engine = await page
      .getByTestId('strip-pane')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seconds'))));
    const seconds = /in ([\d.]+) s/.exec(label)?.[1];
    process.stdout.write(
      `α strip, five exact renders on the tiny pair: ${seconds ?? '?'} s from the first request to the last answer, ${wall.toFixed(2)} s from the zoom to all five on screen; the engine's own time per render ${engine.map((e) => e.toFixed(3)).join(', ')} s\n`,
    );
    expect(label).toMatch(/^α strip: 5 exact renders/);

    // Five panes in the set's order, each labelled with its α, none the dial's (0.8).
    const alphas = await page
      .getByTestId('strip-pane')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-alpha'))));
    expect(alphas).toEqual(ALPHAS);
    for (const a of ALPHAS)
      expect(await pane(page, a).getByTestId('strip-tag').textContent()).toContain(
        `α ${a.toFixed(2)}`,
      );
    expect(await page.locator('[data-testid="strip-pane"][data-current="true"]').count()).toBe(0);

    // One region, one transform: every pane shows the same part of the photo, at 400 %.
    const region = await regionOf(pane(page, 0));
    expect(region.w < 96 || region.h < 64, JSON.stringify(region)).toBe(true);
    const stages = await page
      .getByTestId('strip-stage')
      .evaluateAll((els) =>
        els.map(
          (e) =>
            `${e.getAttribute('data-zoom')}|${e.getAttribute('data-x')}|${e.getAttribute('data-y')}|${(e as unknown as { style: { transform: string } }).style.transform}`,
        ),
      );
    expect(new Set(stages).size).toBe(1);
    expect(stages[0].startsWith('4|')).toBe(true);

    const [ox, oy, ow, oh] = [region.x, region.y, region.w, region.h].map((v) => v * SCALE);
    // The engine's own renders, through the command line (independent of the server and the UI).
    const references = await Promise.all(
      ALPHAS.map((a) => engineRender(app.world.env, app.world.dir, photo, PAIR, a)),
    );
    for (const [k, a] of ALPHAS.entries()) {
      expect(await regionOf(pane(page, a))).toEqual(region);
      const reference = references[k];
      const want = await crop(reference, ox, oy, ow, oh);
      // The image the pane shows…
      const shown = await imagePixels(
        page,
        `[data-testid="strip-pane"][data-alpha="${a}"] [data-testid="strip-render"]`,
      );
      expect(maxDiff(shown, want), `image at α ${a}`).toBeLessThanOrEqual(1);
      // …and what is on screen in the pane.
      const full = await rgba(reference);
      const onScreen = await screenDiff(page, pane(page, a), (x, y) => {
        if (x < ox || y < oy || x >= ox + ow || y >= oy + oh) return undefined;
        const i = (y * full.width + x) * 4;
        return [full.data[i], full.data[i + 1], full.data[i + 2]];
      });
      expect(onScreen.compared, `pixels compared at α ${a}`).toBeGreaterThan(500);
      expect(onScreen.max, `screen at α ${a}`).toBeLessThanOrEqual(1);
    }
    // α made a difference: the ends differ.
    const [first, last] = await Promise.all(
      [0, 1].map((a) =>
        imagePixels(
          page,
          `[data-testid="strip-pane"][data-alpha="${a}"] [data-testid="strip-render"]`,
        ),
      ),
    );
    expect(maxDiff(first, last)).toBeGreaterThan(8);
    await strip(page, '20-alpha-strip', true);
  });

  it('pans all panes together and renders the new region', async () => {
    const page = app.page;
    const stage = pane(page, 0.5).getByTestId('strip-stage');
    // The transform the drag starts from, once it holds still for a frame (a resize re-fits it).
    let x0 = Number(await stage.getAttribute('data-x'));
    for (let i = 0; i < 20; i++) {
      await settle(page);
      const now = Number(await stage.getAttribute('data-x'));
      if (now === x0) break;
      x0 = now;
    }
    const before = await regionOf(pane(page, 0.5));
    const box = (await pane(page, 0.5).boundingBox())!;
    const from = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x + 30, from.y, { steps: 3 });
    await page.mouse.move(from.x + 60, from.y, { steps: 3 });
    await page.mouse.up();
    const xs = await page
      .getByTestId('strip-stage')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-x'))));
    expect(new Set(xs).size).toBe(1);
    expect(xs[0]).toBeCloseTo(x0 + 60, 3);
    await allExact(page);
    expect((await regionOf(pane(page, 0.5))).x).toBeLessThan(before.x);
    // A drag is no click: the dial did not move.
    expect(await page.getByTestId('alpha-value').textContent()).toBe('α 0.80');
  });

  it('a pane clicked, or Enter on a focused one, gives the photo its α', async () => {
    const page = app.page;
    await pane(page, 0.25).click();
    await page.locator('[data-testid="alpha-value"]', { hasText: 'α 0.25' }).waitFor();
    expect(Number(await page.getByTestId('alpha-slider').inputValue())).toBe(0.25);
    await pane(page, 0.25).and(page.locator('[data-current="true"]')).waitFor();
    expect(await pane(page, 0.25).getAttribute('aria-pressed')).toBe('true');
    // The photo follows the dial: its panel and its queue row.
    await page.locator('[data-testid="inspector-alpha"]', { hasText: '0.25' }).waitFor();
    const row = rows(page, 'strip.png');
    expect(await row.getByTestId('item-alpha').textContent()).toBe('α 0.25');

    await pane(page, 0.75).focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="alpha-value"]', { hasText: 'α 0.75' }).waitFor();
    await page.locator('[data-testid="inspector-alpha"]', { hasText: '0.75' }).waitFor();
    expect(await pane(page, 0.25).getAttribute('data-current')).toBe('false');
  });

  it('holding \\ shows the original’s pixels in every pane, and in split view', async () => {
    const page = app.page;
    await allExact(page);
    const input = await rgba(photo);
    const originalAt = (x: number, y: number): [number, number, number] => {
      const i = (Math.floor(y / SCALE) * input.width + Math.floor(x / SCALE)) * 4;
      return [input.data[i], input.data[i + 1], input.data[i + 2]];
    };
    await page.getByTestId('compare-viewport').focus();
    await page.keyboard.down('\\');
    await expect
      .poll(() => page.locator('[data-testid="strip-pane"][data-kind="original"]').count())
      .toBe(ALPHAS.length);
    expect(await page.getByTestId('strip-render').count()).toBe(0);
    expect(await page.getByTestId('blend-canvas').count()).toBe(0);
    // The original's own pixels, at the same zoom and place as the renders.
    const img = await imagePixels(
      page,
      '[data-testid="strip-pane"][data-alpha="0"] [data-testid="strip-original"]',
    );
    expect(img.width).toBe(96);
    expect(maxDiff(img, { width: input.width, height: input.height, data: input.data })).toBe(0);
    for (const a of [0, 1]) {
      const seen = await screenDiff(page, pane(page, a), originalAt);
      expect(seen.compared).toBeGreaterThan(500);
      expect(seen.max, `original on screen in the α ${a} pane`).toBeLessThanOrEqual(1);
    }
    await strip(page, '20b-alpha-strip-original', false);
    await page.keyboard.up('\\');
    await allExact(page);

    // Split view: the upscaled side shows the original while held; the button does the same.
    await page.getByTestId('mode-split').click();
    const viewport = page.getByTestId('compare-viewport');
    await page.keyboard.down('\\');
    await page.locator('[data-testid="compare-viewport"][data-original="true"]').waitFor();
    expect(
      await page.getByTestId('compare-pane-upscaled').getByTestId('image-original').count(),
    ).toBe(1);
    expect(await page.getByTestId('exact-render').count()).toBe(0);
    await page.keyboard.up('\\');
    await page.locator('[data-testid="compare-viewport"][data-original="false"]').waitFor();
    const button = (await page.getByTestId('flicker-button').boundingBox())!;
    await page.mouse.move(button.x + button.width / 2, button.y + button.height / 2);
    await page.mouse.down();
    expect(await viewport.getAttribute('data-original')).toBe('true');
    expect(await page.getByTestId('flicker-button').getAttribute('aria-pressed')).toBe('true');
    await page.mouse.up();
    expect(await viewport.getAttribute('data-original')).toBe('false');
    await page.getByTestId('mode-strip').click();
  });

  it('the set is editable: a value typed, a refusal explained, one added and removed', async () => {
    const page = app.page;
    const values = page.getByTestId('strip-value');
    await values.nth(1).fill('0,3');
    await values.nth(1).press('Enter');
    await pane(page, 0.3).waitFor();
    expect(await pane(page, 0.25).count()).toBe(0);
    await values.nth(2).fill('2');
    await values.nth(2).press('Enter');
    expect(await page.getByTestId('strip-refusal').textContent()).toContain('outside 0–1');
    expect(await values.nth(2).inputValue()).toBe('0.50');
    await page.getByTestId('strip-add').click();
    await expect.poll(() => page.getByTestId('strip-pane').count()).toBe(6);
    await allExact(page, 6);
    await page.getByTestId('strip-remove').nth(0).click();
    await expect.poll(() => page.getByTestId('strip-pane').count()).toBe(5);
    await page.getByTestId('strip-reset').click();
    const alphas = await page
      .getByTestId('strip-pane')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-alpha'))));
    expect(alphas).toEqual(ALPHAS);
    await allExact(page);
  });

  it('? opens the shortcuts sheet, focus stays in it, Esc closes it and focus comes back', async () => {
    const page = app.page;
    await page.getByTestId('compare-viewport').focus();
    await page.keyboard.press('?');
    const sheet = page.getByTestId('shortcuts-sheet');
    await sheet.waitFor();
    expect(await sheet.evaluate((d) => (d as unknown as { open: boolean }).open)).toBe(true);
    const ids = await sheet
      .getByTestId('shortcut')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    for (const id of [
      'zoom-in',
      'zoom-fit',
      'pan-keys',
      'flicker',
      'shortcuts',
      'strip-choose',
      'queue-remove',
    ])
      expect(ids).toContain(id);
    expect(await sheet.locator('[data-id="flicker"] kbd').textContent()).toBe('\\');
    const inside = `document.activeElement?.closest('[data-testid="shortcuts-sheet"]') !== null`;
    expect(await page.evaluate(inside)).toBe(true);
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press(i % 2 ? 'Shift+Tab' : 'Tab');
      expect(await page.evaluate(inside), `after Tab ${i + 1}`).toBe(true);
    }
    await strip(page, '21-shortcuts-sheet', false);
    await page.keyboard.press('Escape');
    await expect
      .poll(() => sheet.evaluate((d) => (d as unknown as { open: boolean }).open))
      .toBe(false);
    expect(await page.evaluate(`document.activeElement?.getAttribute('data-testid')`)).toBe(
      'compare-viewport',
    );
    // The button opens it too; Close shuts it.
    await page.getByTestId('shortcuts-button').click();
    await page.getByTestId('shortcuts-close').click();
    await expect
      .poll(() => sheet.evaluate((d) => (d as unknown as { open: boolean }).open))
      .toBe(false);
    expect(await page.evaluate(`document.activeElement?.getAttribute('data-testid')`)).toBe(
      'shortcuts-button',
    );
  });

  it('a photo of a single model: the strip is unavailable, and says why', async () => {
    const page = app.page;
    await rows(page, 'single.png').getByTestId('queue-row-select').click();
    await page.getByTestId('settings-model').selectOption(SLOW);
    await page.getByTestId('apply-selected').click();
    const why = page.getByTestId('strip-unavailable');
    await why.waitFor();
    expect(await why.textContent()).toMatch(
      /needs a pair of models: “Tiny RRDB” is a single model/,
    );
    expect(await page.getByTestId('mode-strip').getAttribute('title')).toMatch(/single model/);
    expect(await page.getByTestId('strip-pane').count()).toBe(0);
    await page.getByTestId('mode-split').click();
  });

  it('logged no errors in the page', () => {
    expect(app.errors).toEqual([]);
  });
});
