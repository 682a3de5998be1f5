// The Models screen's pure helpers and its state class: which dropped files are models (ncnn pairs
// together), what may be removed and why not, which models a pair picker offers, how an upload is
// sent and answered, and imports run one at a time with refusals kept until dismissed.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { msg, type EngineMessage } from '../../../src/shared/engine-message';
import { ErrorPayload, UpresError } from '../../../src/shared/errors';
import { engineText } from '../../../src/renderer/i18n/engine-text';
import { setLanguage } from '../../../src/renderer/i18n/translate';
import type { ModelInfo } from '../../../src/shared/model-manifest';
import { loadSvelteModule, rendererLib } from '../helpers/svelte-module';

const load = (name: string): Promise<unknown> =>
  import(
    /* @vite-ignore */ fileURLToPath(new URL(`../../../src/renderer/lib/${name}`, import.meta.url))
  );

const files = (await load('model-files.ts')) as {
  isModelFile(name: string): boolean;
  splitModelFiles<F>(f: readonly F[], nameOf: (f: F) => string): { models: F[][]; others: F[] };
  importLabel(names: readonly string[]): string;
  originText(m: ModelInfo): string;
  removalBlock(m: ModelInfo, all: readonly ModelInfo[]): string | undefined;
  pairPartners(groups: string[][], id: string): string[];
  pairable(groups: string[][]): string[];
  pairIdFor(a: string, b: string, taken: string[]): string;
  routePaths(
    paths: readonly string[],
    to: { importModels: (p: string[]) => void; addPhotos: (p: string[]) => void },
  ): void;
};
const upload = (await load('model-upload.ts')) as {
  uploadQuery(f: readonly { name: string; size: number }[]): string;
  uploadAnswer(status: number, text: string, first: string): unknown;
  uploadModelFiles(
    session: { header: string; value: string },
    files: readonly File[],
    onProgress: ((f: number) => void) | undefined,
    makeXhr: () => unknown,
  ): Promise<unknown>;
};

const info = (id: string, more: Partial<ModelInfo> = {}): ModelInfo => ({
  id,
  name: id,
  architecture: 'srvgg',
  scale: 4,
  parameters: 1000,
  role: 'general',
  origin: 'user',
  sizeBytes: 4000,
  source: 'test',
  licence: 'MIT',
  credit: 'someone',
  ...more,
});

describe('model files', () => {
  it('routes opened paths: models (an ncnn pair together) to the import, the rest to the queue', () => {
    const calls: string[][] = [];
    const to = {
      importModels: (p: string[]) => calls.push(['import', ...p]),
      addPhotos: (p: string[]) => calls.push(['add', ...p]),
    };
    files.routePaths(['/d/x.bin', '/p/a.jpg', '/d/m.pth', '/d/x.param', '/p/trip'], to);
    expect(calls).toEqual([
      ['import', '/d/x.param', '/d/x.bin', '/d/m.pth'],
      ['add', '/p/a.jpg', '/p/trip'],
    ]);
    calls.length = 0;
    files.routePaths(['/p/a.jpg'], to);
    expect(calls).toEqual([['add', '/p/a.jpg']]);
  });

  it('tells model files from photos by their ending, in any case', () => {
    expect(
      ['a.pth', 'b.PT', 'c.ckpt', 'd.safetensors', 'e.onnx', 'f.param', 'f.bin'].map(
        files.isModelFile,
      ),
    ).toEqual([true, true, true, true, true, true, true]);
    expect(['a.jpg', 'b.png', 'folder', '.pth', 'C:\\x\\y.tif'].map(files.isModelFile)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('splits a mixed drop: each model one import, an ncnn .param with its .bin, photos apart', () => {
    const dropped = [
      '/d/x.bin',
      '/d/photo.jpg',
      '/d/RealESRGAN.pth',
      '/d/x.param',
      '/d/y.param',
      '/p',
    ];
    const { models, others } = files.splitModelFiles(dropped, (p) => p);
    expect(models).toEqual([['/d/x.param', '/d/x.bin'], ['/d/RealESRGAN.pth'], ['/d/y.param']]);
    expect(others).toEqual(['/d/photo.jpg', '/p']);
    expect(files.importLabel(models[0])).toBe('x.param + x.bin');
  });

  it('says where a model came from', () => {
    expect(files.originText(info('s', { origin: 'shipped' }))).toBe('Ships with Upres');
    expect(files.originText(info('u', { importedFrom: 'RealESRGAN_x4plus.pth' }))).toBe(
      'Imported from RealESRGAN_x4plus.pth',
    );
    expect(
      files.originText(info('p', { pair: { fidelity: 'a', perceptual: 'b', defaultAlpha: 0.8 } })),
    ).toBe('A pair you made');
  });

  it('explains why a shipped model or a pair’s end cannot be removed', () => {
    const pair = info('ab', {
      name: 'A and B',
      pair: { fidelity: 'a', perceptual: 'b', defaultAlpha: 0.8 },
    });
    const all = [info('a'), info('b'), info('c'), info('s', { origin: 'shipped' }), pair];
    expect(files.removalBlock(all[3], all)).toBe('Ships with Upres, so it cannot be removed.');
    expect(files.removalBlock(all[1], all)).toBe(
      'Part of the pair “A and B”; remove the pair first.',
    );
    expect(files.removalBlock(all[2], all)).toBeUndefined();
    expect(files.removalBlock(pair, all)).toBeUndefined();
  });

  it('offers as partners only the models of the same group, and free pair ids', () => {
    const groups = [
      ['a', 'b', 'c'],
      ['x', 'y'],
    ];
    expect(files.pairPartners(groups, 'b')).toEqual(['a', 'c']);
    expect(files.pairPartners(groups, 'y')).toEqual(['x']);
    expect(files.pairPartners(groups, 'lonely')).toEqual([]);
    expect(files.pairable(groups)).toEqual(['a', 'b', 'c', 'x', 'y']);
    expect(files.pairIdFor('A b', 'c', [])).toBe('a-b-c-pair');
    expect(files.pairIdFor('a', 'c', ['a-c-pair', 'a-c-pair-2'])).toBe('a-c-pair-3');
  });
});

/** An XMLHttpRequest stand-in that answers with `status` and `body` after reporting progress. */
function fakeXhr(
  status: number,
  body: unknown,
  seen: { url?: string; headers: Record<string, string>; sent?: unknown },
) {
  return () => {
    const xhr = {
      status: 0,
      responseText: '',
      upload: { onprogress: null as null | ((e: { loaded: number; total: number }) => void) },
      onload: null as null | (() => void),
      onerror: null as null | (() => void),
      open: (_m: string, url: string) => (seen.url = url),
      setRequestHeader: (k: string, v: string) => (seen.headers[k] = v),
      send: (b: unknown) => {
        seen.sent = b;
        xhr.upload.onprogress?.({ loaded: 5, total: 10 });
        xhr.upload.onprogress?.({ loaded: 10, total: 10 });
        xhr.status = status;
        xhr.responseText = JSON.stringify(body);
        xhr.onload?.();
      },
    };
    return xhr;
  };
}

describe('model upload (browser)', () => {
  it('names each file and its size in the query, in body order', () => {
    expect(
      upload.uploadQuery([
        { name: 'x.param', size: 3 },
        { name: 'x y.bin', size: 40 },
      ]),
    ).toBe('/api/upload/model?name=x.param&size=3&name=x+y.bin&size=40');
  });

  it('sends the bytes with the session, reports progress, and resolves with the import', async () => {
    const seen = { headers: {} as Record<string, string> } as {
      url?: string;
      headers: Record<string, string>;
      sent?: unknown;
    };
    const progress: number[] = [];
    const answer = { model: info('m'), layout: 'l', notes: [] };
    const r = await upload.uploadModelFiles(
      { header: 'X-Upres-Session', value: 's3cret' },
      [new File([new Uint8Array(10)], 'm.pth')],
      (f) => progress.push(f),
      fakeXhr(200, answer, seen),
    );
    expect(r).toEqual(answer);
    expect(progress).toEqual([0.5, 1]);
    expect(seen.headers).toEqual({
      'Content-Type': 'application/octet-stream',
      'X-Upres-Session': 's3cret',
    });
    expect(seen.url).toBe('/api/upload/model?name=m.pth&size=10');
    expect((seen.sent as Blob).size).toBe(10);
  });

  it('rejects with the engine’s typed refusal', async () => {
    const refusal = {
      error: { code: 'model.refused', message: 'evil.pth: refuses to load: os.system' },
    };
    const err = await upload
      .uploadModelFiles(
        { header: 'h', value: 'v' },
        [new File(['x'], 'evil.pth')],
        undefined,
        fakeXhr(400, refusal, { headers: {} }),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpresError);
    expect((err as UpresError).code).toBe('model.refused');
    expect((err as UpresError).message).toBe('evil.pth: refuses to load: os.system');
    expect(() => upload.uploadAnswer(502, 'Bad gateway', 'a.pth')).toThrow(
      'a.pth: the server answered 502',
    );
  });
});

// ---- ModelsState, against an engine stand-in ----

interface Job {
  label: string;
  state: string;
  code?: string;
  message?: string;
  detail?: EngineMessage;
  notes?: EngineMessage[];
  model?: ModelInfo;
}
interface ModelsState {
  readonly jobs: readonly Job[] & { key?: number }[];
  readonly pairGroups: readonly string[][];
  readonly removeError: string | undefined;
  importPaths(paths: readonly string[]): Promise<void>;
  dismiss(key: number): void;
  remove(id: string): Promise<void>;
  pair(p: object): Promise<boolean>;
}
const { ModelsState } = (await loadSvelteModule(rendererLib('models-state.svelte.ts'))) as {
  ModelsState: new (api: object, reload: () => Promise<void>) => ModelsState;
};

describe('ModelsState', () => {
  it('imports one model at a time, keeps a refusal until dismissed, and refreshes after each', async () => {
    const order: string[] = [];
    let reloads = 0;
    const api = {
      importModel: async ({ path }: { path: string }) => {
        order.push(`start ${path}`);
        await new Promise((r) => setTimeout(r, 5));
        order.push(`end ${path}`);
        if (path.includes('evil'))
          throw new UpresError('model.refused', 'evil.pth: refuses to load: os.system');
        return { model: info('good'), layout: 'l', notes: [] };
      },
      pairOptions: async () => ({ groups: [['good', 'other']] }),
    };
    const state = new ModelsState(api, async () => void reloads++);
    await state.importPaths(['/d/good.pth', '/d/evil.pth', '/d/x.param', '/d/x.bin']);
    expect(order).toEqual([
      'start /d/good.pth',
      'end /d/good.pth',
      'start /d/evil.pth',
      'end /d/evil.pth',
      'start /d/x.param',
      'end /d/x.param',
    ]);
    expect(state.jobs.map((j) => [j.label, j.state])).toEqual([
      ['good.pth', 'done'],
      ['evil.pth', 'refused'],
      ['x.param + x.bin', 'done'],
    ]);
    expect(state.jobs[1]).toMatchObject({
      code: 'model.refused',
      message: 'evil.pth: refuses to load: os.system',
    });
    expect(reloads).toBe(2);
    expect(state.pairGroups).toEqual([['good', 'other']]);
    state.dismiss((state.jobs[1] as unknown as { key: number }).key);
    expect(state.jobs.map((j) => j.label)).toEqual(['good.pth', 'x.param + x.bin']);
  });

  it('imports dropped files by path where the platform tells it (Electron), else sends them', async () => {
    const imported: string[] = [];
    const electron = new ModelsState(
      {
        pathForFile: (f: File) => `/downloads/${f.name}`,
        importModel: async ({ path }: { path: string }) => {
          imported.push(path);
          return { model: info('m'), layout: 'l', notes: [] };
        },
        uploadModel: async () => {
          throw new Error('not used when paths are known');
        },
        pairOptions: async () => ({ groups: [] }),
      },
      async () => undefined,
    );
    await (electron as unknown as { importFiles(f: File[]): Promise<void> }).importFiles([
      new File(['b'], 'x.bin'),
      new File(['p'], 'x.param'),
    ]);
    expect(imported).toEqual(['/downloads/x.param']);

    const progress: number[][] = [];
    const sent: string[][] = [];
    const browser = new ModelsState(
      {
        uploadModel: async (files: File[], onProgress: (f: number) => void) => {
          sent.push(files.map((f) => f.name));
          onProgress(0.5);
          progress.push([(browser.jobs[0] as unknown as { sent: number }).sent]);
          onProgress(1);
          return { model: info('m'), layout: 'l', notes: [] };
        },
        pairOptions: async () => ({ groups: [] }),
      },
      async () => undefined,
    );
    await (browser as unknown as { importFiles(f: File[]): Promise<void> }).importFiles([
      new File(['abc'], 'm.pth'),
    ]);
    expect(sent).toEqual([['m.pth']]);
    expect(progress).toEqual([[0.5]]);
    expect(browser.jobs.map((j) => j.state)).toEqual(['done']);
  });

  it('keeps a removal’s refusal to show, and a pair’s', async () => {
    const api = {
      removeModel: async () => {
        throw new UpresError('request.invalid', 'b is part of pair ab; remove the pair first');
      },
      pairModels: async () => {
        throw new UpresError('model.incompatible', 'cannot pair a with c: different architectures');
      },
      pairOptions: async () => ({ groups: [] }),
    };
    const state = new ModelsState(api, async () => undefined);
    await state.remove('b');
    expect(state.removeError).toBe('b is part of pair ab; remove the pair first');
    expect(
      await state.pair({ id: 'x', name: 'x', fidelity: 'a', perceptual: 'c', defaultAlpha: 0.5 }),
    ).toBe(false);
    expect((state as unknown as { pairError: string }).pairError).toBe(
      'cannot pair a with c: different architectures',
    );
  });

  it('keeps a refusal’s and the notes’ catalogue keys, so the screen says them in German', async () => {
    const refusal = new UpresError(
      'model.refused',
      msg('modelFiles.pickleGlobal', { file: 'evil.pth', global: 'os.system' }),
    );
    // As the upload path hands it over: the engine's payload, parsed back on the page.
    const sent = upload.uploadAnswer.bind(
      null,
      422,
      JSON.stringify({ error: refusal.toPayload() }),
    );
    const api = {
      importModel: async ({ path }: { path: string }) => {
        if (path.includes('evil')) return sent('evil.pth');
        return {
          model: info('good'),
          layout: 'l',
          notes: [msg('modelFiles.noteBatchNormFolded')],
        };
      },
      removeModel: async () => {
        throw new UpresError(
          'request.invalid',
          msg('modelFiles.removeInPair', { id: 'b', pairs: 'ab' }),
        );
      },
      pairOptions: async () => ({ groups: [] }),
    };
    const state = new ModelsState(api, async () => undefined);
    await state.importPaths(['/d/good.pth', '/d/evil.pth']);
    const [good, evil] = state.jobs;
    expect(ErrorPayload.safeParse(refusal.toPayload()).success).toBe(true);
    expect(evil.message).toBe(
      'evil.pth: refuses to load: the file references global "os.system", which a model checkpoint never needs',
    );
    expect(evil.detail?.key).toBe('modelFiles.pickleGlobal');
    expect(good.notes?.map(engineText)).toEqual(['batch norm folded into the convolutions']);
    setLanguage('de');
    try {
      expect(engineText(evil.detail)).toBe(
        'evil.pth: Laden verweigert: die Datei verweist auf das Global „os.system“, das ein Modell-Checkpoint nie braucht',
      );
      expect(good.notes?.map(engineText)).toEqual(['Batch-Norm in die Faltungen eingerechnet']);
      await state.remove('b');
      expect(state.removeError).toBe(
        'Ungültige Anfrage: b gehört zum Paar ab; entfernen Sie zuerst das Paar',
      );
    } finally {
      setLanguage('en');
    }
  });
});
