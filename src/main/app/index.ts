// Electron main process entry: one instance, one window, the API served over IPC.
import { join } from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Notification,
  protocol,
  session,
  shell,
} from 'electron';
import { EVENT_CHANNEL, IMAGE_SCHEME, PATHS_OPENED_CHANNEL } from '../../shared/api';
import { rendererCsp } from '../../shared/content-security-policy';
import {
  createEngine,
  resolveUserDirs,
  setProbeLauncher,
  type ApiHandlers,
  type Engine,
} from '../engine';
import { BatchTracker } from './batch-tracker';
import { deferHandlers } from './deferred-handlers';
import { imageResponse } from './image-protocol';
import { registerApiHandlers } from './ipc-handlers';
import { registerChoosePaths } from './native-dialogs';
import { OpenRequests, registerOpenRequests } from './open-requests';
import { ElectronOs } from './os-electron';
import { osLocale } from './os-strings';
import { utilityProbeLauncher } from './probe-launcher';
import { rendererLocation, trustedSenderCheck } from './renderer-origin';
import { guardWebContents, hardenSession } from './security';
import { registerShowInFolder } from './show-in-folder';
import { claimInstance } from './single-instance';
import { createMainWindow } from './window';

// Same as appId in electron-builder.yml; Windows groups taskbar entries and notifications by it.
const APP_ID = 'app.upres.desktop';

// Both paths are relative to the bundled out/main/index.js (see electron.vite.config.ts).
const PRELOAD = join(import.meta.dirname, '../preload/index.cjs');
const BUILT_INDEX_HTML = join(import.meta.dirname, '../renderer/index.html');

/** The engine on the same folders as the CLI's (UPRES_USER_DIR / UPRES_MODELS_DIR honoured). */
function openEngine(): Promise<Engine> {
  const dirs = resolveUserDirs({
    app: {
      userData: app.getPath('userData'),
      isPackaged: app.isPackaged,
      resourcesPath: process.resourcesPath,
      appPath: app.getAppPath(),
    },
  });
  return createEngine({
    dirs,
    version: app.getVersion(),
    log: (line) => console.error(`upres: ${line}`),
  });
}

// Image tokens get a standard, secure scheme so the page's CSP can name it; registered before ready.
protocol.registerSchemesAsPrivileged([
  { scheme: IMAGE_SCHEME, privileges: { standard: true, secure: true, stream: true } },
]);

// The operating system around the app (os-events.ts): files it asks the app to open wait for the
// page; the queue's batches show on the taskbar / dock and end with a notification.
let window: BrowserWindow | undefined;
let showWindow = (): void => undefined;
let apiHandlers: ApiHandlers | undefined;
const requests = new OpenRequests();
const os = new ElectronOs({
  window: () => window,
  Notification,
  focusWindow: () => showWindow(),
  requests,
  // The page's language: the Language setting, else the system's.
  locale: async () =>
    osLocale((await apiHandlers?.settingsGet({}))?.language, app.getPreferredSystemLanguages()),
});
const batches = new BatchTracker(os);
requests.onAdded(() => {
  if (window && !window.isDestroyed()) window.webContents.send(PATHS_OPENED_CHANNEL);
});

function start(): void {
  const renderer = rendererLocation({
    isPackaged: app.isPackaged,
    devServerUrl: process.env.ELECTRON_RENDERER_URL,
    builtIndexHtml: BUILT_INDEX_HTML,
  });
  showWindow = (): void => {
    if (window && !window.isDestroyed()) {
      if (window.isMinimized()) window.restore();
      window.focus();
      return;
    }
    window = createMainWindow({ preload: PRELOAD, renderer });
    window.on('focus', () => batches.acknowledge());
    os.refresh();
  };

  app.enableSandbox();
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, renderer));
  app.on('activate', () => {
    if (app.isReady() && BrowserWindow.getAllWindows().length === 0) showWindow();
  });
  // One window is the whole app, so closing it quits, on macOS too.
  app.on('window-all-closed', () => app.quit());
  // A terminal's Ctrl+C or a service manager's stop goes through the same orderly quit.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => app.quit());

  // Imported models get their trial run in a utility process (fork needs the RunAsNode fuse).
  setProbeLauncher(utilityProbeLauncher);
  void app.whenReady().then(() => {
    hardenSession(
      session.defaultSession,
      renderer,
      rendererCsp({ transport: 'electron', dev: renderer.kind === 'dev-server' }),
    );
    const engine = openEngine();
    engine.catch((err: unknown) => console.error('upres: the engine did not open:', err));
    let opened: Engine | undefined;
    void engine.then(
      (e) => {
        opened = e;
        // Events go to the app's window only (the one page whose calls are trusted).
        e.onEvent((event) => {
          if (window && !window.isDestroyed()) window.webContents.send(EVENT_CHANNEL, event);
          batches.handle(event);
        });
        // The queue as it was opened (nothing runs before Start); events from now on update it.
        void e.handlers.queueList({}).then(
          (list) => batches.seed(list.items, e.queueState()),
          () => undefined,
        );
      },
      () => undefined,
    );
    const trusted = trustedSenderCheck(renderer);
    const handlers = deferHandlers(engine.then((e) => e.handlers));
    apiHandlers = handlers;
    const unregister = [
      registerApiHandlers(ipcMain, handlers, trusted),
      registerShowInFolder(ipcMain, handlers, shell, trusted),
      registerOpenRequests(ipcMain, requests, trusted),
      registerChoosePaths(
        ipcMain,
        (options) =>
          window && !window.isDestroyed()
            ? dialog.showOpenDialog(window, options)
            : dialog.showOpenDialog(options),
        trusted,
      ),
    ];
    session.defaultSession.protocol.handle(IMAGE_SCHEME, (request) =>
      imageResponse(opened?.images, request.url),
    );
    // Quitting pauses the queue (journaled: the running item restarts next time) and closes the
    // sessions before the process goes; quit is held back until then.
    let shutDown = false;
    app.on('will-quit', (event) => {
      if (shutDown) return;
      event.preventDefault();
      for (const f of unregister.splice(0)) f();
      void engine
        .then(
          (e) => e.close(),
          () => undefined,
        )
        .finally(() => {
          shutDown = true;
          app.quit();
        });
    });
    showWindow();
  });
}

// A second launch hands its files over to the running instance and quits; the first one's own
// files (command line, macOS open-file before 'ready') wait for the page.
if (
  claimInstance(app, {
    argv: process.argv,
    cwd: process.cwd(),
    events: os,
    focus: () => showWindow(),
  })
)
  start();
