// The presets file: round trips through the file, per-entry validation, a corrupt file set aside
// (never lost), names refused or replaced, and the checks against the installed models.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isError } from '../../../src/shared/errors';
import { PRESET_ITEM_KEYS, type PresetSettings } from '../../../src/shared/presets';
import { ItemSettings } from '../../../src/shared/queue';
import { applyPatch } from '../../../src/shared/patch';
import {
  checkPreset,
  presetFromItem,
  presetPatch,
} from '../../../src/main/engine/service/preset-check';
import { PresetStore, presetsPath } from '../../../src/main/engine/service/preset-store';
import { engineWorld, type EngineWorld } from '../../helpers/app-engine';

let dir: string;
let store: PresetStore;
let world: EngineWorld;

beforeAll(async () => {
  world = await engineWorld('upres-presets-models-');
});
afterAll(() => world?.cleanup());

beforeEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = await mkdtemp(join(tmpdir(), 'upres-presets-'));
  store = new PresetStore(presetsPath(dir));
});

const WEB: PresetSettings = {
  model: 'tiny-ab',
  alpha: 0.25,
  width: 800,
  format: 'webp',
  quality: 70,
  keepMetadata: 'none',
  nameTemplate: '{name}_web',
};

/** The error a promise rejects with. */
async function failure(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: Error) => err,
  );
}

describe('the preset store', () => {
  it('saves presets to <user data>/presets.json and reads them back from the file', async () => {
    await store.save('Web', WEB);
    await store.save('Print', {
      model: 'tiny-a',
      format: 'tiff',
      compression: 'lzw',
      bitDepth: 16,
    });
    const onDisk = JSON.parse(await readFile(join(dir, 'presets.json'), 'utf8'));
    expect(onDisk).toEqual({
      version: 1,
      presets: [
        { name: 'Web', settings: WEB },
        {
          name: 'Print',
          settings: { model: 'tiny-a', format: 'tiff', compression: 'lzw', bitDepth: 16 },
        },
      ],
    });
    // A second store (another process: the app, the CLI) reads the same file.
    const other = new PresetStore(presetsPath(dir));
    expect((await other.get('web')).settings).toEqual(WEB);
    expect((await other.list()).presets.map((p) => p.name)).toEqual(['Web', 'Print']);
  });

  it('refuses a name that exists unless asked to replace it, keeping its place', async () => {
    await store.save('Web', WEB);
    await store.save('Print', { model: 'tiny-a' });
    const err = await failure(store.save('WEB', { model: 'tiny-b' }));
    expect(isError(err, 'output.exists')).toBe(true);
    expect(err.message).toContain('"Web"');
    expect(err.message).toContain(store.path);
    await store.save('Web', { model: 'tiny-b' }, { replace: true });
    const { presets } = await store.list();
    expect(presets).toEqual([
      { name: 'Web', settings: { model: 'tiny-b' } },
      { name: 'Print', settings: { model: 'tiny-a' } },
    ]);
  });

  it('names the preset and the file when a name is unknown', async () => {
    await store.save('Web', WEB);
    const err = await failure(store.get('nope'));
    expect(isError(err, 'not-found')).toBe(true);
    expect(err.message).toBe(`no preset "nope" in ${store.path} (saved presets: Web)`);
    const gone = await failure(store.remove('nope'));
    expect(isError(gone, 'not-found')).toBe(true);
  });

  it('refuses invalid names and settings before writing anything', async () => {
    for (const [name, settings] of [
      ['', { model: 'tiny-a' }],
      ['a\nb', { model: 'tiny-a' }],
      ['ok', { model: 'tiny-a', quality: 0 }],
      ['ok', { model: 'tiny-a', device: 'cpu' }],
    ] as const) {
      const err = await failure(store.save(name, settings as PresetSettings));
      expect(isError(err, 'request.invalid'), `${JSON.stringify(name)}`).toBe(true);
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('reports an invalid entry by name, keeps it in the file and still reads the others', async () => {
    const bad = { name: 'Broken', settings: { model: 'tiny-a', format: 'gif' } };
    await writeFile(
      store.path,
      JSON.stringify({
        version: 1,
        presets: [bad, { name: 'Good', settings: { model: 'tiny-a' } }],
      }),
    );
    const listing = await store.list();
    expect(listing.presets.map((p) => p.name)).toEqual(['Good']);
    expect(listing.problems).toHaveLength(1);
    expect(listing.problems[0].message).toContain(`preset "Broken" in ${store.path} is invalid`);
    expect(listing.problems[0].message).toContain('settings.format');
    const err = await failure(store.get('broken'));
    expect(isError(err, 'request.invalid')).toBe(true);
    expect(err.message).toContain('"Broken"');
    // Saving another preset writes the broken entry back as it was: nothing the user wrote is lost.
    await store.save('New', { model: 'tiny-b' });
    const onDisk = JSON.parse(await readFile(store.path, 'utf8'));
    expect(onDisk.presets[0]).toEqual(bad);
    // And it can be removed by its name.
    await store.remove('Broken');
    expect((await store.list()).problems).toEqual([]);
  });

  it('sets a corrupt file aside, says where, and mentions it when a preset is missing', async () => {
    await writeFile(store.path, '{"version": 1, "presets": [');
    const listing = await store.list();
    expect(listing.presets).toEqual([]);
    const files = await readdir(dir);
    const aside = files.find((f) => f.startsWith('presets.json.corrupt-'));
    expect(aside).toBeDefined();
    expect(await readFile(join(dir, aside!), 'utf8')).toBe('{"version": 1, "presets": [');
    expect(listing.problems[0].message).toContain(join(dir, aside!));
    const err = await failure(store.get('Web'));
    expect(err.message).toContain(`no preset "Web" in ${store.path}`);
    expect(err.message).toContain(`set aside as ${join(dir, aside!)}`);
    // A new save starts a new file; the set-aside one stays.
    await store.save('Web', WEB);
    expect((await readdir(dir)).sort()).toEqual([aside, 'presets.json'].sort());
  });

  it('serialises concurrent saves of one process (none is lost)', async () => {
    await Promise.all(
      Array.from({ length: 8 }, (_, k) => store.save(`p${k}`, { model: 'tiny-a', quality: k + 1 })),
    );
    const { presets } = await store.list();
    expect(presets.map((p) => p.name).sort()).toEqual(
      Array.from({ length: 8 }, (_, k) => `p${k}`).sort(),
    );
  });
});

describe('presets against the installed models', () => {
  it('accepts a preset of installed models and names the preset and file otherwise', () => {
    const file = '/u/presets.json';
    expect(() => checkPreset(world.registry, { name: 'Web', settings: WEB }, file)).not.toThrow();
    const cases: [PresetSettings, string, string][] = [
      [{ model: 'gone-x4' }, 'model.unknown', 'model "gone-x4" is not installed'],
      [{ model: 'tiny-a,gone' }, 'model.unknown', 'model "gone" is not installed'],
      [{ model: 'tiny-a', alpha: 0.5 }, 'request.invalid', 'α applies to pairs'],
      [{ model: 'tiny-a', scale: 2, width: 10 }, 'request.invalid', 'both a scale'],
      [{ model: 'tiny-a', format: 'jpeg', bitDepth: 16 }, 'request.invalid', 'bit depth 16'],
      [{ model: 'tiny-a', format: 'png', compression: 'lzw' }, 'request.invalid', 'TIFF'],
      [{ model: 'tiny-a', nameTemplate: 'x/{name}' }, 'request.invalid', 'folders'],
    ];
    for (const [settings, code, words] of cases) {
      let caught: unknown;
      try {
        checkPreset(world.registry, { name: 'P', settings }, file);
      } catch (err) {
        caught = err;
      }
      expect(isError(caught, code as 'model.unknown'), JSON.stringify(settings)).toBe(true);
      expect((caught as Error).message).toContain(`preset "P" in ${file}: `);
      expect((caught as Error).message).toContain(words);
    }
    // Without a registry (farm submit) only the file's own consistency is checked.
    expect(() =>
      checkPreset(undefined, { name: 'P', settings: { model: 'gone' } }, file),
    ).not.toThrow();
  });

  it('applying a preset gives exactly its settings: keys it leaves out go back to defaults', () => {
    const item = ItemSettings.parse({
      model: 'tiny-a',
      scale: 3,
      format: 'jpeg',
      quality: 40,
      tta: true,
      tile: 64,
      device: 'cpu',
    });
    const next = ItemSettings.parse(applyPatch(item, presetPatch({ model: 'tiny-ab', width: 50 })));
    expect(next).toEqual(
      ItemSettings.parse({ model: 'tiny-ab', width: 50, tile: 64, device: 'cpu' }),
    );
    // Every key of a preset is one the patch sets (a new output setting cannot be forgotten here).
    expect(Object.keys(presetPatch({ model: 'x' })).sort()).toEqual([...PRESET_ITEM_KEYS].sort());
  });

  it('a preset made from an item holds its output settings and naming, not its machine settings', () => {
    const settings = ItemSettings.parse({ model: 'tiny-ab', alpha: 0.4, format: 'png', tile: 64 });
    const got = presetFromItem({
      settings,
      placement: { outDir: '/o', nameTemplate: '{name}_p', onExists: 'skip' },
    } as Parameters<typeof presetFromItem>[0]);
    expect(got).toEqual({
      model: 'tiny-ab',
      alpha: 0.4,
      format: 'png',
      keepMetadata: 'all',
      transparency: 'resize',
      tta: false,
      nameTemplate: '{name}_p',
      onExists: 'skip',
    });
  });
});
