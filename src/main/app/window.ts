import { BrowserWindow } from 'electron';
import type { RendererLocation } from './renderer-origin';

/** Background shown before the renderer paints; matches the renderer's theme so nothing flashes. */
const BACKGROUND = '#1e1e1e';

/** Opens the main window on the renderer, with the renderer isolated from Node and Electron. */
export function createMainWindow(opts: {
  preload: string;
  renderer: RendererLocation;
}): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 520,
    show: false,
    title: 'Upres',
    backgroundColor: BACKGROUND,
    autoHideMenuBar: true,
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  // A page that fails to load never becomes ready to show; a window is better than none.
  window.webContents.once('did-fail-load', () => window.show());
  const loading =
    opts.renderer.kind === 'dev-server'
      ? window.loadURL(opts.renderer.url)
      : window.loadFile(opts.renderer.path);
  loading.catch((err: unknown) => console.error('upres: the renderer failed to load:', err));
  return window;
}
