// The app switched to German in Settings, in Chromium against a real `upres serve`: the choice is
// saved and survives a reload, each main screen (the first screen, an error, the queue with
// photos, the compare view, a failed photo, the settings) is photographed at the three reviewed
// window sizes, none shows an English word of the app's own, and German's longer words neither
// overlap nor get cut without a tooltip.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addPath, rows, waitConnected } from './helpers/app-page';
import { screenshotSizes, WINDOW_SIZES } from './helpers/browser';
import { boxOf, layoutProblems, settle } from './helpers/layout';
import { useServedApp } from './helpers/served-app';

/**
 * Words of the app's English UI (whole words, case as shown) that no German screen may show. Words
 * German shares (Export, Format, Original, Engine, Worker, Zoom, Start in "Starten") are left out.
 */
const ENGLISH = [
  'the',
  'and',
  'with',
  'of',
  'to',
  'from',
  'Queue',
  'Settings',
  'Photos',
  'photos',
  'Add',
  'Remove',
  'Cancel',
  'Retry',
  'Waiting',
  'Failed',
  'Done',
  'done',
  'Pause',
  'Clear',
  'Model',
  'Output',
  'Size',
  'Saving',
  'Loading',
  'Split',
  'Side',
  'Fit',
  'Compare',
  'Upscaled',
  'Presets',
  'Apply',
  'selected',
  'waiting',
  'Dismiss',
  'Undo',
  'Language',
  'Device',
  'Automatic',
  'Default',
  'Transparency',
  'Metadata',
  'Quality',
  'Width',
  'Height',
  'Scale',
  // The engine's runtime sentences (where a model runs, why a provider is not used): German has
  // its own ("Läuft auf CPU (fp32)"), so the English form of a warning or a provider's note is
  // caught on any screen.
  'running on',
  'cpu',
  'using',
  'failed',
  'needs',
  'installed',
  'available',
  'retried',
  'measured',
];

// Elements that show user data or the engine's own English detail, not the app's words.
const NOT_OURS = [
  '[data-testid="item-name"]',
  '[data-testid="inspector-name"]',
  '[data-testid="item-output-name"]',
  '[data-testid="add-problem"] .path',
  '[data-testid="export-folder"]',
  '[data-testid="export-template"]',
  '[data-testid="inspector-export-folder"]',
  '[data-testid="inspector-export-name"]',
  'option',
].join(', ');

let photos: string;
let bad: string;
let broken: string;

const app = useServedApp('upres-e2e-german-', async (world) => {
  photos = join(world.dir, 'photos');
  bad = join(world.dir, 'bad');
  broken = join(world.dir, 'broken');
  await mkdir(bad);
  await mkdir(broken);
  await sharp({ create: { width: 48, height: 32, channels: 3, background: '#3a6ea5' } })
    .png()
    .toFile(join(photos, 'hafen.png'));
  await sharp({ create: { width: 64, height: 48, channels: 3, background: '#a56e3a' } })
    .png()
    .toFile(join(photos, 'leuchtturm.png'));
  // A text file with an image's name: refused when added.
  await writeFile(join(bad, 'notizen.png'), 'this is not a picture\n');
  // A JPEG cut off half way through its data: added (its header reads), then fails.
  const pixels = Buffer.alloc(160 * 120 * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37) % 251;
  const jpeg = await sharp(pixels, { raw: { width: 160, height: 120, channels: 3 } })
    .jpeg({ quality: 95 })
    .toBuffer();
  await writeFile(join(broken, 'kaputt.jpg'), jpeg.subarray(0, Math.floor(jpeg.length * 0.5)));
});

/** The app's own words on screen: visible text and the names and tooltips people read. */
async function shownWords(page: Page): Promise<string> {
  // Runs in the page (a string, so the test runner's transforms never reach it). Rendered
  // elements only (a closed dialog is not on screen); text a screen reader reads but the eye
  // does not (.sr-only) counts.
  return page.evaluate<string>(`(() => {
    const skip = ${JSON.stringify(NOT_OURS)};
    const ours = (el) =>
      !!el && el.checkVisibility() && !el.closest(skip) && !el.closest('style, script');
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode())
      if (ours(n.parentElement)) out.push(n.textContent);
    for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]'))
      if (ours(el))
        for (const a of ['aria-label', 'title', 'placeholder', 'alt'])
          out.push(el.getAttribute(a) ?? '');
    return out.join('\\n');
  })()`);
}

/** The English words among `text`, each once, with the words around it. */
function englishIn(text: string): string[] {
  const found: string[] = [];
  for (const w of ENGLISH) {
    const m = new RegExp(`(^|[^\\p{L}])${w}($|[^\\p{L}])`, 'u').exec(text);
    if (m) found.push(`${w}: …${text.slice(Math.max(0, m.index - 30), m.index + 40)}…`);
  }
  return found;
}

/**
 * Checks a German screen and photographs it at the three window sizes. Text in „…“ is not counted:
 * it is quoted, a name the user gave or another program's own words (libvips's reason a JPEG
 * does not decode), which the German sentence around it presents as such.
 */
async function germanScreen(page: Page, name: string): Promise<void> {
  expect(await page.evaluate('document.documentElement.lang')).toBe('de');
  const words = (await shownWords(page)).replace(/„[^“]*“/g, ' ');
  expect.soft(englishIn(words), `English words on ${name}`).toEqual([]);
  for (const size of WINDOW_SIZES) {
    await page.setViewportSize(size);
    await settle(page);
    const at = `${name} at ${size.width}×${size.height}`;
    const found = await layoutProblems(page);
    expect.soft(found.overlaps, `overlaps, ${at}`).toEqual([]);
    expect.soft(found.clipped, `clipped without a tooltip, ${at}`).toEqual([]);
    expect.soft(found.wrapped, `wrapped buttons, ${at}`).toEqual([]);
    expect.soft(await page.evaluate('document.documentElement.scrollWidth'), at).toBe(size.width);
  }
  await screenshotSizes(page, `de-${name}`);
}

describe('the UI in German', () => {
  it('is chosen in Settings, saved, and kept after a reload', async () => {
    const page = app.page;
    // The browser says English: the app starts in English.
    expect(await page.getByTestId('nav-settings').textContent()).toBe('Settings');
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-language').selectOption('de');
    await page.locator('[data-testid="settings-status"]', { hasText: /^Gespeichert$/ }).waitFor();
    expect(await page.getByTestId('nav-settings').textContent()).toBe('Einstellungen');
    await page.reload();
    await waitConnected(page);
    await page.locator('[data-testid="nav-settings"]', { hasText: 'Einstellungen' }).waitFor();
    await page.getByTestId('nav-settings').click();
    expect(await page.getByTestId('settings-language').inputValue()).toBe('de');
    await page.getByTestId('settings-close').click();
  });

  it('the first screen', async () => {
    const page = app.page;
    await page.getByTestId('queue-empty').waitFor();
    expect(await page.getByTestId('queue-summary').textContent()).toBe('Noch keine Fotos');
    // As the layout test asks of English: the longer German words leave "Add path" usable.
    for (const size of WINDOW_SIZES) {
      await page.setViewportSize(size);
      await settle(page);
      const field = await boxOf(page, 'add-path-input');
      expect(field.width, `field width at ${size.width}×${size.height}`).toBeGreaterThanOrEqual(
        240,
      );
    }
    await germanScreen(page, '01-first-screen');
  });

  it('an error: a file that is no picture, refused when added', async () => {
    const page = app.page;
    // Nothing of it is added, so the field keeps the path (addPath waits for it to empty).
    const input = page.getByTestId('add-path-input');
    await input.fill(bad);
    await input.press('Enter');
    const problem = page.getByTestId('add-problem');
    await problem.waitFor();
    await germanScreen(page, '02-error');
    await page.locator('[data-testid="add-problems"] button').click();
  });

  it('the queue with photos', async () => {
    const page = app.page;
    await addPath(page, photos);
    await expect.poll(() => rows(page).count()).toBe(2);
    const status = rows(page, 'hafen.png').getByTestId('item-status');
    expect((await status.textContent())!.trim()).toBe('Wartet');
    await germanScreen(page, '03-queue');
  });

  it('the compare view of a selected photo', async () => {
    const page = app.page;
    await rows(page, 'hafen.png').getByTestId('queue-row-select').click();
    await page.locator('[data-testid="preview-label"][data-kind="exact"]').waitFor();
    await germanScreen(page, '04-compare');
  });

  it('a failed photo: the engine’s detail under a German headline', async () => {
    const page = app.page;
    await addPath(page, broken);
    await page.getByTestId('queue-start').click();
    await rows(page, 'kaputt.jpg', 'failed').waitFor({ timeout: 60_000 });
    await rows(page, 'leuchtturm.png', 'done').waitFor({ timeout: 60_000 });
    await rows(page, 'kaputt.jpg').getByTestId('queue-row-select').click();
    const error = (await page.getByTestId('inspector-error').textContent())!.trim();
    // The headline is the catalogue's for the code; the engine's sentence follows it, in German
    // too, with libvips's own reason quoted as such (pipeline.json "inputCannotDecode").
    const path = join(broken, 'kaputt.jpg');
    const sentence = `Datei nicht lesbar: ${path}: kann nicht dekodiert werden: Die Datei ist beschädigt oder unvollständig (`;
    expect(error.startsWith(sentence), error).toBe(true);
    expect(error.slice(sentence.length)).toMatch(/^„[^“]+“\)$/);
    expect(await page.getByTestId('queue-summary').textContent()).toBe(
      '2 von 3 fertig · 1 fehlgeschlagen',
    );
    await germanScreen(page, '05-failed');
  });

  it('the settings', async () => {
    const page = app.page;
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-screen').waitFor();
    await germanScreen(page, '06-settings');
    await page.getByTestId('settings-close').click();
  });
});
