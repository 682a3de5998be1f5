// Builds main, preload and renderer with electron-vite into a temporary folder, checks the layout
// the app relies on at run time, and starts the built main process under a stand-in `electron`
// (the real binary cannot be downloaded here).
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_METHODS,
  CHOOSE_PATHS_CHANNEL,
  OPENED_PATHS_CHANNEL,
  SHOW_IN_FOLDER_CHANNEL,
  channelOf,
} from '../../src/shared/api';
import { rendererCsp } from '../../src/shared/content-security-policy';
import { parseJournal } from '../../src/main/engine/queue/journal';

const repo = fileURLToPath(new URL('../..', import.meta.url));
// Inside node_modules so the built main process resolves its external dependencies from the repo.
const scratch = join(repo, 'node_modules', '.tmp');
mkdirSync(scratch, { recursive: true });
const outDir = mkdtempSync(join(scratch, 'upres-build-'));
const read = (path: string): string => readFileSync(join(outDir, path), 'utf8');

beforeAll(async () => {
  const cli = join(repo, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  await promisify(execFile)(process.execPath, [cli, 'build', '--outDir', outDir], {
    cwd: repo,
    timeout: 90_000,
  });
}, 120_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('electron-vite build', () => {
  it('emits the main entry and the inference worker side by side, as ES modules', () => {
    for (const file of ['main/index.js', 'main/inference-worker.js']) {
      expect(existsSync(join(outDir, file)), file).toBe(true);
    }
    expect(read('main/index.js')).toMatch(/^import .* from "electron";$/m);
    // onnxruntime-node stays an external package (loaded lazily, so a start can fork the child
    // before paying for it), never bundled into the worker.
    const worker = read('main/inference-worker.js');
    expect(worker).toMatch(/import\(\s*"onnxruntime-node"\s*\)|from "onnxruntime-node"/);
    expect(worker).not.toMatch(/class InferenceSession\b/);
  });

  it('keeps dependencies external in the main process', () => {
    const main = read('main/index.js');
    expect(main).toMatch(/from "zod"/);
    expect(main).not.toMatch(/ZodError\s*=|class ZodType/);
  });

  it('emits a CommonJS preload that requires nothing but electron', () => {
    const preload = read('preload/index.cjs');
    const required = new Set(
      [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]),
    );
    expect([...required]).toEqual(['electron']);
    expect(preload).not.toMatch(/^\s*(import|export)\s/m);
    expect(preload).toContain('exposeInMainWorld');
  });

  it('emits the renderer page with its strict CSP and relative asset URLs', () => {
    const html = read('renderer/index.html');
    expect(html).toContain(`content="${rendererCsp({ transport: 'electron' })}"`);
    expect(html).toMatch(
      /<script type="module" crossorigin src="\.\/assets\/index-[\w-]+\.js"><\/script>/,
    );
    expect(readdirSync(join(outDir, 'renderer', 'assets')).some((f) => f.endsWith('.css'))).toBe(
      true,
    );
  });
});

// Just enough of Electron's main-process API for src/main/app to start, serve two calls and quit.
// It records what the app did and prints it as JSON.
const FAKE_ELECTRON = `
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const report = {};
const handlers = new Map();
const listeners = {};
const on = (name, f) => ((listeners[name] ??= []).push(f), app);
const emit = (name, ...args) => (listeners[name] ?? []).forEach((f) => f(...args));
const call = (channel, url, req) =>
  handlers.get(channel)({ senderFrame: { url } }, req).catch((e) => ({ error: e.message }));
let ready = false;
export const app = {
  isPackaged: false,
  requestSingleInstanceLock: (data) => ((report.handOver = data), true),
  enableSandbox() {},
  setAppUserModelId() {},
  on,
  once: on,
  isReady: () => ready,
  // macOS may ask to open a file before 'ready' (a photo dropped on the dock icon at launch).
  whenReady: async () => {
    emit('open-file', { preventDefault: () => (report.openFileTaken = true) }, '/Users/ann/dock.heic');
    ready = true;
  },
  getPreferredSystemLanguages: () => ['en-US'],
  getAppPath: () => process.env.FAKE_APP_PATH,
  getPath: () => process.env.FAKE_USER_DATA,
  getVersion: () => '9.9.9',
  quit() {
    const event = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    emit('will-quit', event);
    // The app holds the quit back until the engine has shut down, then quits again.
    if (event.defaultPrevented) {
      report.quitHeldBack = true;
      return;
    }
    report.channelsAfterQuit = [...handlers.keys()];
    report.journalText = readFileSync(join(process.env.UPRES_USER_DIR, 'queue', 'app.json'), 'utf8');
    console.log(JSON.stringify(report));
  },
};
export const protocol = {
  registerSchemesAsPrivileged: (schemes) => (report.schemes = schemes),
};
export const dialog = { showOpenDialog: async () => ({ canceled: true, filePaths: [] }) };
export const shell = { showItemInFolder: (path) => (report.shownInFolder = path) };
export class Notification {
  static isSupported = () => false;
}
// Model imports' trial runs start utility processes; none is started in this test.
export const utilityProcess = {
  fork: () => {
    throw new Error('no utility process in this test');
  },
};
export const ipcMain = {
  handle: (channel, f) => handlers.set(channel, f),
  removeHandler: (channel) => handlers.delete(channel),
};
export const session = {
  defaultSession: {
    setPermissionRequestHandler() {},
    setPermissionCheckHandler() {},
    webRequest: { onBeforeRequest() {}, onHeadersReceived() {} },
    protocol: { handle: (scheme, handler) => (protocols[scheme] = handler) },
  },
};
const protocols = {};
export class BrowserWindow {
  static getAllWindows = () => [];
  webContents = { setWindowOpenHandler() {}, on() {}, once() {}, send() {} };
  constructor(options) {
    report.webPreferences = options.webPreferences;
    emit('web-contents-created', {}, this.webContents);
  }
  once() {}
  on() {}
  setProgressBar(value, options) {
    (report.bars ??= []).push([value, options?.mode]);
  }
  isFocused = () => true;
  isDestroyed = () => false;
  async loadURL(url) {
    report.loaded = url;
  }
  async loadFile(path) {
    report.loaded = path;
    const page = pathToFileURL(path).href;
    report.channels = [...handlers.keys()];
    report.models = await call('upres:listModels', page, {});
    report.info = await call('upres:engineInfo', page, {});
    report.evil = await call('upres:listModels', 'https://evil.example/', {});
    report.invalid = await call('upres:engineInfo', page, { x: 1 });
    report.settings = await call('upres:settingsGet', page, {});
    report.queue = await call('upres:queueList', page, {});
    report.opened = await call('upres:openedPaths', page);
    report.openedAgain = await call('upres:openedPaths', page);
    report.showUnknown = await call('upres:showInFolder', page, { id: 'nope' });
    const image = await protocols['upres-image']({ url: 'upres-image://0123456789abcdef/' });
    report.unknownImage = image.status;
    emit('window-all-closed');
  }
}
`;

function withoutKeys(env: NodeJS.ProcessEnv, keys: string[]): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !keys.includes(k)));
}

const HOOKS = `
export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return { url: ${JSON.stringify(pathToFileURL(join(outDir, 'fake-electron.mjs')).href)}, shortCircuit: true };
  return next(specifier, context);
}
`;

describe('built main process under a stand-in electron', () => {
  it('opens the engine, serves the API to its page only, and pauses the queue before quitting', async () => {
    // The per-user folder comes from UPRES_USER_DIR, as for the CLI, not from Electron's userData.
    const userDir = join(outDir, 'user-dir-from-env');
    writeFileSync(join(outDir, 'fake-electron.mjs'), FAKE_ELECTRON);
    writeFileSync(join(outDir, 'hooks.mjs'), HOOKS);
    const register = `data:text/javascript,import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(join(outDir, 'hooks.mjs')).href)});`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      // Electron's development argv shape: the app, then a photo and a Chromium switch.
      ['--import', register, join(outDir, 'main', 'index.js'), 'photo.jpg', '--no-sandbox'],
      {
        cwd: repo,
        timeout: 60_000,
        env: {
          ...withoutKeys(process.env, ['UPRES_MODELS_DIR', 'ELECTRON_RENDERER_URL']),
          FAKE_APP_PATH: repo,
          FAKE_USER_DATA: join(outDir, 'user-data'),
          UPRES_USER_DIR: userDir,
        },
      },
    );
    const report = JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
    expect(report.loaded).toBe(join(outDir, 'renderer', 'index.html'));
    expect(report.webPreferences).toMatchObject({
      preload: join(outDir, 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect(report.channels.sort()).toEqual(
      [
        ...API_METHODS.map((m) => channelOf(m)),
        CHOOSE_PATHS_CHANNEL,
        SHOW_IN_FOLDER_CHANNEL,
        OPENED_PATHS_CHANNEL,
      ].sort(),
    );
    expect(report.channels).toContain('upres:importModel');
    const shipped = readdirSync(join(repo, 'resources', 'models')).filter((f) =>
      f.endsWith('.json'),
    );
    // Every manifest (`<id>.json` for models, `<id>.pair.json` for pairs) shows up as one entry.
    const ids = shipped.map((f) => f.replace(/(\.pair)?\.json$/, '')).sort();
    // Every call replies { ok, value | error } (shared/ipc-reply.ts).
    expect(report.models.ok).toBe(true);
    expect(report.models.value.map((m: { id: string }) => m.id).sort()).toEqual(ids);
    expect(report.info).toMatchObject({
      ok: true,
      value: { version: '9.9.9', defaultDevice: 'auto' },
    });
    expect(report.evil.error).toMatch(/untrusted sender/);
    expect(report.invalid).toMatchObject({
      ok: false,
      error: {
        code: 'request.invalid',
        message: expect.stringMatching(/^engineInfo: invalid request/),
      },
    });
    expect(report.settings).toMatchObject({ ok: true, value: { device: 'auto', outDir: '' } });
    expect(report.queue).toEqual({ ok: true, value: { items: [], paused: false } });
    expect(report.schemes).toEqual([expect.objectContaining({ scheme: 'upres-image' })]);
    expect(report.unknownImage).toBe(404);
    // Files opened with the app: its command line (handed over too, for a second launch) and a
    // macOS open-file from before 'ready', waiting for the page, which takes them once.
    expect(report.handOver).toEqual({ paths: [join(repo, 'photo.jpg')] });
    expect(report.openFileTaken).toBe(true);
    expect(report.opened).toEqual({
      ok: true,
      value: [join(repo, 'photo.jpg'), '/Users/ann/dock.heic'],
    });
    expect(report.openedAgain).toEqual({ ok: true, value: [] });
    expect(report.showUnknown).toEqual({
      ok: false,
      error: {
        code: 'not-found',
        message: 'Show in folder: there is no photo nope in the queue',
        detail: {
          key: 'batch.showUnknown',
          params: { id: 'nope' },
          text: 'Show in folder: there is no photo nope in the queue',
        },
      },
    });
    expect(report.shownInFolder).toBeUndefined();
    // The taskbar bar: cleared on the new window (no batch).
    expect(report.bars).toEqual([[-1, 'none']]);
    // Quit waited for the engine: the queue was paused and journaled before the handlers went.
    expect(report.quitHeldBack).toBe(true);
    expect(parseJournal(report.journalText).state).toMatchObject({ paused: true, items: [] });
    expect(report.channelsAfterQuit).toEqual([]);
    expect(existsSync(join(outDir, 'user-data'))).toBe(false);
  });
});
