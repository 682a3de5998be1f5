// *Show in folder* and the opened-files hand-over, through a fake ipcMain, a fake shell and the
// real preload bridge: only an output the queue wrote is ever shown, by the item's id.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OPENED_PATHS_CHANNEL, SHOW_IN_FOLDER_CHANNEL } from '../../src/shared/api';
import { QueueItem, type ItemState } from '../../src/shared/queue';
import type { IpcMainLike } from '../../src/main/app/ipc-handlers';
import { OpenRequests, registerOpenRequests } from '../../src/main/app/open-requests';
import { trustedSenderCheck, type IpcEventLike } from '../../src/main/app/renderer-origin';
import { registerShowInFolder } from '../../src/main/app/show-in-folder';
import { createBridge } from '../../src/preload/bridge';
import { apiFromBridge } from '../../src/renderer/lib/electron-api';

type Listener = Parameters<IpcMainLike['handle']>[1];

class FakeIpcMain implements IpcMainLike {
  readonly listeners = new Map<string, Listener>();
  handle(channel: string, listener: Listener): void {
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
const evilFrame: IpcEventLike = { senderFrame: { url: 'https://evil.example/' } };

const dir = mkdtempSync(join(tmpdir(), 'upres-show-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const written = join(dir, 'beach_x4.png');
writeFileSync(written, 'png bytes');

function item(id: string, state: ItemState, output?: string): QueueItem {
  return QueueItem.parse({
    id,
    input: join(dir, `${id}.jpg`),
    relDir: '',
    placement: { outDir: dir },
    settings: { model: 'tiny' },
    state,
    ...(output ? { output } : {}),
  });
}

function setup() {
  const items = [
    item('done', 'done', written),
    item('gone', 'done', join(dir, 'deleted_x4.png')),
    item('waiting', 'waiting'),
  ];
  const shown: string[] = [];
  const ipc = new FakeIpcMain();
  const unregister = registerShowInFolder(
    ipc,
    { queueList: async () => ({ items, paused: false }) },
    { showItemInFolder: (p) => void shown.push(p) },
    trusted,
  );
  // The renderer's API over the real bridge, its calls going to the fake ipcMain.
  const api = apiFromBridge(
    createBridge(
      (channel, request) => ipc.invoke(channel, appFrame, request),
      () => () => undefined,
    ),
  );
  return { ipc, shown, api, unregister };
}

describe('Show in folder', () => {
  it("shows a finished photo's output, named by the photo's id", async () => {
    const { shown, api } = setup();
    await api.showInFolder!('done');
    expect(shown).toEqual([written]);
  });

  it('refuses unknown ids, unfinished photos and outputs that are gone, each saying why', async () => {
    const { shown, api } = setup();
    await expect(api.showInFolder!('nope')).rejects.toMatchObject({
      code: 'not-found',
      message: 'Show in folder: there is no photo nope in the queue',
    });
    await expect(api.showInFolder!('waiting')).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringMatching(
        /waiting\.jpg: has no output to show yet \(the photo is waiting\)/,
      ),
    });
    await expect(api.showInFolder!('gone')).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringMatching(/deleted_x4\.png: the output is no longer there/),
    });
    expect(shown).toEqual([]);
  });

  it('never takes a path from the page, and answers no untrusted sender', async () => {
    const { ipc, shown, unregister } = setup();
    for (const request of [{ path: written }, { id: 'done', path: written }, written, undefined]) {
      await expect(ipc.invoke(SHOW_IN_FOLDER_CHANNEL, appFrame, request)).resolves.toEqual({
        ok: false,
        error: {
          code: 'request.invalid',
          message: 'Show in folder: send the id of a finished photo, nothing else',
          detail: {
            key: 'batch.showBadRequest',
            text: 'Show in folder: send the id of a finished photo, nothing else',
          },
        },
      });
    }
    await expect(ipc.invoke(SHOW_IN_FOLDER_CHANNEL, evilFrame, { id: 'done' })).rejects.toThrow(
      /untrusted sender/,
    );
    expect(shown).toEqual([]);
    unregister();
    expect(ipc.listeners.size).toBe(0);
  });
});

describe('files the OS asked to open, handed to the page', () => {
  function page(requests: OpenRequests) {
    const ipc = new FakeIpcMain();
    registerOpenRequests(ipc, requests, trusted);
    const notices = new Set<() => void>();
    requests.onAdded(() => notices.forEach((n) => n()));
    const api = apiFromBridge(
      createBridge(
        (channel, request) => ipc.invoke(channel, appFrame, request),
        () => () => undefined,
        undefined,
        (notice) => {
          notices.add(notice);
          return () => void notices.delete(notice);
        },
      ),
    );
    return { ipc, api };
  }
  const settle = () => new Promise((r) => setTimeout(r, 0));

  it('gives the page what was asked before it listened, then each new request, each path once', async () => {
    const requests = new OpenRequests();
    requests.add(['/a.jpg', '/b.png']);
    const { api } = page(requests);
    const got: string[][] = [];
    const off = api.onOpenPaths!((paths) => got.push(paths));
    await settle();
    expect(got).toEqual([['/a.jpg', '/b.png']]);
    requests.add(['/c.webp']);
    await settle();
    expect(got).toEqual([['/a.jpg', '/b.png'], ['/c.webp']]);
    off();
    requests.add(['/d.tif']);
    await settle();
    expect(got).toHaveLength(2);
    // Not lost: the next page to listen gets it.
    const later: string[][] = [];
    api.onOpenPaths!((paths) => later.push(paths));
    await settle();
    expect(later).toEqual([['/d.tif']]);
  });

  it('answers no untrusted sender', async () => {
    const requests = new OpenRequests();
    requests.add(['/secret.jpg']);
    const { ipc } = page(requests);
    await expect(ipc.invoke(OPENED_PATHS_CHANNEL, evilFrame)).rejects.toThrow(/untrusted/);
    expect(requests.take()).toEqual(['/secret.jpg']);
  });
});
