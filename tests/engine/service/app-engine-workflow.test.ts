// The engine API of the dial workflow: re-export at another α (its own row, started without
// Start, a second file), *Clear finished* answering what it removed and `queueRestore` putting it
// back, adding that refuses non-images and duplicates at once, and the default folder followed.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppEngine } from '../../../src/main/engine/service/app-engine';
import { engineWorld, recordEvents, type EngineWorld } from '../../helpers/app-engine';

let world: EngineWorld;
let engine: AppEngine;

beforeEach(async () => {
  world = await engineWorld('upres-engine-flow-');
  engine = await world.open();
});
afterEach(async () => {
  await engine.close();
  await world.cleanup();
});

describe('the dial workflow through the engine API', () => {
  it('re-exports at another α as its own row that starts by itself and writes a second file', async () => {
    const rec = recordEvents(engine);
    const outDir = join(world.dir, 'out');
    const { added } = await engine.queueAdd({
      paths: [join(world.photos, 'a.png')],
      settings: { model: 'tiny-ab', alpha: 0.8 },
      outDir,
    });
    await engine.queueControl({ action: 'start' });
    await rec.until(
      (e) => e.kind === 'item' && e.item.id === added[0].id && e.item.state === 'done',
    );
    const first = engine.queueList().items[0];
    const { item } = await engine.queueReexport({ id: first.id, alpha: 0.2 });
    expect(item).toMatchObject({ reexportOf: first.id, settings: { alpha: 0.2 }, autoStart: true });
    expect(item.estimatedSeconds).toBe(first.seconds);
    expect(item.plan!.path).not.toBe(first.output);
    const done = await rec.until(
      (e) => e.kind === 'item' && e.item.id === item.id && e.item.state === 'done',
    );
    const output = (done as { item: { output: string } }).item.output;
    expect(output).toBe(join(outDir, 'a_x4_a0.2.png'));
    expect(existsSync(first.output!)).toBe(true);
    const [m1, m2] = await Promise.all(
      [first.output!, output].map((p) => sharp(p).raw().toBuffer()),
    );
    // Another α renders other pixels.
    expect(m1.equals(m2)).toBe(false);
    // A single model has no α to change.
    const [single] = (
      await engine.queueAdd({
        paths: [join(world.photos, 'b.png')],
        settings: { model: 'tiny-a' },
        outDir,
      })
    ).added;
    await expect(engine.queueReexport({ id: single.id, alpha: 0.5 })).rejects.toMatchObject({
      code: 'request.invalid',
    });
  });

  it('clear finished answers what it removed; queueRestore puts exactly that back', async () => {
    const rec = recordEvents(engine);
    const { added } = await engine.queueAdd({
      paths: [world.photos],
      settings: { model: 'tiny-a' },
      outDir: join(world.dir, 'out'),
    });
    await engine.queueControl({ action: 'cancel', id: added[1].id });
    await engine.queueControl({ action: 'start' });
    await rec.until(
      (e) => e.kind === 'queue' && !e.running && engine.queueList().items[0].state === 'done',
    );
    const { removed } = await engine.queueControl({ action: 'clearFinished' });
    expect(removed!.map((i) => i.id).sort()).toEqual(added.map((i) => i.id).sort());
    expect(engine.queueList().items).toEqual([]);
    const { restored } = await engine.queueRestore({ ids: [added[1].id, 'made-up'] });
    expect(restored.map((i) => [i.id, i.state])).toEqual([[added[1].id, 'cancelled']]);
    await engine.queueControl({ action: 'retryAll' });
    expect(engine.queueList().items.map((i) => i.state)).toEqual(['waiting']);
  });

  it('refuses a non-image and a duplicate when added, each with one message', async () => {
    const readme = join(world.dir, 'README.md');
    await writeFile(readme, '# not a photo');
    const a = join(world.photos, 'a.png');
    const first = await engine.queueAdd({ paths: [a], settings: { model: 'tiny-a' } });
    expect(first.added).toHaveLength(1);
    const r = await engine.queueAdd({ paths: [readme, a], settings: { model: 'tiny-a' } });
    expect(r.added).toEqual([]);
    const byPath = new Map(r.problems.map((p) => [p.path, p.error]));
    expect(byPath.get(readme)).toMatch(/^.*README\.md: not a readable image/);
    expect(byPath.get(a)).toMatch(/already in the queue/);
    for (const [path, error] of byPath) expect(error.split(path)).toHaveLength(2);
  });

  it('moves waiting items to a changed default folder unless their folder was their own', async () => {
    const own = join(world.dir, 'own');
    const [follows] = (
      await engine.queueAdd({ paths: [join(world.photos, 'a.png')], settings: { model: 'tiny-a' } })
    ).added;
    const [kept] = (
      await engine.queueAdd({
        paths: [join(world.photos, 'b.png')],
        settings: { model: 'tiny-a' },
        outDir: own,
      })
    ).added;
    const next = join(world.dir, 'new-default');
    await engine.settingsSet({ outDir: next });
    const items = new Map(engine.queueList().items.map((i) => [i.id, i]));
    expect(items.get(follows.id)!.plan!.path).toBe(join(next, 'a_x4.png'));
    expect(items.get(kept.id)!.plan!.path).toBe(join(own, 'b_x4.png'));
  });
});
