// Opening files with the app: Electron's argv in its packaged and development shapes, a fake `app`
// for the single-instance lock, macOS open-file before 'ready' and a second launch's hand-over.
import { describe, expect, it } from 'vitest';
import { handedOverPaths, launchPaths } from '../../src/main/app/launch-args';
import { OpenRequests } from '../../src/main/app/open-requests';
import { claimInstance, type InstanceApp } from '../../src/main/app/single-instance';

describe('launchPaths', () => {
  const cwd = '/home/ann/Pictures';

  it('packaged: everything after the executable, relative paths from the working folder', () => {
    expect(
      launchPaths(['/opt/Upres/upres', 'beach.jpg', '/tmp/trip', './raw/../b.png'], {
        packaged: true,
        cwd,
      }),
    ).toEqual(['/home/ann/Pictures/beach.jpg', '/tmp/trip', '/home/ann/Pictures/b.png']);
  });

  it('development: skips Electron, its switches and the app folder', () => {
    expect(
      launchPaths(['/repo/node_modules/electron/dist/electron', '--inspect=9229', '.', 'a.jpg'], {
        packaged: false,
        cwd: '/repo',
      }),
    ).toEqual(['/repo/a.jpg']);
    expect(launchPaths(['/electron', '/repo/out/main/index.js'], { packaged: false, cwd })).toEqual(
      [],
    );
  });

  it("skips Chromium's and macOS's switches wherever they stand; after -- everything is a path", () => {
    const argv = [
      'C:/Upres/Upres.exe',
      '--allow-file-access-from-files',
      '--original-process-start-time=13340000000000000',
      'a.jpg',
      '-psn_0_12345',
      '--',
      '-odd name.png',
    ];
    expect(launchPaths(argv, { packaged: true, cwd })).toEqual([
      '/home/ann/Pictures/a.jpg',
      '/home/ann/Pictures/-odd name.png',
    ]);
  });

  it('turns file:// URLs (a Linux desktop entry’s %U) into paths', () => {
    expect(
      launchPaths(['/opt/Upres/upres', 'file:///home/ann/My%20Photos/x.jpg'], {
        packaged: true,
        cwd,
      }),
    ).toEqual(['/home/ann/My Photos/x.jpg']);
  });

  it("prefers a second instance's hand-over to its argv, and falls back when it is missing or bad", () => {
    const argv = ['/opt/Upres/upres', 'c.jpg'];
    expect(handedOverPaths(argv, '/w', { paths: ['/x/a.jpg'] }, true)).toEqual(['/x/a.jpg']);
    expect(handedOverPaths(argv, '/w', undefined, true)).toEqual(['/w/c.jpg']);
    expect(handedOverPaths(argv, '/w', { paths: ['relative.jpg'] }, true)).toEqual(['/w/c.jpg']);
    expect(handedOverPaths(argv, '/w', { paths: 'nope' }, true)).toEqual(['/w/c.jpg']);
  });
});

type Listener = (...args: never[]) => void;

class FakeApp implements InstanceApp {
  isPackaged = true;
  ready = false;
  quits = 0;
  lockData: unknown;
  readonly listeners = new Map<string, Listener[]>();
  constructor(private readonly lock: boolean) {}
  isReady(): boolean {
    return this.ready;
  }
  requestSingleInstanceLock(additionalData?: Record<string, unknown>): boolean {
    this.lockData = additionalData;
    return this.lock;
  }
  quit(): void {
    this.quits++;
  }
  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  emit(event: string, ...args: unknown[]): void {
    for (const f of this.listeners.get(event) ?? []) (f as (...a: unknown[]) => void)(...args);
  }
}

function claim(app: FakeApp, argv: string[]) {
  const requests = new OpenRequests();
  let focused = 0;
  const ok = claimInstance(app, {
    argv,
    cwd: '/home/ann',
    events: { openFiles: (paths) => requests.add(paths) },
    focus: () => void focused++,
  });
  return { ok, requests, focused: () => focused };
}

describe('claimInstance', () => {
  it('a second launch hands its files over and quits, listening to nothing', () => {
    const app = new FakeApp(false);
    const { ok, requests } = claim(app, ['/opt/Upres/upres', 'x.jpg']);
    expect(ok).toBe(false);
    expect(app.quits).toBe(1);
    expect(app.lockData).toEqual({ paths: ['/home/ann/x.jpg'] });
    expect(app.listeners.size).toBe(0);
    expect(requests.take()).toEqual([]);
  });

  it("keeps the first launch's files and macOS open-file requests before 'ready' for the page", () => {
    const app = new FakeApp(true);
    const { ok, requests, focused } = claim(app, ['/opt/Upres/upres', 'first.jpg']);
    expect(ok).toBe(true);
    let prevented = false;
    app.emit('open-file', { preventDefault: () => (prevented = true) }, '/Users/ann/dock.heic');
    expect(prevented).toBe(true);
    expect(focused()).toBe(0); // not ready: there is no window to focus yet
    expect(requests.take()).toEqual(['/home/ann/first.jpg', '/Users/ann/dock.heic']);
    app.ready = true;
    app.emit('open-file', { preventDefault: () => undefined }, '/Users/ann/later.png');
    expect(focused()).toBe(1);
    expect(requests.take()).toEqual(['/Users/ann/later.png']);
  });

  it("queues a second launch's files (hand-over or argv) and focuses the window", () => {
    const app = new FakeApp(true);
    const { requests, focused } = claim(app, ['/opt/Upres/upres']);
    expect(requests.take()).toEqual([]);
    app.ready = true;
    app.emit('second-instance', {}, ['/opt/Upres/upres', 'ignored.jpg'], '/w', {
      paths: ['/w/a.jpg', '/w/folder'],
    });
    app.emit('second-instance', {}, ['/opt/Upres/upres', '--flag', 'b.png'], '/w', undefined);
    expect(requests.take()).toEqual(['/w/a.jpg', '/w/folder', '/w/b.png']);
    // A bare second launch (no files) only brings the window to the front.
    app.emit('second-instance', {}, ['/opt/Upres/upres'], '/w', { paths: [] });
    expect(requests.take()).toEqual([]);
    expect(focused()).toBe(3);
  });
});
