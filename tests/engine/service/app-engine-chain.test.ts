// The app engine with a chain ("clean first with" a 1× model, then a pair): the item keeps its α
// (saved, given or dialled) because the chain holds a pair, a chain of single models has none, and
// both ends of the dial are the chain with the pair's α at 0 and 1. Oracle for the ends: the chain
// of the same cleanup with the pair's fidelity (perceptual) model alone, rendered exactly.
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../src/shared/api';
import { writeModel } from '../../../src/main/engine/models/write-model';
import type { AppEngine } from '../../../src/main/engine/service/app-engine';
import {
  createEngineHandlers,
  type EngineHandlers,
} from '../../../src/main/engine/service/api-handlers';
import { engineWorld, recordEvents, type EngineWorld } from '../../helpers/app-engine';
import { randomWeights, TINY_SRVGG } from '../../helpers/random-models';

const CLEAN = 'tiny-clean';
const CHAIN = `${CLEAN},tiny-ab`;
const CLEAN_X1 = { ...TINY_SRVGG, scale: 1 };

let world: EngineWorld;
let engine: AppEngine;
let api: EngineHandlers;

beforeAll(async () => {
  world = await engineWorld('upres-app-chain-');
  await writeModel(join(world.dir, 'shipped'), {
    id: CLEAN,
    name: 'Tiny clean',
    role: 'general',
    spec: CLEAN_X1,
    weights: randomWeights(CLEAN_X1, 9),
    provenance: { source: 'test', sourceFiles: [], licence: 'CC0-1.0', credit: 'tests' },
    dtype: 'float32',
  });
  await world.registry.refresh();
  engine = await world.open();
  api = createEngineHandlers(engine);
}, 60_000);

afterAll(async () => {
  await engine?.close();
  await world?.cleanup();
});

let copies = 0;

/** Queues a copy of a.png (the queue holds one item per input file) with a model. */
async function addOne(model: string, alpha?: number) {
  const input = join(world.dir, `in-${++copies}.png`);
  await copyFile(join(world.photos, 'a.png'), input);
  const { added, problems } = await api.queueAdd({
    paths: [input],
    settings: alpha === undefined ? { model } : { model, alpha },
  });
  expect(problems).toEqual([]);
  expect(added).toHaveLength(1);
  return added[0];
}

async function pixels(token: string): Promise<Buffer> {
  const source = engine.images.open(token);
  if (source?.kind !== 'bytes') throw new Error(`token ${token} holds no bytes`);
  return sharp(source.data).raw().toBuffer();
}

function maxDiff(a: Buffer, b: Buffer): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

const WHOLE = { x: 0, y: 0, w: 16, h: 12 };

describe('a chain holding a pair in the app engine', () => {
  it('keeps the saved α, a given α and a dialled α; a chain of single models has none', async () => {
    await api.settingsSet({ model: 'tiny-ab', alpha: 0.3 });
    const saved = await addOne(CHAIN);
    expect(saved.settings.model).toBe(CHAIN);
    expect(saved.settings.alpha).toBe(0.3);
    expect((await addOne(CHAIN, 0.65)).settings.alpha).toBe(0.65);
    // Negative control: the same saved α is not given to a chain without a pair.
    expect((await addOne(`${CLEAN},tiny-a`)).settings.alpha).toBeUndefined();
    // The dial writes α through queueUpdate; the chain keeps it.
    await api.queueUpdate({ ids: [saved.id], settings: { alpha: 0.9 } });
    const after = (await api.queueList({})).items.find((i) => i.id === saved.id)!;
    expect(after.settings).toMatchObject({ model: CHAIN, alpha: 0.9 });
    // The chain's scale is the product of its stages' (1 × 4).
    expect([after.plan?.width, after.plan?.height]).toEqual([64, 48]);
  });

  it('both ends of its dial are the chain at α 0 and 1, in one preview and piece by piece', async () => {
    const item = await addOne(CHAIN, 0.5);
    const fidelity = await addOne(`${CLEAN},tiny-a`);
    const perceptual = await addOne(`${CLEAN},tiny-b`);
    const exact = async (id: string) => pixels((await api.preview({ id, region: WHOLE })).exact!);
    const want = { fidelity: await exact(fidelity.id), perceptual: await exact(perceptual.id) };
    // The pair's two ends differ: an ends render that ignored α could not pass both checks.
    expect(maxDiff(want.fidelity, want.perceptual)).toBeGreaterThan(8);

    const both = await api.preview({ id: item.id, region: WHOLE, ends: true });
    expect(both.scale).toBe(4);
    expect(maxDiff(await pixels(both.fidelity!), want.fidelity)).toBeLessThanOrEqual(1);
    expect(maxDiff(await pixels(both.perceptual!), want.perceptual)).toBeLessThanOrEqual(1);

    const rec = recordEvents(engine);
    const job = await api.previewEnds({ id: item.id, region: WHOLE });
    expect(job.pieces).toEqual([WHOLE]);
    await rec.until((e) => e.kind === 'previewEnds' && e.request === job.request);
    const pieces = rec.events.filter(
      (e): e is Extract<EngineEvent, { kind: 'previewPiece' }> =>
        e.kind === 'previewPiece' && e.request === job.request,
    );
    expect(pieces.map((p) => p.end).sort()).toEqual(['fidelity', 'perceptual']);
    for (const p of pieces)
      expect(maxDiff(await pixels(p.token), want[p.end]), p.end).toBeLessThanOrEqual(1);
  }, 60_000);

  it('exports a chain’s photo again at another α; a chain of single models is refused', async () => {
    const item = await addOne(CHAIN, 0.5);
    const single = await addOne(`${CLEAN},tiny-a`);
    const rec = recordEvents(engine);
    await api.queueControl({ action: 'start' });
    await rec.until((e) => e.kind === 'queue' && !e.running && !e.paused);
    const done = (await api.queueList({})).items.find((i) => i.id === item.id)!;
    expect(done.state).toBe('done');
    const { item: again } = await api.queueReexport({ id: item.id, alpha: 0.2 });
    expect(again.settings).toMatchObject({ model: CHAIN, alpha: 0.2 });
    await expect(api.queueReexport({ id: single.id, alpha: 0.2 })).rejects.toThrow(/α applies/);
  }, 60_000);
});
