// Models in the app, against a real `upres serve` in Chromium: model files dropped onto the window
// and picked with *Import model…* are imported (the browser sends their bytes) and listed with
// their facts and origin; a malicious pickle is refused with its message, which stays until
// dismissed; a shipped model and a pair's end explain why they cannot be removed; two compatible
// models become a named pair with its default α, which the Model list then offers, the dial
// previews (the exact render changes with α) and the queue exports as the CLI renders it.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { encodeModel } from '../../src/main/engine/models/write-model';
import type { ArchitectureSpec } from '../../src/shared/architecture';
import { randomPng } from '../helpers/app-engine';
import { randomWeights, TINY_SRVGG } from '../helpers/random-models';
import { addPath, dragAlpha, rows } from './helpers/app-page';
import { screenshotSizes } from './helpers/browser';
import { engineRender, maxPixelDiff } from './helpers/pixels';
import { useServedApp } from './helpers/served-app';

const ARCH = join(import.meta.dirname, '..', 'fixtures', 'arch');
const PTH = join(import.meta.dirname, '..', 'fixtures', 'pth');
/** A name longer than any card is wide. */
const LONG =
  'Real-ESRGAN general denoise x4 v3 fine-tuned on harbour photographs at dusk (wdn 0.5)';

let downloads: string;
let photo: string;

/** Random weights of `spec` as a downloaded .safetensors checkpoint. */
async function checkpoint(name: string, seed: number, spec: ArchitectureSpec = TINY_SRVGG) {
  const { bytes } = encodeModel({
    id: 'x',
    name: 'x',
    role: 'general',
    spec,
    weights: randomWeights(spec, seed),
    provenance: { source: 'test', sourceFiles: [], licence: 'MIT', credit: 'test' },
    dtype: 'float32',
  });
  await writeFile(join(downloads, name), bytes);
}

const app = useServedApp('upres-e2e-models-', async (world) => {
  downloads = join(world.dir, 'photos');
  await checkpoint('sharp-x4.safetensors', 31);
  await checkpoint('soft-x4.safetensors', 32);
  await checkpoint(`${LONG}.safetensors`, 33);
  photo = join(world.dir, 'photos', 'harbour.png');
  await randomPng(photo, 24, 18, 5);
});

/** Drops files onto the window as a browser does: a DataTransfer of Files, no paths. */
async function dropFiles(page: Page, paths: string[]): Promise<void> {
  const files = await Promise.all(
    paths.map(async (p) => ({
      name: p.split('/').pop(),
      data: (await readFile(p)).toString('base64'),
    })),
  );
  await page.evaluate(`(() => {
    const dt = new DataTransfer();
    for (const f of ${JSON.stringify(files)}) {
      const bytes = Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], f.name));
    }
    for (const type of ['dragenter', 'dragover', 'drop'])
      document.body.dispatchEvent(
        new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }),
      );
  })()`);
}

/** Picks files in the *Import model…* button's chooser. */
async function pickFiles(page: Page, paths: string[]): Promise<void> {
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.getByTestId('model-import-button').click(),
  ]);
  await chooser.setFiles(paths);
}

const job = (page: Page, label: string, state?: string) =>
  page.locator(
    `[data-testid="model-import"][data-label="${label}"]${state ? `[data-state="${state}"]` : ''}`,
  );

/** Dismisses every import message on screen. */
async function dismissAll(page: Page): Promise<void> {
  const buttons = page.getByTestId('model-import-dismiss');
  while ((await buttons.count()) > 0) await buttons.first().click();
}
const card = (page: Page, id: string) =>
  page.locator(`[data-testid="model-card"][data-id="${id}"]`);

/** The pixels of an image the page shows (its URL holds the token), saved to a file. */
async function savedImage(page: Page, testid: string, path: string): Promise<string> {
  const b64 = (await page.evaluate(`(async () => {
    const src = document.querySelector('[data-testid="${testid}"]').getAttribute('src');
    const bytes = new Uint8Array(await (await fetch(src)).arrayBuffer());
    let s = '';
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s);
  })()`)) as string;
  await writeFile(path, Buffer.from(b64, 'base64'));
  return path;
}

describe('models in the app', () => {
  it('lists the shipped models with their facts, and says why they cannot be removed', async () => {
    const page = app.page;
    await page.getByTestId('nav-models').click();
    await page.getByTestId('models-screen').waitFor();
    const shipped = card(page, 'tiny-f');
    await shipped.waitFor();
    expect(await shipped.getByTestId('model-architecture').textContent()).toBe('SRVGGNetCompact');
    expect(await shipped.getByTestId('model-scale').textContent()).toBe('×4');
    expect(await shipped.getByTestId('model-origin').textContent()).toBe('Ships with Upres');
    expect(await shipped.getByTestId('model-remove').count()).toBe(0);
    expect(await shipped.getByTestId('model-remove-blocked').textContent()).toBe(
      'Ships with Upres, so it cannot be removed.',
    );
    await screenshotSizes(page, 'models-01-shipped');
  });

  it('imports model files dropped onto the window; photos in the same drop are not lost', async () => {
    const page = app.page;
    // A drop on the Photos screen: the model is imported, the photo gets the browser's hint.
    await page.getByTestId('nav-work').click();
    await dropFiles(page, [
      join(downloads, 'sharp-x4.safetensors'),
      join(ARCH, 'realesrgan-x4.pth'),
      photo,
    ]);
    await page.getByTestId('drop-hint').waitFor();
    const toast = page.getByTestId('model-imports-toast');
    await job(page, 'sharp-x4.safetensors', 'done').waitFor();
    await job(page, 'realesrgan-x4.pth', 'done').waitFor();
    expect(await toast.getByTestId('model-import-title').allTextContents()).toEqual([
      'Imported sharp-x4.safetensors as “sharp-x4”.',
      'Imported realesrgan-x4.pth as “realesrgan-x4”.',
    ]);
    await page.getByTestId('drop-hint').getByRole('button').click();

    await page.getByTestId('nav-models').click();
    const pth = card(page, 'realesrgan-x4');
    await pth.waitFor();
    expect(await pth.getByTestId('model-architecture').textContent()).toBe('RRDBNet');
    expect(await pth.getByTestId('model-origin').textContent()).toBe(
      'Imported from realesrgan-x4.pth',
    );
    expect(await card(page, 'sharp-x4').getByTestId('model-origin').textContent()).toBe(
      'Imported from sharp-x4.safetensors',
    );
    // The same weights again are refused, naming the file and the model it is.
    await dropFiles(page, [join(downloads, 'sharp-x4.safetensors')]);
    const again = job(page, 'sharp-x4.safetensors', 'refused');
    await again.waitFor();
    expect(await again.getByTestId('model-import-message').textContent()).toBe(
      'sharp-x4.safetensors: already imported as sharp-x4 (sharp-x4.safetensors)',
    );
    await dismissAll(page);
    expect(await page.getByTestId('model-import').count()).toBe(0);
  });

  it('imports with the Import model… button, and a long name wraps inside its card', async () => {
    const page = app.page;
    await pickFiles(page, [join(downloads, 'soft-x4.safetensors')]);
    const soft = job(page, 'soft-x4.safetensors', 'done');
    await soft.waitFor();
    // A newcomer can start using it from here: new photos are then added with it.
    await soft.getByTestId('model-import-use').click();
    await soft
      .locator('[data-testid="model-import-use"]:disabled', { hasText: 'New photos use it' })
      .waitFor();
    await pickFiles(page, [join(downloads, `${LONG}.safetensors`)]);
    await job(page, `${LONG}.safetensors`, 'done').waitFor();
    const long = page.locator('[data-testid="model-card"][data-origin="user"]', { hasText: LONG });
    await long.waitFor();
    const [box, list] = await Promise.all([
      long.boundingBox(),
      page.getByTestId('model-cards').boundingBox(),
    ]);
    expect(box!.x + box!.width).toBeLessThanOrEqual(list!.x + list!.width + 0.5);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBe(1440);
    await dismissAll(page);
    await screenshotSizes(page, 'models-02-imported-long-names');
  });

  it('refuses a malicious pickle with its message, kept on screen until dismissed', async () => {
    const page = app.page;
    await pickFiles(page, [join(PTH, 'evil-os-system.pth')]);
    const refused = job(page, 'evil-os-system.pth', 'refused');
    await refused.waitFor();
    expect(await refused.getByTestId('model-import-title').textContent()).toBe(
      'Could not import evil-os-system.pth',
    );
    expect(await refused.getByTestId('model-import-message').textContent()).toMatch(
      /^evil-os-system\.pth: refuses to load: the file references global "(os|posix)\.system", which a model checkpoint never needs$/,
    );
    expect(await refused.getByRole('alert').textContent()).toContain('Nothing was imported.');
    expect(await page.locator('[data-testid="model-card"]', { hasText: 'evil' }).count()).toBe(0);
    await screenshotSizes(page, 'models-03-refused-pickle');
    // Still there after other work on the screen (a pair below); dismissed in the next test.
  });

  it('makes a pair of two compatible models, named, with its default α', async () => {
    const page = app.page;
    const fidelity = page.getByTestId('pair-fidelity');
    const offered = await fidelity
      .locator('option')
      .evaluateAll((os) =>
        os.map((o) => (o as unknown as { value: string }).value).filter(Boolean),
      );
    // SRVGG ×4 models of the same shapes pair; the RRDBNet checkpoint has no partner here.
    expect(offered).toContain('soft-x4');
    expect(offered).not.toContain('realesrgan-x4');
    await fidelity.selectOption('soft-x4');
    const partners = await page
      .getByTestId('pair-perceptual')
      .locator('option')
      .evaluateAll((os) =>
        os.map((o) => (o as unknown as { value: string }).value).filter(Boolean),
      );
    expect(partners).toContain('sharp-x4');
    expect(partners).not.toContain('soft-x4');
    expect(partners).not.toContain('tiny-rrdb');
    await page.getByTestId('pair-perceptual').selectOption('sharp-x4');
    await page.getByTestId('pair-name').fill('Harbour dial');
    // A range input cannot be typed into: set it as dragging it would, with an input event.
    await page.getByTestId('pair-alpha').evaluate((el) => {
      const range = el as unknown as { value: string; dispatchEvent(e: Event): boolean };
      range.value = '0.6';
      range.dispatchEvent(new Event('input', { bubbles: true }));
    });
    expect(await page.getByTestId('pair-alpha-value').textContent()).toBe('0.60');
    await page.getByTestId('pair-submit').click();
    await page.getByTestId('pair-done').waitFor();
    expect(await page.getByTestId('pair-done').textContent()).toContain('“Harbour dial”');
    const pair = card(page, 'soft-x4-sharp-x4-pair');
    await pair.waitFor();
    expect(await pair.getByTestId('model-default-alpha').textContent()).toBe('0.60');
    // Its ends can no longer be removed, and say why.
    expect(await card(page, 'soft-x4').getByTestId('model-remove-blocked').textContent()).toBe(
      'Part of the pair “Harbour dial”; remove the pair first.',
    );
    const refused = job(page, 'evil-os-system.pth');
    expect(await refused.getAttribute('data-state')).toBe('refused');
    await refused.getByTestId('model-import-dismiss').click();
    expect(await refused.count()).toBe(0);
    await screenshotSizes(page, 'models-04-pair-made');
  });

  it('removes a user model that is in no pair', async () => {
    const page = app.page;
    const long = page.locator('[data-testid="model-card"][data-origin="user"]', { hasText: LONG });
    await long.getByTestId('model-remove').click();
    await long.getByTestId('model-remove-confirm').click();
    await expect.poll(() => long.count()).toBe(0);
  });

  it('the new pair is in the Model list; the dial previews it and the queue exports at α', async () => {
    const page = app.page;
    await page.getByTestId('models-close').click();
    await addPath(page, photo);
    const row = rows(page, 'harbour.png', 'waiting');
    await row.getByTestId('queue-row-select').click();
    const select = page.getByTestId('settings-model');
    // Added with the model chosen after its import ("Use for new photos").
    expect(await select.inputValue()).toBe('soft-x4');
    expect(await select.locator('option[value="soft-x4-sharp-x4-pair"]').textContent()).toContain(
      'Harbour dial',
    );
    await select.selectOption('soft-x4-sharp-x4-pair');
    await page.getByTestId('apply-selected').click();
    // The pair's default α is where the dial starts.
    await page
      .locator('[data-testid="preview-label"][data-kind="exact"]', { hasText: 'α 0.60' })
      .waitFor();
    await page.locator('[data-testid="exact-render"][data-alpha="0.6"]').waitFor();
    await page.waitForFunction(
      `document.querySelector('[data-testid="exact-render"]')?.complete === true`,
    );
    const at60 = await savedImage(page, 'exact-render', join(app.world.dir, 'exact-60.png'));

    const alpha = await dragAlpha(page, 0.1);
    expect(alpha).toBeLessThan(0.3);
    await page.locator(`[data-testid="exact-render"][data-alpha="${alpha}"]`).waitFor();
    await page.waitForFunction(
      `document.querySelector('[data-testid="exact-render"]')?.complete === true`,
    );
    const dialled = await savedImage(
      page,
      'exact-render',
      join(app.world.dir, 'exact-dialled.png'),
    );
    expect(await maxPixelDiff(at60, dialled)).toBeGreaterThan(0);

    await page.locator('[data-testid="inspector-alpha"]', { hasText: alpha.toFixed(2) }).waitFor();
    await page.getByTestId('queue-start').click();
    await rows(page, 'harbour.png', 'done').waitFor({ timeout: 60_000 });
    const output = (await page.getByTestId('inspector-output').textContent())!.trim();
    const reference = await engineRender(
      app.world.env,
      app.world.dir,
      photo,
      'soft-x4-sharp-x4-pair',
      alpha,
    );
    expect(await maxPixelDiff(output, reference)).toBeLessThanOrEqual(1);
    // …and the α mattered: the pair at its default α renders other pixels.
    const atDefault = await engineRender(
      app.world.env,
      app.world.dir,
      photo,
      'soft-x4-sharp-x4-pair',
      0.6,
    );
    expect(await maxPixelDiff(output, atDefault)).toBeGreaterThan(1);
    // The refused imports answered 4xx on purpose; nothing else failed.
    expect(app.errors.filter((e) => !/^http 4\d\d \S*\/api\/upload\/model\?/.test(e))).toEqual([]);
  });
});
