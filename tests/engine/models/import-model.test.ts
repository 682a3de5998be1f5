// `upres models import / remove` and the engine operations behind them: models land in the user's
// folder with their provenance, duplicates and hostile files are refused and leave nothing behind.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { textOf } from '../../../src/shared/engine-message';
import { UpresError } from '../../../src/shared/errors';
import { ModelRegistry, shippedModelsDir } from '../../../src/main/engine/models/model-registry';
import {
  idFromFileName,
  importModel,
  removeModel,
} from '../../../src/main/engine/models/import-model';
import { writePair } from '../../../src/main/engine/models/write-pair';
import { createEngineHandlers } from '../../../src/main/engine/service/api-handlers';
import { AppEngine } from '../../../src/main/engine/service/app-engine';
import { runCli } from '../../helpers/run-cli';

const ARCH = join(import.meta.dirname, '..', '..', 'fixtures', 'arch');
const PTH = join(import.meta.dirname, '..', '..', 'fixtures', 'pth');
const MARKER = '/tmp/upres-pwned-5d1c9e27';

let user: string;
let registry: ModelRegistry;

beforeEach(async () => {
  user = mkdtempSync(join(tmpdir(), 'upres-import-'));
  registry = await ModelRegistry.open({ shipped: shippedModelsDir(), user });
});
afterEach(() => rmSync(user, { recursive: true, force: true }));

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('models import', () => {
  it('converts a checkpoint into the user folder with its provenance', async () => {
    const file = join(ARCH, 'esrgan-old-x4.pth');
    const r = await importModel(registry, file);
    expect(r.manifest.id).toBe('esrgan-old-x4');
    expect(r.layout).toMatch(/ESRGAN 2018/);
    expect(r.manifest.provenance.sourceFiles).toEqual([
      { path: 'esrgan-old-x4.pth', sha256: sha(file) },
    ]);
    expect(r.manifest.weights.dtype).toBe('float32');
    expect(readdirSync(user).sort()).toEqual(['esrgan-old-x4.json', 'esrgan-old-x4.safetensors']);
    const weights = readFileSync(join(user, 'esrgan-old-x4.safetensors'));
    expect(createHash('sha256').update(weights).digest('hex')).toBe(r.manifest.weights.sha256);
    await registry.refresh();
    const info = registry.info().find((m) => m.id === 'esrgan-old-x4');
    expect(info).toMatchObject({ origin: 'user', architecture: 'rrdbnet', scale: 4 });
  });

  it('keeps half precision when every weight was stored in it', async () => {
    const r = await importModel(registry, join(ARCH, 'esrgan-old-x4-fp16.pth'));
    expect(r.manifest.weights.dtype).toBe('float16');
  });

  it('refuses the same file twice and the same weights in another format', async () => {
    await importModel(registry, join(ARCH, 'realesrgan-x4.pth'));
    await registry.refresh();
    const before = readdirSync(user).sort();
    await expect(
      importModel(registry, join(ARCH, 'realesrgan-x4.pth'), { id: 'again' }),
    ).rejects.toThrow('realesrgan-x4.pth: already imported as realesrgan-x4 (realesrgan-x4.pth)');
    await expect(
      importModel(registry, join(ARCH, 'realesrgan-x4-safetensors.safetensors')),
    ).rejects.toThrow(
      'realesrgan-x4-safetensors.safetensors: same weights as realesrgan-x4 (user); not imported again',
    );
    expect(readdirSync(user).sort()).toEqual(before);
  });

  it('refuses an id that is taken', async () => {
    await expect(
      importModel(registry, join(ARCH, 'srvgg-x4.pth'), { id: 'realesrgan-x4plus' }),
    ).rejects.toThrow('srvgg-x4.pth: a model or pair called "realesrgan-x4plus" already exists');
    expect(readdirSync(user)).toEqual([]);
  });

  it('refuses a hostile pickle without running it or writing anything', async () => {
    rmSync(MARKER, { force: true });
    await expect(importModel(registry, join(PTH, 'evil-os-system.pth'))).rejects.toThrow(
      /evil-os-system\.pth: .*os\.system|evil-os-system\.pth: .*posix\.system/,
    );
    expect(existsSync(MARKER)).toBe(false);
    expect(readdirSync(user)).toEqual([]);
  });

  it('refuses files that are not models, naming them', async () => {
    await expect(importModel(registry, join(PTH, 'tiny-zip.pth'))).rejects.toThrow(
      /tiny-zip\.pth: unknown architecture/,
    );
    await expect(importModel(registry, join(ARCH, 'cases.json'))).rejects.toThrow(
      /cases\.json: not a model file Upres reads/,
    );
    expect(readdirSync(user)).toEqual([]);
  });

  it('refuses a safetensors file whose header is JSON but not an object, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'upres-st-'));
    try {
      for (const [name, json] of [
        ['null-header', 'null'],
        ['number-header', '3'],
        ['array-header', '[{"dtype":"F32"}]'],
        ['string-header', '"x"'],
      ]) {
        const header = Buffer.from(json);
        const file = join(dir, `${name}.safetensors`);
        const bytes = Buffer.alloc(8 + header.length);
        bytes.writeBigUInt64LE(BigInt(header.length));
        header.copy(bytes, 8);
        writeFileSync(file, bytes);
        const err = await importModel(registry, file).catch((e: unknown) => e);
        expect(err, name).toBeInstanceOf(UpresError);
        expect((err as UpresError).code, name).toBe('model.refused');
        expect((err as UpresError).message, name).toBe(
          `${name}.safetensors: not a safetensors file: the header is not a JSON object`,
        );
      }
      expect(readdirSync(user)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('derives ids from file names', () => {
    expect(idFromFileName('/x/RRDB_ESRGAN_x4.pth')).toBe('rrdb_esrgan_x4');
    expect(idFromFileName('4x Foolhardy Remacri.pth')).toBe('4x-foolhardy-remacri');
  });
});

describe('models remove and pairs of imported models', () => {
  it('pairs two imported models of the same shape, and removes only what the user owns', async () => {
    await importModel(registry, join(ARCH, 'esrgan-old-x4.pth'), { id: 'a' });
    await importModel(registry, join(ARCH, 'esrgan-old-x4-fp16.pth'), { id: 'b' });
    await importModel(registry, join(ARCH, 'srvgg-x4.pth'), { id: 'c' });
    await registry.refresh();
    await expect(
      writePair(registry, user, { id: 'bad', fidelity: 'a', perceptual: 'c' }),
    ).rejects.toThrow(/different architectures/);
    await writePair(registry, user, { id: 'ab', fidelity: 'a', perceptual: 'b' });
    await registry.refresh();
    expect(registry.info().find((m) => m.id === 'ab')).toMatchObject({
      role: 'pair',
      origin: 'user',
    });

    await expect(removeModel(registry, 'a')).rejects.toThrow(
      'a is part of pair ab; remove the pair first',
    );
    await expect(removeModel(registry, 'realesrgan-x4plus')).rejects.toThrow(/ships with Upres/);
    await expect(removeModel(registry, 'photo-x4')).rejects.toThrow(/ships with Upres/);
    await removeModel(registry, 'ab');
    await registry.refresh();
    await removeModel(registry, 'a');
    await registry.refresh();
    expect(registry.ids()).not.toContain('a');
    expect(readdirSync(user).sort()).toEqual([
      'b.json',
      'b.safetensors',
      'c.json',
      'c.safetensors',
    ]);
  });
});

describe('upres models import / remove (CLI)', () => {
  it('imports, lists with origin and size, refuses a duplicate with exit code 2, removes', async () => {
    const env = { UPRES_USER_DIR: user };
    const file = join(ARCH, 'msrresnet-x3.pth');
    const imp = await runCli(['models', 'import', file, '--name', 'My SRResNet'], env);
    expect(imp.stderr).toMatch(
      /imported .*msrresnet-x3\.pth as msrresnet-x3: MSRResNet \(BasicSR layout\), srresnet ×3/,
    );
    expect(imp.code).toBe(0);
    const list = await runCli(['models', '--json'], env);
    const models = JSON.parse(list.stdout).models as {
      id: string;
      origin: string;
      name: string;
      sizeBytes: number;
      source: string;
    }[];
    const m = models.find((x) => x.id === 'msrresnet-x3');
    expect(m).toMatchObject({
      origin: 'user',
      name: 'My SRResNet',
      source: 'imported by the user from msrresnet-x3.pth',
    });
    expect(m!.sizeBytes).toBeGreaterThan(0);
    const again = await runCli(['models', 'import', file], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists; choose another id/);
    const rm = await runCli(['models', 'remove', 'msrresnet-x3'], env);
    expect(rm.code).toBe(0);
    expect(readdirSync(join(user, 'models'))).toEqual([]);
  });
});

describe('engine API', () => {
  it('imports, pairs and removes models for the UI, and the list follows', async () => {
    const engine = await AppEngine.open({
      userData: join(user, 'user-data'),
      registry,
      version: '0.0.0-test',
    });
    const api = createEngineHandlers(engine);
    const a = await api.importModel({ path: join(ARCH, 'edsr-x2.pth'), id: 'e1' });
    expect(a.model).toMatchObject({ id: 'e1', architecture: 'edsr', scale: 2, origin: 'user' });
    expect(a.notes.map(textOf).join(' ')).toMatch(/residual scaling 1 assumed/);
    await api.importModel({ path: join(ARCH, 'edsr-rs01-x2.pth'), id: 'e2', resScale: 0.1 });
    await expect(api.pairModels({ id: 'e12', fidelity: 'e1', perceptual: 'e2' })).rejects.toThrow(
      'cannot pair e1 with e2: same tensors but a different network (resScale: 1 vs 0.1)',
    );
    await api.removeModel({ id: 'e2' });
    await api.importModel({ path: join(ARCH, 'edsr-rs01-x2.pth'), id: 'e2', resScale: 1 });
    const pair = await api.pairModels({ id: 'e12', fidelity: 'e1', perceptual: 'e2' });
    expect(pair.pair).toEqual({ fidelity: 'e1', perceptual: 'e2', defaultAlpha: 0.8 });
    expect((await api.listModels({})).map((m) => m.id)).toEqual(
      expect.arrayContaining(['e1', 'e2', 'e12']),
    );
    await api.removeModel({ id: 'e12' });
    await api.removeModel({ id: 'e1' });
    expect((await api.listModels({})).map((m) => m.id)).not.toContain('e1');
    await engine.close();
  });
});
