// One life cycle for every end-to-end file: a world of tiny models, `upres serve` and Chromium with
// the app open, evidence kept when a test fails, everything stopped at the end.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { waitConnected } from './app-page';
import { keepEvidence, launchChromium, openApp } from './browser';
import { startRecording } from './recorder';
import {
  buildRendererOnce,
  serveWorld,
  startServe,
  type Served,
  type ServeWorld,
} from './serve-world';

export interface ServedApp {
  world: ServeWorld;
  served: Served;
  browser: Browser;
  page: Page;
  /** Page errors and console errors seen so far. */
  errors: string[];
}

/**
 * Registers the hooks of one end-to-end file. `prepare` writes the file's inputs into the world
 * before the server starts. The returned object is filled in before the first test runs.
 */
export function useServedApp(
  prefix: string,
  prepare: (world: ServeWorld) => Promise<void>,
): ServedApp {
  const app = {} as ServedApp;
  beforeAll(async () => {
    await buildRendererOnce();
    app.world = await serveWorld(prefix);
    await prepare(app.world);
    [app.served, app.browser] = await Promise.all([startServe(app.world.env), launchChromium()]);
    ({ page: app.page, errors: app.errors } = await openApp(app.browser, app.served.url));
    await waitConnected(app.page);
    await startRecording(app.page);
  });
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail')
      await keepEvidence(app.page, task.name, app.served?.log() ?? '');
  });
  afterAll(async () => {
    await app.browser?.close();
    await app.served?.stop();
    await app.world?.cleanup();
  });
  return app;
}
