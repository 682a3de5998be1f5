// The new user's flow of issue 12, walked with the mouse in Chromium at 1280×720 against a real
// `upres serve` with the shipped models and default settings: add the photos folder, give two of
// the three photos their own α before Start, start, pause, resume, compare at 800 %, re-export one
// at another α. Prints how long each step took to answer on screen (the renders themselves take
// what they take) and saves a screenshot per step in test-results/walk/.
// `npx tsx tools/new-user-walk.ts [photos folder]` (needs Debian's chromium).
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { addPath, dragAlpha, rows, waitConnected } from '../tests/e2e/helpers/app-page';
import { launchChromium } from '../tests/e2e/helpers/browser';
import { startServe } from '../tests/e2e/helpers/serve-world';

const photos =
  process.argv[2] ?? fileURLToPath(new URL('../../shared/datasets/photos', import.meta.url));
const shots = fileURLToPath(new URL('../test-results/walk/', import.meta.url));

const steps: string[] = [];
/** Runs one user action and waits for the screen to answer it; records the time. */
async function step(
  page: Page,
  name: string,
  act: () => Promise<unknown>,
  answered: () => Promise<unknown>,
) {
  const t0 = performance.now();
  await act();
  await answered();
  const s = (performance.now() - t0) / 1000;
  steps.push(`${s.toFixed(2).padStart(6)} s  ${name}`);
  console.log(steps.at(-1));
  await page.screenshot({
    path: join(
      shots,
      `${String(steps.length).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-')}.png`,
    ),
  });
}

const user = await mkdtemp(join(tmpdir(), 'upres-walk-'));
// A copy: the default export folder is beside the photos' folder, and the originals stay untouched.
const folder = join(user, 'photos');
await cp(photos, folder, { recursive: true });
await mkdir(shots, { recursive: true });
const { NODE_ENV: _, ...env } = process.env;
const served = await startServe({ ...env, UPRES_USER_DIR: user });
const browser = await launchChromium();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  page.setDefaultTimeout(600_000);
  await page.goto(served.url);
  await waitConnected(page);
  await page.screenshot({ path: join(shots, '00-empty.png') });

  // The path is the one thing typed: the browser has no folder picker for the server's disk.
  await step(
    page,
    'add the photos folder',
    () => addPath(page, folder),
    () => rows(page).nth(2).waitFor(),
  );
  const names = await rows(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-name')!));
  const alphas = [0.3, 0.55];
  for (const [i, a] of alphas.entries()) {
    const row = rows(page, names[i]);
    await step(
      page,
      `select ${names[i]} (waiting)`,
      () => row.getByTestId('queue-row-select').click(),
      () => page.getByTestId('preview-label').waitFor(),
    );
    let got = 0;
    await step(
      page,
      `dial α ${a} on ${names[i]} before Start`,
      async () => {
        got = await dragAlpha(page, a);
      },
      () =>
        row
          .getByTestId('item-alpha')
          .filter({ hasText: got.toFixed(2) })
          .waitFor(),
    );
    if (i > 0) continue;
    await step(
      page,
      'zoom to 800 % (waiting photo)',
      () => page.getByTestId('zoom-menu').selectOption('8'),
      () => page.locator('[data-testid="stage-upscaled"][data-zoom="8"]').waitFor(),
    );
    const t0 = performance.now();
    await page.locator('[data-testid="preview-label"][data-kind="exact"]').waitFor();
    await page.screenshot({
      path: join(shots, `${String(steps.length).padStart(2, '0')}b-exact-800.png`),
    });
    console.log(
      `         (exact render of the view at α ${got.toFixed(2)} after ${((performance.now() - t0) / 1000).toFixed(1)} s more)`,
    );
  }
  await step(
    page,
    'Start',
    () => page.getByTestId('queue-start').click(),
    () => rows(page, undefined, 'running').waitFor(),
  );
  await page
    .locator('[data-testid="queue-row"][data-state="running"] [data-testid="item-status"]', {
      hasText: /Tile \d+ of/,
    })
    .waitFor();
  await step(
    page,
    'Pause',
    () => page.getByTestId('queue-pause').click(),
    () => page.getByTestId('queue-resume').waitFor(),
  );
  await step(
    page,
    'Resume',
    () => page.getByTestId('queue-resume').click(),
    () => rows(page, undefined, 'running').waitFor(),
  );
  await step(
    page,
    `select ${names[0]} (running)`,
    () => rows(page, names[0]).getByTestId('queue-row-select').click(),
    () => page.getByTestId('preview-label').waitFor(),
  );
  await step(
    page,
    'zoom to 800 %',
    () => page.getByTestId('zoom-menu').selectOption('8'),
    () => page.locator('[data-testid="stage-upscaled"][data-zoom="8"]').waitFor(),
  );
  const t0 = performance.now();
  await rows(page, names[0], 'done').waitFor();
  console.log(
    `         (${names[0]} done ${((performance.now() - t0) / 1000).toFixed(0)} s later)`,
  );
  await page.screenshot({
    path: join(shots, `${String(steps.length + 1).padStart(2, '0')}-first-done-800.png`),
  });
  let again = 0;
  await step(
    page,
    `dial α 0.9 on ${names[0]} (done)`,
    async () => {
      again = await dragAlpha(page, 0.9);
    },
    () =>
      page
        .getByTestId('export-again')
        .filter({ hasText: again.toFixed(2) })
        .waitFor(),
  );
  await step(
    page,
    'Export again',
    () => page.getByTestId('export-again').click(),
    () => rows(page, names[0]).nth(1).waitFor(),
  );
  await step(
    page,
    'Cancel all',
    () => page.getByTestId('queue-cancel-all').click(),
    () =>
      page
        .locator('[data-testid="queue-row"][data-state="running"]')
        .waitFor({ state: 'detached' }),
  );
  console.log(
    `\nsteps (time from the click to the screen's answer), 1280×720, ${photos}:\n${steps.join('\n')}`,
  );
} finally {
  await browser.close();
  await served.stop();
  await rm(user, { recursive: true, force: true });
}
