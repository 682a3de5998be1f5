import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (`.ci/run` installs it); UPRES_CHROMIUM points elsewhere. */
export const CHROMIUM = process.env.UPRES_CHROMIUM ?? '/usr/bin/chromium';

/** Where the run's screenshots go (git-ignored): they are the visual review of the UI. */
export const SCREENSHOTS = fileURLToPath(
  new URL('../../../test-results/screenshots/', import.meta.url),
);

/**
 * Headless Chromium with the flags a container needs: no sandbox (it refuses to run as root and
 * needs user namespaces that containers often lack; the browser only loads the app's own page
 * from 127.0.0.1), /tmp instead of a small /dev/shm, and no GPU (software raster).
 */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's (apt-get install chromium) or set UPRES_CHROMIUM`,
    );
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-dev-shm-usage',
      '--disable-gpu',
      '--no-first-run',
      '--no-default-browser-check',
    ],
  });
}

/** A page on the app at a photo-tool size, with the page's console errors collected. */
export async function openApp(
  browser: Browser,
  url: string,
): Promise<{ page: Page; errors: string[] }> {
  // UPRES_E2E_LOCALE (e.g. de-DE) gives the page another system language, to review a locale.
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    locale: process.env.UPRES_E2E_LOCALE || undefined,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  // Chromium logs every 4xx/5xx answer as "Failed to load resource", including a preview the
  // page itself superseded (answered with the error code `cancelled`): failed answers are judged
  // by their code instead, so a cancellation is not an error and every other failure still is.
  page.on('console', (m) => {
    if (
      m.type() === 'error' &&
      !/^Failed to load resource: the server responded with a status/.test(m.text())
    )
      errors.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() < 400) return;
    void r
      .json()
      .then((b: { error?: { code?: string } }) => b.error?.code)
      .catch(() => undefined)
      .then((code) => {
        if (code !== 'cancelled') errors.push(`http ${r.status()} ${r.url()} ${code ?? ''}`.trim());
      });
  });
  await page.goto(url);
  return { page, errors };
}

/** Saves a screenshot of the window as `<name>.png` in SCREENSHOTS; returns its path. */
async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, animations: 'disabled' });
  return path;
}

/** Window sizes every state is reviewed at: a small laptop, the default size, a large monitor. */
export const WINDOW_SIZES = [
  { width: 1280, height: 720 },
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
] as const;

/**
 * Saves `<name>-<w>x<h>.png` at each of WINDOW_SIZES (and removes the state's pictures at other
 * sizes, left by earlier runs), then puts the window back as it was; returns the paths.
 */
export async function screenshotSizes(page: Page, name: string): Promise<string[]> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const ours = new RegExp(`^${name.replace(/[^a-z0-9]/gi, '\\$&')}(-\\d+x\\d+)?\\.png$`);
  for (const file of readdirSync(SCREENSHOTS))
    if (ours.test(file)) rmSync(join(SCREENSHOTS, file), { force: true });
  const before = page.viewportSize();
  const paths: string[] = [];
  try {
    for (const size of WINDOW_SIZES) {
      await page.setViewportSize(size);
      // Let layout (and the compare view's fit) follow the new size before capturing it.
      await page.evaluate(
        'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(undefined))))',
      );
      paths.push(await screenshot(page, `${name}-${size.width}x${size.height}`));
    }
  } finally {
    if (before) {
      await page.setViewportSize(before);
      // Layout (and the compare view's fit) follows the restored size over the next frames: let
      // it, so the test goes on from the view it will see, not one about to move.
      await page.evaluate(
        'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(undefined))))',
      );
    }
  }
  return paths;
}

/** After a failed test: a screenshot of the page and the server's log, for the CI output. */
export async function keepEvidence(
  page: Page | undefined,
  testName: string,
  serverLog: string,
): Promise<void> {
  const slug = testName.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
  if (page) {
    const path = await screenshot(page, `FAILED-${slug}`).catch(() => undefined);
    if (path) process.stderr.write(`screenshot of the failure: ${path}\n`);
  }
  process.stderr.write(`upres serve's log:\n${serverLog}\n`);
}
