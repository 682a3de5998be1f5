import { describe, expect, it, vi } from 'vitest';
import {
  API_METHODS,
  CHOOSE_PATHS_CHANNEL,
  channelOf,
  type ApiResponse,
} from '../../src/shared/api';
import { deferHandlers } from '../../src/main/app/deferred-handlers';
import {
  registerApiHandlers,
  type ApiHandlers,
  type IpcMainLike,
} from '../../src/main/app/ipc-handlers';
import { registerChoosePaths, type OpenDialogOptions } from '../../src/main/app/native-dialogs';
import { trustedSenderCheck, type IpcEventLike } from '../../src/main/app/renderer-origin';
import { UpresError, type ErrorCode } from '../../src/shared/errors';
import { AppSettings } from '../../src/shared/settings';

type Listener = Parameters<IpcMainLike['handle']>[1];

class FakeIpcMain implements IpcMainLike {
  readonly listeners = new Map<string, Listener>();
  handle(channel: string, listener: Listener): void {
    if (this.listeners.has(channel)) throw new Error(`second handler for ${channel}`);
    this.listeners.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.listeners.delete(channel);
  }
  invoke(channel: string, event: IpcEventLike, ...args: unknown[]): Promise<unknown> {
    const listener = this.listeners.get(channel);
    if (!listener) throw new Error(`no handler for ${channel}`);
    return listener(event, ...args);
  }
}

const INDEX_HTML = '/opt/Upres/resources/app.asar/out/renderer/index.html';
const trusted = trustedSenderCheck({ kind: 'file', path: INDEX_HTML });
const appFrame: IpcEventLike = { senderFrame: { url: `file://${INDEX_HTML}` } };

const MODELS: ApiResponse<'listModels'> = [
  {
    id: 'tiny',
    name: 'Tiny',
    architecture: 'rrdbnet',
    scale: 4,
    parameters: 1234,
    role: 'general',
    origin: 'shipped',
    sizeBytes: 2468,
    source: 'tests',
    licence: 'MIT',
    credit: 'tests',
  },
];

function fakeHandlers(): ApiHandlers {
  return {
    listModels: vi.fn(async () => MODELS),
    importModel: vi.fn(async () => ({ model: MODELS[0], layout: 'test', notes: [] })),
    removeModel: vi.fn(async ({ id }: { id: string }) => ({ removed: id })),
    pairModels: vi.fn(async () => MODELS[0]),
    pairOptions: vi.fn(async () => ({ groups: [] })),
    engineInfo: vi.fn(async () => ({
      version: '0.0.0',
      platform: 'linux-x64',
      providers: [{ name: 'cpu' as const, state: 'in-use' as const, available: true }],
      defaultDevice: 'auto' as const,
    })),
    measureDevices: vi.fn(async () => ({ providers: [] })),
    presetList: vi.fn(async () => ({ path: '/presets.json', presets: [], problems: [] })),
    presetSave: vi.fn(async () => ({ name: 'p', settings: { model: 'tiny' } })),
    presetRemove: vi.fn(async ({ name }: { name: string }) => ({ removed: name })),
    presetApply: vi.fn(async () => ({ updated: 0 })),
    queueList: vi.fn(async () => ({ items: [], paused: false })),
    queueAdd: vi.fn(async () => ({ added: [], problems: [] })),
    queueUpdate: vi.fn(async () => ({ updated: 0 })),
    queueControl: vi.fn(async () => ({ ok: true as const })),
    queueRestore: vi.fn(async () => ({ restored: [] })),
    queueReexport: vi.fn(async () => {
      throw new Error('not used here');
    }),
    previewEnds: vi.fn(async () => ({
      request: 'r',
      region: { x: 0, y: 0, w: 1, h: 1 },
      scale: 4,
      pieces: [],
    })),
    previewCancel: vi.fn(async () => ({ ok: true as const })),
    preview: vi.fn(
      async ({ region }: { region: { x: number; y: number; w: number; h: number } }) => ({
        region,
        scale: 4,
        exact: 'token',
        seconds: 0.1,
      }),
    ),
    itemImage: vi.fn(async () => ({ token: 'token', width: 10, height: 10 })),
    settingsGet: vi.fn(async () => AppSettings.parse({})),
    settingsSet: vi.fn(async () => AppSettings.parse({})),
    farmGet: vi.fn(async () => ({ url: '', hasPassword: false })),
    farmSet: vi.fn(async () => ({ url: '', hasPassword: false })),
    farmTest: vi.fn(async () => ({ ok: false, message: 'no farm', shown: '', workers: [] })),
    farmSend: vi.fn(async () => ({ batch: 'b', sent: 0 })),
    farmStatus: vi.fn(async () => ({ batches: [] })),
    farmCancel: vi.fn(async () => ({ removed: 0, stopping: 0 })),
    farmForget: vi.fn(async () => ({ ok: true as const })),
  };
}

/** The reply of a failed call: its code, a message matching `message`, and its key if keyed. */
function failure(code: ErrorCode, message: RegExp | string, key?: string) {
  const text = typeof message === 'string' ? message : expect.stringMatching(message);
  const detail = key ? { detail: expect.objectContaining({ key, text }) } : {};
  return { ok: false, error: { code, message: text, ...detail } };
}

function setup(handlers = fakeHandlers()) {
  const ipc = new FakeIpcMain();
  const unregister = registerApiHandlers(ipc, handlers, trusted);
  return { ipc, handlers, unregister };
}

describe('registerApiHandlers', () => {
  it('registers one channel per API method, and unregisters them', () => {
    const { ipc, unregister } = setup();
    expect([...ipc.listeners.keys()].sort()).toEqual(API_METHODS.map(channelOf).sort());
    unregister();
    expect(ipc.listeners.size).toBe(0);
  });

  it('passes a valid request to the handler and returns its response', async () => {
    const { ipc, handlers } = setup();
    await expect(ipc.invoke(channelOf('listModels'), appFrame, {})).resolves.toEqual({
      ok: true,
      value: MODELS,
    });
    expect(handlers.listModels).toHaveBeenCalledWith({});
  });

  it('accepts the page with a query or fragment', async () => {
    const { ipc } = setup();
    const frame = { senderFrame: { url: `file://${INDEX_HTML}?x=1#/view` } };
    await expect(ipc.invoke(channelOf('listModels'), frame, {})).resolves.toEqual({
      ok: true,
      value: MODELS,
    });
  });

  it('replies request.invalid with the method and the issue, without calling the handler', async () => {
    const { ipc, handlers } = setup();
    await expect(ipc.invoke(channelOf('listModels'), appFrame, { extra: 1 })).resolves.toEqual(
      failure('request.invalid', /^listModels: invalid request: .*extra/, 'batch.requestInvalid'),
    );
    await expect(ipc.invoke(channelOf('engineInfo'), appFrame)).resolves.toEqual(
      failure('request.invalid', /^engineInfo: invalid request: \(root\)/, 'batch.requestInvalid'),
    );
    expect(handlers.listModels).not.toHaveBeenCalled();
    expect(handlers.engineInfo).not.toHaveBeenCalled();
  });

  it.each([
    ['a remote page', 'https://evil.example/'],
    ['another local file', 'file:///tmp/evil.html'],
    [
      'the renderer folder, another page',
      'file:///opt/Upres/resources/app.asar/out/renderer/x.html',
    ],
    ['a data URL', 'data:text/html,<script></script>'],
  ])('refuses %s as sender and does not call the handler', async (_what, url) => {
    const { ipc, handlers } = setup();
    await expect(ipc.invoke(channelOf('listModels'), { senderFrame: { url } }, {})).rejects.toThrow(
      /^listModels: refused a call from an untrusted sender/,
    );
    expect(handlers.listModels).not.toHaveBeenCalled();
  });

  it('refuses a call from a destroyed frame', async () => {
    const { ipc, handlers } = setup();
    await expect(ipc.invoke(channelOf('engineInfo'), { senderFrame: null }, {})).rejects.toThrow(
      /untrusted sender/,
    );
    expect(handlers.engineInfo).not.toHaveBeenCalled();
  });

  it('refuses a response that breaks the contract', async () => {
    const handlers = fakeHandlers();
    handlers.listModels = async () => [{ id: 'broken' }] as unknown as ApiResponse<'listModels'>;
    const { ipc } = setup(handlers);
    await expect(ipc.invoke(channelOf('listModels'), appFrame, {})).resolves.toEqual(
      failure('internal', /^listModels: the engine returned an invalid response/),
    );
  });

  it('strips fields the contract does not name from responses', async () => {
    const handlers = fakeHandlers();
    handlers.listModels = async () => MODELS.map((m) => ({ ...m, secretPath: '/home/x' }));
    const { ipc } = setup(handlers);
    const reply = (await ipc.invoke(channelOf('listModels'), appFrame, {})) as { value: object[] };
    const [model] = reply.value;
    expect(model).not.toHaveProperty('secretPath');
  });

  it("replies with a handler's error: its code, or internal for an untyped one", async () => {
    const handlers = fakeHandlers();
    handlers.engineInfo = async () => {
      throw new Error('onnxruntime failed');
    };
    handlers.itemImage = async () => {
      throw new UpresError('not-found', 'no queue item nope');
    };
    const { ipc } = setup(handlers);
    await expect(ipc.invoke(channelOf('engineInfo'), appFrame, {})).resolves.toEqual(
      failure('internal', 'onnxruntime failed'),
    );
    await expect(
      ipc.invoke(channelOf('itemImage'), appFrame, { id: 'nope', which: 'input' }),
    ).resolves.toEqual(failure('not-found', 'no queue item nope'));
  });
});

describe('the queue, preview and settings methods over IPC', () => {
  it.each([
    ['queueControl', { action: 'explode' }, /^queueControl: invalid request: action/],
    ['queueControl', { action: 'cancel' }, /^queueControl: invalid request: id/],
    ['queueAdd', { paths: [], settings: { model: 'x' } }, /^queueAdd: invalid request: paths/],
    [
      'preview',
      { id: 'a', region: { x: 0, y: 0, w: 4096, h: 8 } },
      /^preview: invalid request: region\.w/,
    ],
    ['itemImage', { id: 'a', which: '../../etc/passwd' }, /^itemImage: invalid request: which/],
    ['settingsSet', { tile: 3 }, /^settingsSet: invalid request: tile/],
    ['settingsSet', { path: '/tmp' }, /^settingsSet: invalid request: \(root\): Unrecognized key/],
  ] as const)('%s refuses %j', async (method, request, message) => {
    const { ipc, handlers } = setup();
    await expect(ipc.invoke(channelOf(method), appFrame, request)).resolves.toEqual(
      failure('request.invalid', message, 'batch.requestInvalid'),
    );
    expect(handlers[method]).not.toHaveBeenCalled();
  });

  it('hands settingsSet and queueUpdate only the keys sent (no defaults filled in)', async () => {
    const { ipc, handlers } = setup();
    await ipc.invoke(channelOf('settingsSet'), appFrame, { tile: 256, outDir: null });
    expect(handlers.settingsSet).toHaveBeenCalledWith({ tile: 256, outDir: null });
    await ipc.invoke(channelOf('queueUpdate'), appFrame, { ids: ['a'], settings: { alpha: 0.4 } });
    expect(handlers.queueUpdate).toHaveBeenCalledWith({ ids: ['a'], settings: { alpha: 0.4 } });
  });

  it('refuses queue calls from an untrusted sender', async () => {
    const { ipc, handlers } = setup();
    const evil = { senderFrame: { url: 'https://evil.example/' } };
    await expect(
      ipc.invoke(channelOf('queueAdd'), evil, { paths: ['/'], settings: { model: 'x' } }),
    ).rejects.toThrow(/untrusted sender/);
    expect(handlers.queueAdd).not.toHaveBeenCalled();
  });
});

describe('registerChoosePaths', () => {
  function pickers(result = { canceled: false, filePaths: ['/photos/a.jpg'] }) {
    const ipc = new FakeIpcMain();
    const show = vi.fn(async (_options: OpenDialogOptions) => result);
    const unregister = registerChoosePaths(ipc, show, trusted);
    return { ipc, show, unregister };
  }

  it('returns what the user picked, files or a folder, on its own channel', async () => {
    const { ipc, show, unregister } = pickers();
    await expect(ipc.invoke(CHOOSE_PATHS_CHANNEL, appFrame, 'files')).resolves.toEqual({
      ok: true,
      value: ['/photos/a.jpg'],
    });
    expect(show.mock.calls[0][0].properties).toEqual(['openFile', 'multiSelections']);
    await ipc.invoke(CHOOSE_PATHS_CHANNEL, appFrame, 'folder');
    expect(show.mock.calls[1][0].properties).toContain('openDirectory');
    // Import model…: files, with the endings the model import reads offered first.
    await ipc.invoke(CHOOSE_PATHS_CHANNEL, appFrame, 'models');
    expect(show.mock.calls[2][0].properties).toEqual(['openFile', 'multiSelections']);
    expect(show.mock.calls[2][0].filters?.[0].extensions).toEqual(
      expect.arrayContaining(['pth', 'safetensors', 'onnx', 'param', 'bin']),
    );
    unregister();
    expect(ipc.listeners.size).toBe(0);
  });

  it('returns nothing when the dialog is cancelled', async () => {
    const { ipc } = pickers({ canceled: true, filePaths: ['/ignored'] });
    await expect(ipc.invoke(CHOOSE_PATHS_CHANNEL, appFrame, 'folder')).resolves.toEqual({
      ok: true,
      value: [],
    });
  });

  it('refuses untrusted senders and anything but files or folder, without a dialog', async () => {
    const { ipc, show } = pickers();
    await expect(
      ipc.invoke(CHOOSE_PATHS_CHANNEL, { senderFrame: { url: 'https://evil.example/' } }, 'files'),
    ).rejects.toThrow(/untrusted sender/);
    await expect(ipc.invoke(CHOOSE_PATHS_CHANNEL, appFrame, { path: '/' })).resolves.toEqual(
      failure('request.invalid', /'files', 'folder' or 'models'/, 'batch.choosePathsKind'),
    );
    expect(show).not.toHaveBeenCalled();
  });
});

describe('deferHandlers', () => {
  it('waits for the engine, then calls through', async () => {
    let open!: (h: ApiHandlers) => void;
    const deferred = deferHandlers(new Promise<ApiHandlers>((resolve) => (open = resolve)));
    const call = deferred.listModels({});
    open(fakeHandlers());
    await expect(call).resolves.toEqual(MODELS);
  });

  it('rejects every call with the error that stopped the engine from opening', async () => {
    const deferred = deferHandlers(Promise.reject(new Error('invalid model manifest')));
    for (const method of API_METHODS) {
      const call = deferred[method] as (req: unknown) => Promise<unknown>;
      await expect(call({})).rejects.toThrow('invalid model manifest');
    }
  });
});
