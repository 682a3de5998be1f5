// The engine service behind the UI, driven through createEngineHandlers (and dispatchApi where the
// transport boundary matters): queue, events, previews, image tokens, settings, restart.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../src/shared/api';
import { dispatchApi } from '../../../src/main/engine/service/api-dispatch';
import {
  createEngineHandlers,
  type EngineHandlers,
} from '../../../src/main/engine/service/api-handlers';
import { decodeImage } from '../../../src/main/engine/pipeline/decode';
import { renderViewport } from '../../../src/main/engine/pipeline/preview';
import type { AppEngine } from '../../../src/main/engine/service/app-engine';
import { loadModel, type LoadedModel } from '../../../src/main/engine/runtime/loaded-model';
import { engineWorld, recordEvents, type EngineWorld } from '../../helpers/app-engine';

let world: EngineWorld;
let engine: AppEngine;
let api: EngineHandlers;
let pair: LoadedModel;

beforeAll(async () => {
  world = await engineWorld('upres-app-engine-');
  engine = await world.open();
  api = createEngineHandlers(engine);
  pair = await loadModel(world.registry, 'tiny-ab', { device: 'cpu' });
});

afterAll(async () => {
  await pair?.dispose();
  await engine?.close();
  await world?.cleanup();
});

/** PNG bytes of an image token as raw RGB. */
async function tokenPixels(
  token: string,
): Promise<{ data: Buffer; width: number; height: number }> {
  const source = engine.images.open(token);
  if (source?.kind !== 'bytes') throw new Error(`token ${token} holds no bytes`);
  const { data, info } = await sharp(source.data).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

describe('the queue through the API', () => {
  it('adds a folder, runs it on start and reports every step as events', async () => {
    const rec = recordEvents(engine);
    const { added, problems } = await api.queueAdd({
      paths: [world.photos],
      settings: { model: 'tiny-ab', alpha: 0.3 },
      recursive: true,
    });
    expect(problems).toEqual([]);
    expect(added.map((i) => i.input)).toEqual([
      join(world.photos, 'a.png'),
      join(world.photos, 'b.png'),
    ]);
    // No folder in the request or the settings: a sibling `<folder>-upscaled`, never inside it.
    expect(added[0].placement.outDir).toBe(`${world.photos}-upscaled`);
    expect((await api.queueList({})).items.every((i) => i.state === 'waiting')).toBe(true);
    expect(rec.events.filter((e) => e.kind === 'item')).toHaveLength(2);

    await api.queueControl({ action: 'start' });
    await rec.until((e) => e.kind === 'queue' && !e.running && !e.paused);
    const { items } = await api.queueList({});
    expect(items.map((i) => i.state)).toEqual(['done', 'done']);
    expect(items.map((i) => [i.outWidth, i.outHeight])).toEqual([
      [64, 48],
      [48, 40],
    ]);
    for (const i of items) expect(existsSync(i.output!)).toBe(true);

    const kinds = rec.events.map((e) => e.kind);
    expect(kinds).toContain('progress');
    expect(rec.events).toContainEqual({ kind: 'queue', paused: false, running: true });
    const progress = rec.events.filter(
      (e): e is Extract<EngineEvent, { kind: 'progress' }> => e.kind === 'progress',
    );
    expect(progress.every((p) => p.fraction > 0 && p.fraction <= 1)).toBe(true);
    expect(progress.at(-1)?.fraction).toBe(1);
    const states = rec.events.flatMap((e) =>
      e.kind === 'item' && e.item.id === added[0].id ? [e.item.state] : [],
    );
    expect(states).toEqual(['waiting', 'running', 'done']);
  });

  it('changes the settings of waiting items only, and refuses an unknown model whole', async () => {
    const { added } = await api.queueAdd({
      paths: [join(world.photos, 'a.png')],
      settings: { model: 'tiny-a' },
      outDir: join(world.dir, 'out-update'),
    });
    const done = (await api.queueList({})).items.find((i) => i.state === 'done')!;
    const ids = [added[0].id, done.id];
    await expect(api.queueUpdate({ ids, settings: { scale: 2, format: 'jpeg' } })).resolves.toEqual(
      { updated: 1 },
    );
    const after = (await api.queueList({})).items;
    expect(after.find((i) => i.id === added[0].id)?.settings).toMatchObject({
      model: 'tiny-a',
      scale: 2,
      format: 'jpeg',
      device: 'auto',
    });
    expect(after.find((i) => i.id === done.id)?.settings.scale).toBeUndefined();
    await expect(api.queueUpdate({ ids, settings: { model: 'nope' } })).rejects.toThrow(/nope/);
    expect((await api.queueList({})).items.find((i) => i.id === added[0].id)?.settings.model).toBe(
      'tiny-a',
    );
    // null resets a key: back to the model's own scale.
    await api.queueUpdate({ ids, settings: { scale: null } });
    expect(
      (await api.queueList({})).items.find((i) => i.id === added[0].id)?.settings.scale,
    ).toBeUndefined();
    await api.queueControl({ action: 'remove', id: added[0].id });
  });
});

describe('list events', () => {
  it('reports moved and removed items as their own events, and the planned output on each item', async () => {
    const rec = recordEvents(engine);
    const { added } = await api.queueAdd({
      paths: [join(world.photos, 'a.png'), join(world.photos, 'b.png')],
      settings: { model: 'tiny-a', scale: 1.5 },
      outDir: join(world.dir, 'out-events'),
    });
    expect(added.map((i) => [i.plan?.fileName, i.plan?.width, i.plan?.height])).toEqual([
      ['a_x1.5.png', 24, 18],
      ['b_x1.5.png', 18, 15],
    ]);
    const last = (await api.queueList({})).items.length - 1;
    await api.queueControl({ action: 'move', id: added[0].id, index: last });
    await api.queueControl({ action: 'remove', id: added[1].id });
    await api.queueControl({ action: 'remove', id: added[0].id });
    expect(rec.events.filter((e) => e.kind === 'moved' || e.kind === 'removed')).toEqual([
      { kind: 'moved', id: added[0].id, index: last },
      { kind: 'removed', ids: [added[1].id] },
      { kind: 'removed', ids: [added[0].id] },
    ]);
  });
});

describe('previews', () => {
  const region = { x: 3, y: 2, w: 9, h: 7 };
  const view = { x: 12, y: 8, w: 36, h: 28 };

  it('renders the exact network blend at α for a region, equal to the engine viewport render', async () => {
    const item = (await api.queueList({})).items[0];
    const src = (await decodeImage(item.input)).rgb;
    const r = await api.preview({ id: item.id, region, alpha: 0.35 });
    expect(r).toMatchObject({ region, scale: 4, alpha: 0.35 });
    expect(r.fidelity).toBeUndefined();
    const got = await tokenPixels(r.exact!);
    expect([got.width, got.height]).toEqual([36, 28]);
    const want = await renderViewport(pair, src, view, 0.35);
    expect(got.data.equals(Buffer.from(want.data))).toBe(true);
  });

  it('returns both ends for the instant blend, and clamps a region to the image', async () => {
    const item = (await api.queueList({})).items[0];
    const src = (await decodeImage(item.input)).rgb;
    const r = await api.preview({ id: item.id, region, ends: true });
    expect(r.exact).toBeUndefined();
    for (const [token, alpha] of [
      [r.fidelity, 0],
      [r.perceptual, 1],
    ] as const) {
      const want = await renderViewport(pair, src, view, alpha);
      expect((await tokenPixels(token!)).data.equals(Buffer.from(want.data))).toBe(true);
    }
    const edge = await api.preview({ id: item.id, region: { x: 10, y: 8, w: 100, h: 100 } });
    expect(edge.region).toEqual({ x: 10, y: 8, w: 6, h: 4 });
    expect(edge.alpha).toBe(0.3); // the item's own α when none is asked
    await expect(api.preview({ id: item.id, region: { x: 16, y: 0, w: 4, h: 4 } })).rejects.toThrow(
      /outside the 16×12 image/,
    );
  });

  it('gives single models an exact render whatever α or ends say', async () => {
    const { added } = await api.queueAdd({
      paths: [join(world.photos, 'b.png')],
      settings: { model: 'tiny-a' },
      outDir: join(world.dir, 'out-single'),
    });
    const r = await api.preview({ id: added[0].id, region, alpha: 0.5, ends: true });
    expect(r.alpha).toBeUndefined();
    expect(r.fidelity).toBeUndefined();
    const single = await loadModel(world.registry, 'tiny-a', { device: 'cpu' });
    try {
      const src = (await decodeImage(added[0].input)).rgb;
      const want = await renderViewport(single, src, view);
      expect((await tokenPixels(r.exact!)).data.equals(Buffer.from(want.data))).toBe(true);
    } finally {
      await single.dispose();
      await api.queueControl({ action: 'remove', id: added[0].id });
    }
  });
});

describe('item images', () => {
  it('serves only files of queue items, full or downsampled, until the item goes', async () => {
    const [item] = (await api.queueList({})).items;
    const input = await api.itemImage({ id: item.id, which: 'input' });
    expect(input).toMatchObject({ width: 16, height: 12 });
    expect(engine.images.open(input.token)).toEqual({
      kind: 'file',
      path: item.input,
      type: 'image/png',
    });
    // The same file and size gives the same token.
    expect((await api.itemImage({ id: item.id, which: 'input' })).token).toBe(input.token);
    const thumb = await api.itemImage({ id: item.id, which: 'output', maxSide: 16 });
    expect(thumb).toMatchObject({ width: 16, height: 12 });
    expect((await tokenPixels(thumb.token)).width).toBe(16);
    await expect(api.itemImage({ id: 'nope', which: 'input' })).rejects.toThrow(
      /no queue item nope/,
    );
    const { added } = await api.queueAdd({
      paths: [join(world.photos, 'b.png')],
      settings: { model: 'tiny-a' },
      outDir: join(world.dir, 'out-images'),
    });
    await expect(api.itemImage({ id: added[0].id, which: 'output' })).rejects.toThrow(
      /no output yet/,
    );
    const b = await api.itemImage({ id: added[0].id, which: 'input' });
    await api.queueControl({ action: 'remove', id: added[0].id });
    expect(engine.images.open(b.token)).toBeUndefined();
  });
});

describe('settings', () => {
  it('persist, validate at the boundary, fill new items, and reset with null', async () => {
    const out = join(world.dir, 'chosen-out');
    const saved = await api.settingsSet({ outDir: out, tile: 64, keepMetadata: 'none' });
    expect(saved).toMatchObject({
      outDir: out,
      tile: 64,
      keepMetadata: 'none',
      onExists: 'suffix',
    });
    // A partial change leaves the rest alone.
    await api.settingsSet({ onExists: 'overwrite' });
    expect(await api.settingsGet({})).toMatchObject({ tile: 64, onExists: 'overwrite' });
    const onDisk = JSON.parse(readFileSync(join(world.userData, 'settings.json'), 'utf8'));
    expect(onDisk).toMatchObject({ outDir: out, tile: 64, onExists: 'overwrite' });

    const { added } = await api.queueAdd({
      paths: [join(world.photos, 'b.png')],
      settings: { model: 'tiny-a' },
    });
    expect(added[0].placement).toMatchObject({ outDir: out, onExists: 'overwrite' });
    expect(added[0].settings).toMatchObject({ tile: 64, keepMetadata: 'none' });
    await api.queueControl({ action: 'remove', id: added[0].id });

    await expect(dispatchApi(api, 'settingsSet', { tile: 8 })).rejects.toMatchObject({
      code: 'request.invalid',
    });
    await expect(dispatchApi(api, 'settingsSet', { theme: 'x' })).rejects.toThrow(
      /^settingsSet: invalid request: \(root\): Unrecognized key: "theme"/,
    );
    const reset = (await dispatchApi(api, 'settingsSet', { tile: null, outDir: null })) as object;
    expect(reset).not.toHaveProperty('tile');
    expect(reset).toMatchObject({ outDir: '' });
  });

  it('sets an unreadable settings file aside and starts from the defaults', async () => {
    const other = await engineWorld('upres-app-settings-');
    try {
      mkdirSync(other.userData, { recursive: true });
      writeFileSync(join(other.userData, 'settings.json'), '{"tile": "big"');
      const e = await other.open();
      expect(e.settingsGet()).toMatchObject({ outDir: '', onExists: 'suffix' });
      expect(e.warnings.join(' ')).toMatch(/unreadable; kept as/);
      const aside = (await readdir(other.userData)).find((f) => f.includes('.corrupt-'));
      expect(aside).toBeDefined();
      // Sent before any window listened: every window's first list carries it, with its key.
      expect(e.queueList().warnings).toEqual([
        {
          key: 'batch.settingsUnreadable',
          params: {
            file: join(other.userData, 'settings.json'),
            copy: join(other.userData, aside!),
          },
          text: `settings ${join(other.userData, 'settings.json')} were unreadable; kept as ${join(other.userData, aside!)}, using the defaults`,
        },
      ]);
      await e.close();
    } finally {
      await other.cleanup();
    }
  });
});

describe('restart', () => {
  it('pauses and journals on close; a new engine restores exactly the unfinished items', async () => {
    const { added } = await api.queueAdd({
      paths: [join(world.photos, 'b.png')],
      settings: { model: 'tiny-a' },
      outDir: join(world.dir, 'out-restart'),
    });
    const before = (await api.queueList({})).items;
    expect(before.some((i) => i.state === 'done')).toBe(true);
    await engine.close();
    engine = await world.open();
    api = createEngineHandlers(engine);
    const after = await api.queueList({});
    expect(after.paused).toBe(true);
    expect(after.items.map((i) => [i.id, i.state])).toEqual([[added[0].id, 'waiting']]);
  });
});
