// `upres presets` and `--preset`: saved in the user data folder (the file the app reads too),
// applied with explicit options winning, and refused with the preset and the file named.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../src/main/engine/models/model-registry';
import { writeModel } from '../../src/main/engine/models/write-model';
import { writePair } from '../../src/main/engine/models/write-pair';
import { randomPng } from '../helpers/app-engine';
import { TINY_SRVGG, randomWeights } from '../helpers/random-models';
import { runCli } from '../helpers/run-cli';

let env: NodeJS.ProcessEnv;
let dir: string;
let input: string;
let presetsFile: string;
const provenance = { source: 'test', sourceFiles: [], licence: 'CC0-1.0', credit: 'tests' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-cli-presets-'));
  const shipped = join(dir, 'shipped');
  for (const [id, seed] of [
    ['tiny-a', 1],
    ['tiny-b', 2],
  ] as const)
    await writeModel(shipped, {
      id,
      name: id,
      role: 'general',
      spec: TINY_SRVGG,
      weights: randomWeights(TINY_SRVGG, seed),
      provenance,
      dtype: 'float32',
    });
  const user = join(dir, 'user');
  const registry = await ModelRegistry.open({ shipped, user: join(user, 'models') });
  await writePair(registry, join(user, 'models'), {
    id: 'tiny-ab',
    fidelity: 'tiny-a',
    perceptual: 'tiny-b',
  });
  env = { UPRES_MODELS_DIR: shipped, UPRES_USER_DIR: user };
  presetsFile = join(user, 'presets.json');
  input = join(dir, 'in.png');
  await randomPng(input, 12, 10, 5);
});

/** Decoded RGB pixels of a file. */
const pixels = (path: string) => sharp(path).removeAlpha().raw().toBuffer();

const WEB = [
  '--model',
  'tiny-ab',
  '--alpha',
  '0.3',
  '--scale',
  '2',
  '--format',
  'jpeg',
  '--quality',
  '80',
  '--name',
  '{name}_web',
];

describe('upres presets', () => {
  it('saves a preset in the user data folder, lists it, and refuses the same name twice', async () => {
    const saved = await runCli(['presets', 'save', 'web', ...WEB], env);
    expect(saved.code, saved.stderr).toBe(0);
    const onDisk = JSON.parse(await readFile(presetsFile, 'utf8'));
    expect(onDisk.presets).toEqual([
      {
        name: 'web',
        settings: {
          model: 'tiny-ab',
          alpha: 0.3,
          scale: 2,
          format: 'jpeg',
          quality: 80,
          keepPrintSize: false,
          keepMetadata: 'all',
          transparency: 'resize',
          tta: false,
          nameTemplate: '{name}_web',
          onExists: 'suffix',
        },
      },
    ]);
    const listed = await runCli(['presets', '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    const listing = JSON.parse(listed.stdout);
    expect(listing.path).toBe(presetsFile);
    expect(listing.presets).toEqual(onDisk.presets);
    expect(listing.problems).toEqual([]);
    const again = await runCli(['presets', 'save', 'Web', '--model', 'tiny-a'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`a preset "web" already exists in ${presetsFile}`);
  });

  it('--preset writes what the same options given by hand write; explicit options win', async () => {
    const byHand = await runCli(['upscale', input, '-o', join(dir, 'hand'), ...WEB, '--json'], env);
    expect(byHand.code, byHand.stderr).toBe(0);
    const viaPreset = await runCli(
      ['upscale', input, '-o', join(dir, 'preset'), '--preset', 'web', '--json'],
      env,
    );
    expect(viaPreset.code, viaPreset.stderr).toBe(0);
    const a = JSON.parse(byHand.stdout).items[0];
    const b = JSON.parse(viaPreset.stdout).items[0];
    expect(b.output).toBe(join(dir, 'preset', 'in_web.jpg'));
    const size = await sharp(b.output).metadata();
    expect([size.format, size.width, size.height]).toEqual(['jpeg', 24, 20]);
    expect((await pixels(b.output)).equals(await pixels(a.output))).toBe(true);
    // The command line beats the preset: another format and size, the preset's model, α and name.
    const over = await runCli(
      ['upscale', input, '-o', join(dir, 'over'), '--preset', 'web', '-f', 'png', '-W', '36'],
      env,
    );
    expect(over.code, over.stderr).toBe(0);
    expect(await readdir(join(dir, 'over'))).toEqual(['in_web.png']);
    const meta = await sharp(join(dir, 'over', 'in_web.png')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 36, 30]);
    expect(over.stderr).toContain('tiny-ab at α 0.3');
  });

  it('refuses an unknown preset, and one whose model is not installed, naming it and the file', async () => {
    const unknown = await runCli(['upscale', input, '-o', join(dir, 'x'), '--preset', 'nope'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`no preset "nope" in ${presetsFile} (saved presets: web)`);
    const doc = JSON.parse(await readFile(presetsFile, 'utf8'));
    doc.presets.push({ name: 'ghost', settings: { model: 'gone-x4' } });
    await writeFile(presetsFile, JSON.stringify(doc));
    const ghost = await runCli(['upscale', input, '-o', join(dir, 'x'), '--preset', 'ghost'], env);
    expect(ghost.code).toBe(2);
    expect(ghost.stderr).toContain(
      `preset "ghost" in ${presetsFile}: model "gone-x4" is not installed`,
    );
    expect(existsSync(join(dir, 'x'))).toBe(false);
    const removed = await runCli(['presets', 'remove', 'ghost'], env);
    expect(removed.code, removed.stderr).toBe(0);
    const gone = await runCli(['presets', 'remove', 'ghost'], env);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain(`no preset "ghost" in ${presetsFile}`);
  });

  it('sets a corrupt presets file aside (kept) and says so; --preset then fails naming it', async () => {
    await writeFile(presetsFile, 'not json');
    const listed = await runCli(['presets'], env);
    expect(listed.code).toBe(1);
    const aside = (await readdir(join(dir, 'user'))).find((f) =>
      f.startsWith('presets.json.corrupt-'),
    );
    expect(aside).toBeDefined();
    expect(await readFile(join(dir, 'user', aside!), 'utf8')).toBe('not json');
    expect(listed.stderr).toContain(`kept as ${join(dir, 'user', aside!)}`);
    const use = await runCli(['upscale', input, '-o', join(dir, 'y'), '--preset', 'web'], env);
    expect(use.code).toBe(2);
    expect(use.stderr).toContain(`no preset "web" in ${presetsFile}`);
    expect(use.stderr).toContain(`set aside as ${join(dir, 'user', aside!)}`);
  });
});
