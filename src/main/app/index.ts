// Electron main process entry: one instance, one window, the API served over IPC.
import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, session } from 'electron';
import { createEngineHandlers } from '../engine/engine-api';
import { ModelRegistry } from '../engine/models/model-registry';
import { rendererCsp } from './content-security-policy';
import { deferHandlers } from './deferred-handlers';
import { registerApiHandlers, type ApiHandlers } from './ipc-handlers';
import { appModelDirs } from './model-dirs';
import { rendererLocation, trustedSenderCheck } from './renderer-origin';
import { guardWebContents, hardenSession } from './security';
import { createMainWindow } from './window';

// Same as appId in electron-builder.yml; Windows groups taskbar entries and notifications by it.
const APP_ID = 'app.upres.desktop';

// Both paths are relative to the bundled out/main/index.js (see electron.vite.config.ts).
const PRELOAD = join(import.meta.dirname, '../preload/index.cjs');
const BUILT_INDEX_HTML = join(import.meta.dirname, '../renderer/index.html');

async function openEngine(): Promise<ApiHandlers> {
  const dirs = appModelDirs({
    isPackaged: app.isPackaged,
    resourcesPath: process.resourcesPath,
    appPath: app.getAppPath(),
    userDataPath: app.getPath('userData'),
    env: process.env,
  });
  return createEngineHandlers(await ModelRegistry.open(dirs), app.getVersion());
}

function start(): void {
  const renderer = rendererLocation({
    isPackaged: app.isPackaged,
    devServerUrl: process.env.ELECTRON_RENDERER_URL,
    builtIndexHtml: BUILT_INDEX_HTML,
  });
  let window: BrowserWindow | undefined;
  const showWindow = (): void => {
    if (window && !window.isDestroyed()) {
      if (window.isMinimized()) window.restore();
      window.focus();
      return;
    }
    window = createMainWindow({ preload: PRELOAD, renderer });
  };

  app.enableSandbox();
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, renderer));
  app.on('second-instance', () => {
    if (app.isReady()) showWindow();
  });
  app.on('activate', () => {
    if (app.isReady() && BrowserWindow.getAllWindows().length === 0) showWindow();
  });
  // One window is the whole app, so closing it quits, on macOS too.
  app.on('window-all-closed', () => app.quit());
  // A terminal's Ctrl+C or a service manager's stop goes through the same orderly quit.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => app.quit());

  void app.whenReady().then(() => {
    hardenSession(
      session.defaultSession,
      renderer,
      rendererCsp({ dev: renderer.kind === 'dev-server' }),
    );
    const engine = openEngine();
    engine.catch((err: unknown) => console.error('upres: the engine did not open:', err));
    const unregister = registerApiHandlers(
      ipcMain,
      deferHandlers(engine),
      trustedSenderCheck(renderer),
    );
    app.once('will-quit', unregister);
    showWindow();
  });
}

// A second launch hands over to the running instance (its 'second-instance' event) and leaves.
if (app.requestSingleInstanceLock()) start();
else app.quit();
