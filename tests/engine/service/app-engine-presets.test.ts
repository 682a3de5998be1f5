// Presets through the engine's API (what the inspector calls): save from a photo, apply to waiting
// photos (settings and naming, outputs planned again), refusals that name the preset and file.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isError } from '../../../src/shared/errors';
import {
  createEngineHandlers,
  type EngineHandlers,
} from '../../../src/main/engine/service/api-handlers';
import type { AppEngine } from '../../../src/main/engine/service/app-engine';
import { engineWorld, type EngineWorld } from '../../helpers/app-engine';

let world: EngineWorld;
let engine: AppEngine;
let api: EngineHandlers;

beforeAll(async () => {
  world = await engineWorld('upres-app-presets-');
  engine = await world.open();
  api = createEngineHandlers(engine);
});
afterAll(async () => {
  await engine?.close();
  await world?.cleanup();
});

async function failure(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: Error) => err,
  );
}

describe('presets through the API', () => {
  it('saves a photo’s settings and applies them, naming included, to the waiting photos', async () => {
    const { added } = await api.queueAdd({
      paths: [world.photos],
      settings: { model: 'tiny-ab', alpha: 0.2, scale: 2, format: 'webp', quality: 60 },
      nameTemplate: '{name}_w',
      onExists: 'skip',
    });
    const [a, b] = added;
    const saved = await api.presetSave({ name: 'Web', id: a.id });
    expect(saved.settings).toMatchObject({
      model: 'tiny-ab',
      alpha: 0.2,
      scale: 2,
      format: 'webp',
      quality: 60,
      nameTemplate: '{name}_w',
      onExists: 'skip',
    });
    expect((await api.presetList({})).presets.map((p) => p.name)).toEqual(['Web']);
    expect(engine.presets.path).toBe(join(world.userData, 'presets.json'));

    await engine.presets.save('Big', { model: 'tiny-a', width: 40, nameTemplate: '{name}_big' });
    const { updated } = await api.presetApply({ name: 'big', ids: [a.id, b.id] });
    expect(updated).toBe(2);
    const items = (await api.queueList({})).items;
    const after = items.find((i) => i.id === a.id)!;
    // Exactly the preset: its model, size and name; α, format and quality back to defaults.
    expect(after.settings).toMatchObject({ model: 'tiny-a', width: 40, keepMetadata: 'all' });
    for (const k of ['alpha', 'scale', 'format', 'quality'] as const)
      expect(after.settings[k], k).toBeUndefined();
    expect(after.placement).toMatchObject({ nameTemplate: '{name}_big', onExists: 'suffix' });
    expect(after.plan).toMatchObject({ fileName: 'a_big.png', width: 40, height: 30 });
    expect(items.find((i) => i.id === b.id)!.plan?.fileName).toBe('b_big.png');
  });

  it('refuses an unknown preset and one naming a missing model, changing nothing', async () => {
    const ids = (await api.queueList({})).items.map((i) => i.id);
    const unknown = await failure(api.presetApply({ name: 'nope', ids }));
    expect(isError(unknown, 'not-found')).toBe(true);
    expect(unknown.message).toContain(`no preset "nope" in ${engine.presets.path}`);
    await engine.presets.save('Ghost', { model: 'gone' });
    const ghost = await failure(api.presetApply({ name: 'Ghost', ids }));
    expect(isError(ghost, 'model.unknown')).toBe(true);
    expect(ghost.message).toBe(
      `preset "Ghost" in ${engine.presets.path}: model "gone" is not installed (see \`upres models\`)`,
    );
    expect((await api.queueList({})).items.every((i) => i.settings.model === 'tiny-a')).toBe(true);
    const taken = await failure(api.presetSave({ name: 'web', id: ids[0] }));
    expect(isError(taken, 'output.exists')).toBe(true);
    await api.presetSave({ name: 'web', id: ids[0], replace: true });
    expect((await engine.presets.get('Web')).settings.model).toBe('tiny-a');
    expect(await api.presetRemove({ name: 'web' })).toEqual({ removed: 'web' });
    expect((await api.presetList({})).presets.map((p) => p.name)).toEqual(['Big', 'Ghost']);
  });
});

describe('a model a preset names', () => {
  it('is not removed while the preset uses it; the refusal names the preset', async () => {
    // tiny-ab is the user's pair: removable, unless something still needs it.
    await api.queueControl({ action: 'clearFinished' });
    for (const item of engine.queueList().items)
      await api.queueControl({ action: 'remove', id: item.id });
    await engine.presets.save('Dial', { model: 'tiny-ab', alpha: 0.4 });
    const err = await failure(api.removeModel({ id: 'tiny-ab' }));
    expect(isError(err, 'request.invalid')).toBe(true);
    expect(err.message).toBe(
      'tiny-ab cannot be removed: the preset “Dial” uses it; change or delete that preset first',
    );
    expect(engine.registry.ids()).toContain('tiny-ab');
  });
});
