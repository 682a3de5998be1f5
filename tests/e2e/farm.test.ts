// The render farm in the app (issue 16, point 5), in Chromium against `upres serve`, with a real
// redis-server behind a password and one `upres worker` child: Settings → Farm saves the address
// with the password kept apart (never shown back, never in the page or the server's log), *Test
// connection* answers clearly for a wrong password and for the right one (naming the worker), and
// waiting photos (the selected one, then the rest) go to the farm instead of the local engine:
// their rows show the worker, the tiles and the state, and the outputs are written with the right
// size. Before a farm is set, nothing of it shows.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HAVE_REDIS,
  killAll,
  startRedis,
  startWorker,
  workerReady,
  type Cli,
  type RedisServer,
} from '../integration/farm-world';
import { addPath, rows, waitValue } from './helpers/app-page';
import { screenshotSizes, WINDOW_SIZES } from './helpers/browser';
import { layoutProblems, settle } from './helpers/layout';
import { useServedApp } from './helpers/served-app';
import { SLOW } from './helpers/serve-world';

const PASSWORD = 'Farm-Pw-e2e-7731';
const WORKER = 'e2e-w1';
let photos: string;

const app = useServedApp('upres-e2e-farm-', async (world) => {
  photos = join(world.dir, 'farm-photos');
  await mkdir(photos);
  for (const [n, w, h] of [
    ['a.png', 24, 16],
    ['b.png', 24, 16],
    // 96 × 64 in 16 px tiles through the small RRDBNet: long enough to be seen running.
    ['c.png', 96, 64],
  ] as const) {
    const px = Buffer.alloc(w * h * 3);
    for (let i = 0; i < px.length; i++) px[i] = (i * 53 + w) % 251;
    await sharp(px, { raw: { width: w, height: h, channels: 3 } })
      .png()
      .toFile(join(photos, n));
  }
  // To be cancelled while it runs: 128 × 96, 48 tiles.
  const px = Buffer.alloc(128 * 96 * 3);
  for (let i = 0; i < px.length; i++) px[i] = (i * 29) % 251;
  await mkdir(join(world.dir, 'farm-cancel'));
  await sharp(px, { raw: { width: 128, height: 96, channels: 3 } })
    .png()
    .toFile(join(world.dir, 'farm-cancel', 'e.png'));
});

let redis: RedisServer;
let worker: Cli | undefined;

beforeAll(async () => {
  if (!HAVE_REDIS)
    throw new Error('redis-server is not installed (apt-get install redis-server; .ci/run does)');
  redis = await startRedis(join(app.world.dir), ['--requirepass', PASSWORD]);
  worker = startWorker({ ...app.world.env, UPRES_REDIS_PASSWORD: PASSWORD }, redis.url, WORKER, [
    '--device',
    'cpu',
  ]);
  await workerReady(worker);
});
afterAll(async () => {
  await killAll(worker);
  await redis?.stop();
});

/**
 * Waits until the thumbnails of `n` rows have loaded. A row sent to the farm leaves the queue, and
 * a thumbnail still loading then answers 404 (its photo is no longer the queue's), which the page
 * would log as an error: the tests send only once they are in.
 */
async function thumbnailsIn(n: number): Promise<void> {
  const loaded = `(() => { const imgs = [...document.querySelectorAll('[data-testid="queue-row"] .thumb img')];
    return imgs.length >= ${n} && imgs.every((i) => i.complete && i.naturalWidth > 0); })()`;
  const end = Date.now() + 30_000;
  while (!(await app.page.evaluate(loaded))) {
    if (Date.now() > end) throw new Error(`the thumbnails of ${n} rows did not load`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The page's whole text and attribute values (where a leaked password would show). */
const pageSource = (): Promise<string> =>
  app.page.evaluate(
    `document.documentElement.outerHTML + [...document.querySelectorAll('input')].map((i) => i.value).join(' ')`,
  );

describe.runIf(HAVE_REDIS)('the render farm in the app', () => {
  it('without a farm nothing of it shows in the queue', async () => {
    const page = app.page;
    await page.getByTestId('queue-empty').waitFor();
    expect(await page.getByTestId('farm-send').count()).toBe(0);
    expect(await page.getByTestId('farm-batch').count()).toBe(0);
  });

  it('Settings → Farm: a wrong password is told as such, the right one names the worker', async () => {
    const page = app.page;
    await page.getByTestId('nav-settings').click();
    // Photos added next render with the small RRDBNet in 16 px tiles (c.png takes a while).
    await page.getByTestId('settings-default-model').selectOption(SLOW);
    await page.getByTestId('settings-tile-mode').selectOption('fixed');
    const tile = page.getByTestId('settings-tile');
    await tile.fill('16');
    await tile.press('Tab');
    await waitValue(tile, '16');

    const url = page.getByTestId('settings-farm-url');
    await url.scrollIntoViewIfNeeded();
    await url.fill(`redis://:wrong-password@127.0.0.1:${redis.port}`);
    await page.getByTestId('settings-farm-test').click();
    const answer = page.getByTestId('settings-farm-test-result');
    await answer.waitFor();
    const wrong = (await answer.textContent())!;
    expect(wrong).toMatch(/^\s*✗/);
    expect(wrong).toContain(
      `cannot reach the farm's Redis at redis://:***@127.0.0.1:${redis.port}`,
    );
    expect(wrong).toMatch(/WRONGPASS|invalid username-password/i);
    expect(wrong).not.toContain('wrong-password');

    // The address without its password, the password in its own field; saved, then tested.
    await url.fill(`redis://127.0.0.1:${redis.port}`);
    await page.getByTestId('settings-farm-password').fill(PASSWORD);
    await page.getByTestId('settings-farm-save').click();
    // Saved: the password field is emptied (not filled back) and says one is kept.
    await waitValue(page.getByTestId('settings-farm-password'), '');
    await page.locator('[data-testid="settings-farm-save"]:disabled').waitFor();
    expect(await page.getByTestId('settings-farm-password').getAttribute('placeholder')).toMatch(
      /Saved/,
    );
    await page.getByTestId('settings-farm-test').click();
    await page
      .locator('[data-testid="settings-farm-test-result"]', { hasText: /Connected/ })
      .waitFor({ timeout: 20_000 });
    const ok = (await answer.textContent())!;
    expect(ok).toMatch(/^\s*✓/);
    // The saved password is used, and shown only as ***.
    expect(ok).toContain(`Connected to redis://:***@127.0.0.1:${redis.port}:`);
    expect(ok).toContain(`1 worker taking photos (${WORKER})`);

    // The password is kept owner-only by the engine, never in the page.
    const file = join(app.world.dir, 'user', 'farm.json');
    expect(JSON.parse(await readFile(file, 'utf8')).password).toBe(PASSWORD);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(await pageSource()).not.toContain(PASSWORD);

    // Shown back: the address alone, no password (nor its *** stand-in) in the field.
    expect(await url.inputValue()).toBe(`redis://127.0.0.1:${redis.port}`);
    for (const size of WINDOW_SIZES) {
      await page.setViewportSize(size);
      await settle(page);
      const found = await layoutProblems(page);
      expect(found.overlaps, `overlaps at ${size.width}`).toEqual([]);
      expect(found.clipped, `clipped at ${size.width}`).toEqual([]);
      expect(found.wrapped, `wrapped at ${size.width}`).toEqual([]);
    }
    await answer.scrollIntoViewIfNeeded();
    await screenshotSizes(page, '40-farm-settings');
    await page.getByTestId('settings-close').click();
  });

  it('the selected waiting photo, then the rest, go to the farm; rows show the worker', async () => {
    const page = app.page;
    await addPath(page, photos);
    await rows(page, undefined, 'waiting').nth(2).waitFor();
    await thumbnailsIn(3);
    const send = page.getByTestId('farm-send');
    expect(await send.textContent()).toContain('Send 3 waiting to the farm');

    await rows(page, 'a.png').getByTestId('queue-row-select').click();
    const selected = page.getByTestId('farm-send-selected');
    expect(await selected.textContent()).toContain('Only the 1 selected');
    await selected.click();
    // a.png leaves the local queue and shows on the farm; the others stay local and waiting.
    await rows(page, 'a.png').waitFor({ state: 'detached' });
    expect(await rows(page, undefined, 'waiting').count()).toBe(2);
    const farmRow = (name: string, state?: string): ReturnType<typeof page.locator> =>
      page.locator(
        `[data-testid="farm-row"][data-name="${name}"]${state ? `[data-state="${state}"]` : ''}`,
      );
    await farmRow('a.png', 'done').waitFor({ timeout: 60_000 });
    expect(await farmRow('a.png').getAttribute('data-worker')).toBe(WORKER);
    expect(await farmRow('a.png').getByTestId('farm-row-status').textContent()).toContain(
      `Done on ${WORKER}`,
    );

    // The rest: every waiting photo; then nothing is left to send, and the button goes.
    expect(await send.textContent()).toContain('Send 2 waiting to the farm');
    await send.click();
    await page
      .getByTestId('queue-empty')
      .waitFor({ state: 'detached' })
      .catch(() => undefined);
    await page.locator('[data-testid="farm-batch"]').nth(1).waitFor();
    expect(await rows(page).count()).toBe(0);
    await send.waitFor({ state: 'detached' });
    // c.png runs for a while: its row names the worker and the tile it is on.
    const running = farmRow('c.png', 'running').filter({ hasText: /tile \d+ of \d+/ });
    await running.waitFor({ timeout: 60_000 });
    expect(await running.getAttribute('data-worker')).toBe(WORKER);
    expect(await running.getByTestId('farm-row-worker').textContent()).toBe(WORKER);
    for (const size of WINDOW_SIZES) {
      await page.setViewportSize(size);
      await settle(page);
      const found = await layoutProblems(page);
      expect(found.overlaps, `overlaps at ${size.width}`).toEqual([]);
      expect(found.clipped, `clipped at ${size.width}`).toEqual([]);
    }
    await screenshotSizes(page, '41-farm-running');
    for (const n of ['b.png', 'c.png']) await farmRow(n, 'done').waitFor({ timeout: 120_000 });
    const summaries = await page.getByTestId('farm-batch-summary').allTextContents();
    expect(summaries).toEqual(['1 of 1 done', '2 of 2 done']);

    // The outputs, written by the worker where the rows planned them, at 4× (the model's scale).
    const outDir = `${photos}-upscaled`;
    for (const [n, w, h] of [
      ['a', 24, 16],
      ['b', 24, 16],
      ['c', 96, 64],
    ] as const) {
      const out = page.locator(`[data-testid="farm-row"][data-name="${n}.png"]`);
      const title = (await out.getByTestId('farm-row-status').getAttribute('title'))!;
      const path = title.split(' → ')[1];
      expect(path.startsWith(outDir)).toBe(true);
      const meta = await sharp(path).metadata();
      expect([meta.width, meta.height]).toEqual([w * 4, h * 4]);
    }

    // A finished batch can be cleared from the panel.
    await page.getByTestId('farm-batch-forget').first().click();
    await page.locator('[data-testid="farm-batch"]').nth(1).waitFor({ state: 'detached' });
    expect(await pageSource()).not.toContain(PASSWORD);
    expect(app.served.log()).not.toContain(PASSWORD);
    expect(worker!.stderr()).not.toContain(PASSWORD);
  });

  it('Cancel stops a running farm batch: the photo is cancelled, nothing is written', async () => {
    const page = app.page;
    const dir = join(app.world.dir, 'farm-cancel');
    await addPath(page, dir);
    await thumbnailsIn(1);
    await page.getByTestId('farm-send').click();
    const row = page.locator('[data-testid="farm-row"][data-name="e.png"]');
    await row
      .and(page.locator('[data-state="running"]'))
      .filter({ hasText: /tile [1-9]\d* of 48/ })
      .waitFor({ timeout: 60_000 });
    await page.getByTestId('farm-batch-cancel').click();
    await page
      .locator('[data-testid="farm-row"][data-name="e.png"][data-state="cancelled"]')
      .waitFor({ timeout: 30_000 });
    expect(await row.getByTestId('farm-row-status').textContent()).toBe('Cancelled');
    // Not written, not even partly: the output folder was never made, or is empty.
    const out = `${dir}-upscaled`;
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it('logged no errors in the page', () => {
    expect(app.errors).toEqual([]);
  });
});
