// The Electron side of the OS events with a fake BrowserWindow and Notification: what
// setProgressBar gets for each batch state, when a notification shows, its words, its click.
import { describe, expect, it } from 'vitest';
import { OpenRequests } from '../../src/main/app/open-requests';
import {
  ElectronOs,
  type NotificationLike,
  type ProgressMode,
} from '../../src/main/app/os-electron';
import type { BatchSummary } from '../../src/main/app/os-events';
import { batchNotice, osLocale } from '../../src/main/app/os-strings';

class FakeWindow {
  bars: [number, { mode: ProgressMode } | undefined][] = [];
  focused = false;
  destroyed = false;
  setProgressBar(progress: number, options?: { mode: ProgressMode }): void {
    this.bars.push([progress, options]);
  }
  isFocused(): boolean {
    return this.focused;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

function fakeNotifications(supported = true) {
  const shown: FakeNotification[] = [];
  class FakeNotification implements NotificationLike {
    static isSupported = (): boolean => supported;
    clicks: (() => void)[] = [];
    constructor(readonly options: { title: string; body: string }) {}
    on(_event: 'click', listener: () => void): this {
      this.clicks.push(listener);
      return this;
    }
    show(): void {
      shown.push(this);
    }
  }
  return { Notification: FakeNotification, shown };
}

function setup(opt: { supported?: boolean; window?: FakeWindow | undefined } = {}) {
  const window = 'window' in opt ? opt.window : new FakeWindow();
  const { Notification, shown } = fakeNotifications(opt.supported ?? true);
  let focusCalls = 0;
  const requests = new OpenRequests();
  const os = new ElectronOs({
    window: () => window,
    Notification,
    focusWindow: () => void focusCalls++,
    requests,
  });
  return { os, window, shown, requests, focusCalls: () => focusCalls };
}

const finished = (done: number, failed = 0): BatchSummary => ({
  outcome: 'finished',
  done,
  failed,
  skipped: 0,
  cancelled: 0,
  left: 0,
});

describe('the taskbar / dock bar', () => {
  it('maps each batch state onto setProgressBar: value and Windows mode', () => {
    const { os, window } = setup();
    os.progress({ state: 'starting' });
    os.progress({ state: 'running', fraction: 0.4 });
    os.progress({ state: 'paused', fraction: 0.4 });
    os.progress({ state: 'stopped', fraction: 0.5 });
    os.progress({ state: 'idle' });
    expect(window!.bars).toEqual([
      [2, { mode: 'indeterminate' }], // > 1: a moving bar on macOS and Linux too
      [0.4, { mode: 'normal' }],
      [0.4, { mode: 'paused' }],
      [0.5, { mode: 'error' }],
      [-1, { mode: 'none' }], // < 0 removes it
    ]);
  });

  it('keeps the state while there is no window and shows it on the window opened later', () => {
    const opened: { window?: FakeWindow } = {};
    const os = new ElectronOs({
      window: () => opened.window,
      focusWindow: () => undefined,
      requests: new OpenRequests(),
    });
    os.progress({ state: 'running', fraction: 0.3 });
    const window = (opened.window = new FakeWindow());
    os.refresh();
    expect(window.bars).toEqual([[0.3, { mode: 'normal' }]]);
    window.destroyed = true;
    os.progress({ state: 'idle' });
    expect(window.bars).toHaveLength(1);
  });
});

describe('the notification at the end of a batch', () => {
  it('shows the counts while the window is not focused, and a click brings the window back', async () => {
    const { os, shown, focusCalls } = setup();
    await os.batchEnded(finished(12, 1));
    expect(shown.map((n) => n.options)).toEqual([
      { title: 'Upres: queue finished with failures', body: '12 photos upscaled, 1 failed' },
    ]);
    expect(focusCalls()).toBe(0);
    for (const click of shown[0]!.clicks) click();
    expect(focusCalls()).toBe(1);
  });

  it('stays quiet while the window is focused, and where notifications are not supported', async () => {
    const focusedWindow = new FakeWindow();
    focusedWindow.focused = true;
    const focused = setup({ window: focusedWindow });
    await focused.os.batchEnded(finished(3));
    expect(focused.shown).toEqual([]);
    const unsupported = setup({ supported: false });
    await unsupported.os.batchEnded(finished(3));
    expect(unsupported.shown).toEqual([]);
    const windowless = setup({ window: undefined });
    await windowless.os.batchEnded(finished(3));
    expect(windowless.shown).toHaveLength(1);
  });

  it('speaks the language it is given', async () => {
    const window = new FakeWindow();
    const { Notification, shown } = fakeNotifications();
    const os = new ElectronOs({
      window: () => window,
      Notification,
      focusWindow: () => undefined,
      requests: new OpenRequests(),
      locale: async () => 'de' as const,
    });
    await os.batchEnded({ ...finished(1234), skipped: 1 });
    expect(shown[0]!.options).toEqual({
      title: 'Upres: Warteschlange fertig',
      body: '1.234 Fotos hochskaliert, 1 übersprungen (die Ausgabe gab es schon)',
    });
  });

  it('passes file-open requests on to the page’s buffer', () => {
    const { os, requests } = setup();
    os.openFiles(['/a.jpg', '/b.png', '/a.jpg']);
    expect(requests.take()).toEqual(['/a.jpg', '/b.png']);
    expect(requests.take()).toEqual([]);
  });
});

describe('batchNotice and osLocale', () => {
  it('words one photo, several, a stopped queue', () => {
    expect(batchNotice(finished(1)).body).toBe('1 photo upscaled');
    expect(batchNotice(finished(0, 2))).toEqual({
      title: 'Upres: queue finished with failures',
      body: '0 photos upscaled, 2 failed',
    });
    expect(
      batchNotice({ outcome: 'stopped', done: 3, failed: 0, skipped: 0, cancelled: 2, left: 5 }),
    ).toEqual({
      title: 'Upres: queue stopped',
      body: '3 photos upscaled, 2 cancelled, 5 not done. Open Upres to see why.',
    });
    expect(batchNotice(finished(1), 'de').body).toBe('1 Foto hochskaliert');
  });

  it('takes the Language setting first, then the system’s languages, then English', () => {
    expect(osLocale('de', ['en-US'])).toBe('de');
    expect(osLocale('system', ['fr-FR', 'de-AT', 'en'])).toBe('de');
    expect(osLocale(undefined, ['de_CH'])).toBe('de');
    expect(osLocale('system', ['fr', 'ja'])).toBe('en');
  });
});
