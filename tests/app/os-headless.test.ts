// The OS glue on a real engine (tiny random models), Electron replaced by fakes: photos "opened
// with the app" on its command line are handed to the page, which adds them as a drop does; the
// batch runs, the taskbar bar climbs and clears, a notification counts what happened, and *Show
// in folder* opens the file the queue wrote.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineOf, type Engine } from '../../src/main/engine';
import { BatchTracker } from '../../src/main/app/batch-tracker';
import { OpenRequests } from '../../src/main/app/open-requests';
import { ElectronOs, type ProgressMode } from '../../src/main/app/os-electron';
import { writtenOutput } from '../../src/main/app/show-in-folder';
import { claimInstance, type InstanceApp } from '../../src/main/app/single-instance';
import { engineWorld, type EngineWorld } from '../helpers/app-engine';

let world: EngineWorld;
let engine: Engine;
beforeAll(async () => {
  world = await engineWorld('upres-os-');
  engine = engineOf(await world.open());
});
afterAll(async () => {
  await engine?.close();
  await world?.cleanup();
});

const packagedApp: InstanceApp = {
  isPackaged: true,
  isReady: () => true,
  requestSingleInstanceLock: () => true,
  quit: () => undefined,
  on: () => undefined,
};

describe('the OS glue on a real engine', () => {
  it('queues opened photos like a drop, shows the batch on the bar and counts it at the end', async () => {
    // A PNG whose header reads but whose pixels are cut off: added, then failed when rendered.
    const whole = readFileSync(join(world.photos, 'a.png'));
    const broken = join(world.photos, 'broken.png');
    writeFileSync(broken, whole.subarray(0, 200));
    const notes = join(world.photos, 'notes.txt');
    writeFileSync(notes, 'not a photo');

    const bars: [number, ProgressMode][] = [];
    const notices: { title: string; body: string }[] = [];
    let announced = (): void => undefined;
    const ended = new Promise<void>((resolve) => (announced = resolve));
    class Notification {
      static isSupported = () => true;
      constructor(readonly options: { title: string; body: string }) {}
      on() {
        return this;
      }
      show() {
        notices.push(this.options);
        announced();
      }
    }
    const requests = new OpenRequests();
    const os = new ElectronOs({
      window: () => ({
        setProgressBar: (value, o) => void bars.push([value, o?.mode ?? 'normal']),
        isFocused: () => false,
        isDestroyed: () => false,
      }),
      Notification,
      focusWindow: () => undefined,
      requests,
    });
    const tracker = new BatchTracker(os);
    engine.onEvent((e) => tracker.handle(e));
    tracker.seed((await engine.handlers.queueList({})).items, engine.queueState());

    claimInstance(packagedApp, {
      argv: ['/opt/Upres/upres', 'a.png', 'b.png', 'broken.png', 'notes.txt'],
      cwd: world.photos,
      events: os,
      focus: () => undefined,
    });
    // The page takes them and adds them as dropped ones (App.svelte → Workspace.addPaths).
    const paths = requests.take();
    const { added, problems } = await engine.handlers.queueAdd({
      paths,
      settings: { model: 'tiny-a' },
      outDir: join(world.dir, 'out'),
      recursive: true,
    });
    expect(added.map((i) => i.input)).toEqual(paths.slice(0, 3));
    expect(problems.map((p) => p.path)).toEqual([notes]);

    await engine.handlers.queueControl({ action: 'start' });
    await ended;
    expect(notices).toEqual([
      { title: 'Upres: queue finished with failures', body: '2 photos upscaled, 1 failed' },
    ]);
    // The bar: a moving one first, then fractions that never go back, then cleared.
    expect(bars[0]).toEqual([2, 'indeterminate']);
    const fractions = bars.filter(([, mode]) => mode === 'normal').map(([v]) => v);
    expect(fractions.length).toBeGreaterThan(0);
    expect(fractions).toEqual([...fractions].sort((x, y) => x - y));
    expect(fractions.at(-1)).toBe(1);
    expect(bars.at(-1)).toEqual([-1, 'none']);

    // Show in folder: the queue's own output for a done photo, nothing for the failed one.
    const { items } = await engine.handlers.queueList({});
    const done = items.find((i) => i.input === paths[0])!;
    const output = await writtenOutput(engine.handlers, { id: done.id });
    expect(output).toBe(done.output);
    expect(existsSync(output)).toBe(true);
    const failed = items.find((i) => i.input === broken)!;
    expect(failed.state).toBe('failed');
    await expect(writtenOutput(engine.handlers, { id: failed.id })).rejects.toThrow(
      /has no output to show yet \(the photo is failed\)/,
    );
  }, 120_000);
});
