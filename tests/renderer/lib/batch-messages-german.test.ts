// The engine's batch sentences as the app shows them once it speaks German: queue warnings (each
// shown once, by key and values), the notices when adding, a farm row's error, the farm test
// answer, and the reason on the no-connection screen. Every message comes from the engine code
// that words it (or its catalogue key); the German is written out by hand.
import { fileURLToPath } from 'node:url';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent, UpresApi } from '../../../src/shared/api';
import { msg, type EngineMessage } from '../../../src/shared/engine-message';
import { UpresError } from '../../../src/shared/errors';
import type { FarmRow, FarmTestResult } from '../../../src/shared/farm';
import { collectInputs } from '../../../src/main/engine/queue/collect-inputs';
import { setLanguage } from '../../../src/renderer/i18n/translate';
import { loadSvelteModule, rendererLib } from '../helpers/svelte-module';

// tsconfig.node.json does not list src/renderer: its modules are loaded by URL, their surface
// restated here.
const lib = (name: string): string =>
  fileURLToPath(new URL(`../../../src/renderer/lib/${name}.ts`, import.meta.url));
interface AddProblem {
  path: string;
  error: string;
  code?: string;
  detail?: EngineMessage;
}
const { problemLines } = (await import(/* @vite-ignore */ lib('add-problems'))) as {
  problemLines(p: readonly AddProblem[]): { message: string; code?: string; paths: string[] }[];
};
const { farmRowStatus } = (await import(/* @vite-ignore */ lib('farm-row-status'))) as {
  farmRowStatus(row: FarmRow): string;
};
interface Transport {
  name: string;
  connect(): Promise<unknown>;
}
const { connectEngine } = (await import(/* @vite-ignore */ lib('transport'))) as {
  connectEngine(t: readonly Transport[]): Promise<{ kind: string; reason?: string }>;
};
interface QueueStore {
  readonly warnings: string[];
  readonly problems: AddProblem[];
  attach(): () => void;
  add(paths: string[], settings: { model: string }): Promise<number>;
}
const { QueueStore } = (await loadSvelteModule(rendererLib('queue-store.svelte.ts'))) as {
  QueueStore: new (api: unknown) => QueueStore;
};
interface FarmState {
  readonly testMessage: string | undefined;
  testConnection(url?: string): Promise<void>;
}
const { FarmState } = (await loadSvelteModule(rendererLib('farm-state.svelte.ts'))) as {
  FarmState: new (api: unknown) => FarmState;
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-batch-german-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => setLanguage('en'));

/** A queue store over a fake engine that answers an add with `problems`. */
function storeWith(problems: AddProblem[]) {
  const listeners = new Set<(e: EngineEvent) => void>();
  const api: Partial<UpresApi> = {
    queueList: async () => ({ items: [], paused: false }),
    queueAdd: async () => ({ added: [], problems }) as never,
    onEvent: (l: (e: EngineEvent) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  const store = new QueueStore(api);
  store.attach();
  return { store, emit: (e: EngineEvent) => listeners.forEach((l) => l(e)) };
}

describe('queue warnings in German', () => {
  it('shows a keyed warning in German, once however often it comes', () => {
    setLanguage('de');
    const { store, emit } = storeWith([]);
    const w = msg('batch.journalDamaged', { file: '/u/queue/app.json', copy: '/u/q.corrupt-1' });
    emit({ kind: 'warning', message: w.text, detail: w });
    emit({ kind: 'warning', message: w.text, detail: w });
    // Another copy is another warning.
    const other = msg('batch.journalDamaged', {
      file: '/u/queue/app.json',
      copy: '/u/q.corrupt-2',
    });
    emit({ kind: 'warning', message: other.text, detail: other });
    expect(store.warnings).toEqual([
      'Das Warteschlangen-Journal /u/queue/app.json war beschädigt; gelesen wurde, was lesbar war, eine Kopie liegt unter /u/q.corrupt-1',
      'Das Warteschlangen-Journal /u/queue/app.json war beschädigt; gelesen wurde, was lesbar war, eine Kopie liegt unter /u/q.corrupt-2',
    ]);
    // Back in English: the engine's own words.
    setLanguage('en');
    expect(store.warnings[0]).toBe(
      'queue journal /u/queue/app.json was damaged; read what could be read, kept a copy as /u/q.corrupt-1',
    );
  });

  it('shows a warning without a key as it came (an older engine), also once', () => {
    setLanguage('de');
    const { store, emit } = storeWith([]);
    emit({ kind: 'warning', message: 'running on cpu (fp32)' });
    emit({ kind: 'warning', message: 'running on cpu (fp32)' });
    expect(store.warnings).toEqual(['running on cpu (fp32)']);
  });
});

describe('notices when adding, in German', () => {
  it("words the engine's problems by key, the path said once", async () => {
    const missing = join(dir, 'nowhere.jpg');
    const { problems } = await collectInputs([missing, dir], { recursive: true });
    const { store } = storeWith(problems);
    await store.add([missing, dir], { model: 'm' });
    setLanguage('de');
    expect(problemLines(store.problems)).toEqual([
      { message: 'Datei oder Ordner nicht vorhanden', code: 'input.missing', paths: [missing] },
      {
        message: 'Der Ordner enthält keine unterstützten Bilder',
        code: 'input.unsupported',
        paths: [dir],
      },
    ]);
    setLanguage('en');
    expect(problemLines(store.problems).map((l) => l.message)).toEqual([
      'no such file or folder',
      'folder holds no supported images',
    ]);
  });

  it('groups a folder added twice into one line', () => {
    const said = (file: string): AddProblem => {
      const detail = msg('batch.alreadyQueued', { file });
      return { path: file, error: detail.text, detail };
    };
    setLanguage('de');
    expect(problemLines([said('/p/a.png'), said('/p/b.png')])).toEqual([
      {
        message:
          'bereits mit denselben Einstellungen in der Warteschlange; nicht noch einmal hinzugefügt',
        paths: ['/p/a.png', '/p/b.png'],
      },
    ]);
  });
});

describe('the farm in German', () => {
  const row = (r: Partial<FarmRow>): FarmRow =>
    ({ id: 'j1', input: '/p/a.png', fraction: 0, attempts: 1, ...r }) as FarmRow;

  it("shows a failed row's error by its key, a keyless one as it came", () => {
    const stalled = msg('batch.farmStalled', { file: '/p/a.png' });
    setLanguage('de');
    expect(farmRowStatus(row({ state: 'failed', error: stalled.text, errorDetail: stalled }))).toBe(
      '/p/a.png: Sein Worker ist bei diesem Foto öfter ausgefallen (beendet oder abgestürzt), als die Farm zulässt (--max-stalls); es wird nicht noch einmal versucht',
    );
    expect(farmRowStatus(row({ state: 'failed', error: '/p/a.png: disk on fire' }))).toBe(
      '/p/a.png: disk on fire',
    );
    setLanguage('en');
    expect(farmRowStatus(row({ state: 'failed', error: stalled.text, errorDetail: stalled }))).toBe(
      '/p/a.png: its worker stopped (killed or crashed) while on this photo more times than the farm allows (--max-stalls); it is not tried again',
    );
  });

  it('says the test answer in German, with its plural', async () => {
    const said = msg('batch.farmTestWorkers', {
      address: 'redis://farm:6379',
      count: 2,
      names: 'gpu1, gpu2',
      waiting: 3,
    });
    const answer: FarmTestResult = {
      ok: true,
      message: said.text,
      detail: said,
      shown: 'redis://farm:6379',
      workers: ['gpu1', 'gpu2'],
    };
    const farm = new FarmState({ farmTest: async () => answer });
    await farm.testConnection('redis://farm:6379');
    expect(farm.testMessage).toBe(
      'Connected to redis://farm:6379: 2 workers taking photos (gpu1, gpu2); 3 photos waiting.',
    );
    setLanguage('de');
    expect(farm.testMessage).toBe(
      'Verbunden mit redis://farm:6379: 2 Worker nehmen Fotos an (gpu1, gpu2); 3 Fotos warten.',
    );
  });
});

describe('the no-connection screen in German', () => {
  it("gives the reason in German, each transport's failure kept", async () => {
    setLanguage('de');
    const refused: Transport = {
      name: 'Loopback',
      connect: async () => {
        throw new UpresError('request.refused', 'the session is not known');
      },
    };
    const socket: Transport = {
      name: 'Other',
      connect: async () => {
        throw new Error('ECONNREFUSED');
      },
    };
    const c = await connectEngine([refused, socket]);
    expect(c.reason).toBe(
      'Diese Seite läuft nicht in der Upres-App, und kein anderer Weg zur Engine hat funktioniert. Versucht: Loopback, Other (Loopback: Abgelehnt: the session is not known; Other: ECONNREFUSED).',
    );
    const none = await connectEngine([{ name: 'Electron IPC', connect: async () => undefined }]);
    expect(none.reason).toBe(
      'Diese Seite läuft nicht in der Upres-App, und kein anderer Weg zur Engine hat funktioniert. Versucht: Electron IPC.',
    );
  });
});
