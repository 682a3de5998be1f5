// The OS events (os-events.ts) on Electron: the taskbar / dock bar through
// BrowserWindow.setProgressBar, the end of a batch as a Notification, file-open requests into the
// page's OpenRequests. Electron's objects come in as the slices used, so tests pass fakes.
import type { BatchProgress, BatchSummary, OsEvents } from './os-events';
import { batchNotice, type OsLocale } from './os-strings';
import type { OpenRequests } from './open-requests';

/** Electron's taskbar modes (`mode` is honoured on Windows; elsewhere only the value counts). */
export type ProgressMode = 'none' | 'normal' | 'indeterminate' | 'error' | 'paused';

/** The slice of a BrowserWindow used here. */
export interface ProgressWindow {
  setProgressBar(progress: number, options?: { mode: ProgressMode }): void;
  isFocused(): boolean;
  isDestroyed(): boolean;
}

/** The slice of an Electron Notification used here. */
export interface NotificationLike {
  on(event: 'click', listener: () => void): unknown;
  show(): void;
}

/** Electron's `Notification` class, as far as it is used. */
export interface NotificationClass {
  isSupported(): boolean;
  new (options: { title: string; body: string }): NotificationLike;
}

/**
 * What `setProgressBar` gets for a batch state. Electron clears the bar below 0 and shows a moving
 * one above 1 (macOS, Linux); Windows takes the mode: yellow when paused, red when stopped.
 */
export function progressBarOf(p: BatchProgress): [number, { mode: ProgressMode }] {
  switch (p.state) {
    case 'idle':
      return [-1, { mode: 'none' }];
    case 'starting':
      return [2, { mode: 'indeterminate' }];
    case 'running':
      return [p.fraction, { mode: 'normal' }];
    case 'paused':
      return [p.fraction, { mode: 'paused' }];
    case 'stopped':
      return [p.fraction, { mode: 'error' }];
  }
}

export interface ElectronOsOptions {
  /** The app's window, when there is one. */
  window: () => ProgressWindow | undefined;
  /** Electron's Notification (undefined: no notifications). */
  Notification?: NotificationClass;
  /** Brings the window to the front (a notification was clicked). */
  focusWindow: () => void;
  requests: OpenRequests;
  /** The language of the notification, asked for each (default English). */
  locale?: () => OsLocale | Promise<OsLocale>;
}

/**
 * The Electron side of the OS events. A batch's end is announced only while the window is not
 * focused: someone looking at the queue sees it end, and both Windows' and macOS's guidelines keep
 * notifications for what happens out of sight. The bar shows at all times.
 */
export class ElectronOs implements OsEvents {
  #last: BatchProgress = { state: 'idle' };
  /** The notification on screen: kept referenced, or Electron may drop its click handler. */
  #notice: NotificationLike | undefined;

  constructor(private readonly opt: ElectronOsOptions) {}

  openFiles(paths: readonly string[]): void {
    this.opt.requests.add(paths);
  }

  progress(p: BatchProgress): void {
    this.#last = p;
    this.refresh();
  }

  /** Shows the last progress on the current window (call it after opening a window). */
  refresh(): void {
    const w = this.opt.window();
    if (w && !w.isDestroyed()) w.setProgressBar(...progressBarOf(this.#last));
  }

  /** Announces the end unless the window is focused; resolves once shown (or not). */
  async batchEnded(s: BatchSummary): Promise<void> {
    const { Notification } = this.opt;
    if (!Notification || !Notification.isSupported()) return;
    const w = this.opt.window();
    if (w && !w.isDestroyed() && w.isFocused()) return;
    const locale = await Promise.resolve(this.opt.locale?.()).catch(() => undefined);
    const notice = new Notification(batchNotice(s, locale ?? 'en'));
    notice.on('click', () => {
      if (this.#notice === notice) this.#notice = undefined;
      this.opt.focusWindow();
    });
    this.#notice = notice;
    notice.show();
  }
}
