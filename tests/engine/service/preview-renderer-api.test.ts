// The piece-by-piece ends through the API contract: the response and every event pass their schema.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineEvent } from '../../../src/shared/api';
import { dispatchApi } from '../../../src/main/engine/service/api-dispatch';
import {
  createEngineHandlers,
  type EngineHandlers,
} from '../../../src/main/engine/service/api-handlers';
import type { AppEngine } from '../../../src/main/engine/service/app-engine';
import { engineWorld, recordEvents, type EngineWorld } from '../../helpers/app-engine';

let world: EngineWorld;
let engine: AppEngine;
let api: EngineHandlers;

beforeAll(async () => {
  world = await engineWorld('upres-preview-ends-');
  engine = await world.open();
  api = createEngineHandlers(engine);
});
afterAll(async () => {
  await engine?.close();
  await world?.cleanup();
});

describe('previewEnds through the API', () => {
  it('answers with the plan, sends every piece of both ends as events, then the end', async () => {
    const { added } = await api.queueAdd({
      paths: [join(world.photos, 'a.png')],
      settings: { model: 'tiny-ab' },
      outDir: join(world.dir, 'out-ends'),
    });
    const rec = recordEvents(engine);
    const r = (await dispatchApi(api, 'previewEnds', {
      id: added[0].id,
      region: { x: 0, y: 0, w: 16, h: 12 },
      piece: 16,
    })) as Awaited<ReturnType<EngineHandlers['previewEnds']>>;
    expect(r.scale).toBe(4);
    expect(r.region).toEqual({ x: 0, y: 0, w: 16, h: 12 });
    const end = await rec.until((e) => e.kind === 'previewEnds' && e.request === r.request);
    expect(end).toMatchObject({ state: 'done', id: added[0].id });
    const pieces = rec.events.filter((e) => e.kind === 'previewPiece' && e.request === r.request);
    expect(pieces.length).toBe(2 * r.pieces.length);
    for (const e of pieces) {
      EngineEvent.parse(e);
      if (e.kind === 'previewPiece') expect(engine.images.open(e.token)?.kind).toBe('bytes');
    }

    // A second request for the item supersedes the first before its next piece.
    const a = await api.previewEnds({
      id: added[0].id,
      region: { x: 0, y: 0, w: 16, h: 12 },
      piece: 16,
    });
    const b = await api.previewEnds({
      id: added[0].id,
      region: { x: 2, y: 0, w: 14, h: 12 },
      piece: 16,
    });
    const endA = await rec.until((e) => e.kind === 'previewEnds' && e.request === a.request);
    const endB = await rec.until((e) => e.kind === 'previewEnds' && e.request === b.request);
    expect([endA, endB].map((e) => e.kind === 'previewEnds' && e.state)).toEqual([
      'cancelled',
      'done',
    ]);
    await api.queueControl({ action: 'remove', id: added[0].id });
  });

  it('refuses a single model', async () => {
    const { added } = await api.queueAdd({
      paths: [join(world.photos, 'b.png')],
      settings: { model: 'tiny-a' },
      outDir: join(world.dir, 'out-single'),
    });
    await expect(
      api.previewEnds({ id: added[0].id, region: { x: 0, y: 0, w: 4, h: 4 } }),
    ).rejects.toMatchObject({ code: 'request.invalid' });
    expect((await api.previewCancel({})).ok).toBe(true);
  });
});
