// The app's model calls (the Models screen), through the API boundary as a transport calls them:
// imports get a free id from the file name, the CLI's refusals come back typed and naming the file
// (same file, same weights, a hostile pickle), only compatible models are offered for a pair, and
// removals refuse shipped models and the ends of a pair.
import { existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiMethod } from '../../../src/shared/api';
import type { ArchitectureSpec } from '../../../src/shared/architecture';
import { UpresError } from '../../../src/shared/errors';
import { ModelRegistry } from '../../../src/main/engine/models/model-registry';
import { encodeModel, writeModel } from '../../../src/main/engine/models/write-model';
import { dispatchApi, type ApiHandlers } from '../../../src/main/engine/service/api-dispatch';
import { createModelHandlers, freeModelId } from '../../../src/main/engine/service/model-handlers';
import { randomWeights, TINY_RRDB, TINY_SRVGG } from '../../helpers/random-models';

const PTH = join(import.meta.dirname, '..', '..', 'fixtures', 'pth');
const MARKER = '/tmp/upres-pwned-5d1c9e27';
const provenance = { source: 'test', sourceFiles: [], licence: 'CC0-1.0', credit: 'tests' };

let dir: string;
let user: string;
let downloads: string;
let registry: ModelRegistry;
let call: (method: ApiMethod, req: unknown) => Promise<unknown>;
/** Models the fake queue says are in use. */
const busy = new Set<string>();

/** A downloaded-looking checkpoint: random weights of `spec` as a .safetensors file. */
async function download(
  name: string,
  spec: ArchitectureSpec = TINY_SRVGG,
  seed = 3,
): Promise<string> {
  const { bytes } = encodeModel({
    id: 'x',
    name: 'x',
    role: 'general',
    spec,
    weights: randomWeights(spec, seed),
    provenance,
    dtype: 'float32',
  });
  const path = join(downloads, name);
  await writeFile(path, bytes);
  return path;
}

const refusal = async (p: Promise<unknown>): Promise<UpresError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpresError);
  return err as UpresError;
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-model-handlers-'));
  user = join(dir, 'user');
  downloads = join(dir, 'downloads');
  const shipped = join(dir, 'shipped');
  await writeModel(shipped, {
    id: 'shipped-srvgg',
    name: 'Shipped SRVGG',
    role: 'general',
    spec: TINY_SRVGG,
    weights: randomWeights(TINY_SRVGG, 1),
    provenance,
    dtype: 'float32',
  });
  await mkdir(downloads);
  registry = await ModelRegistry.open({ shipped, user });
  const handlers = createModelHandlers(registry, (id) =>
    busy.has(id) ? `${id} cannot be removed: 1 photo in the queue still uses it` : undefined,
  ) as unknown as ApiHandlers;
  call = (method, req) => dispatchApi(handlers, method, req);
});
afterEach(async () => {
  busy.clear();
  await rm(dir, { recursive: true, force: true });
});

describe('freeModelId', () => {
  it('takes the file name, then numbers it past taken ids', () => {
    expect(freeModelId([], '/dl/RealESRGAN_x4plus.pth')).toBe('realesrgan_x4plus');
    expect(freeModelId(['model'], '/dl/model.pth')).toBe('model-2');
    expect(freeModelId(['model', 'model-2'], '/dl/Model.safetensors')).toBe('model-3');
  });
});

describe('importModel (app)', () => {
  it('imports with an id from the file name and lists where it came from', async () => {
    const path = await download('My Model.safetensors');
    const r = (await call('importModel', { path })) as { model: Record<string, unknown> };
    expect(r.model).toMatchObject({
      id: 'my-model',
      name: 'My Model',
      architecture: 'srvgg',
      scale: TINY_SRVGG.scale,
      origin: 'user',
      importedFrom: 'My Model.safetensors',
    });
    expect(readdirSync(user).sort()).toEqual(['my-model.json', 'my-model.safetensors']);
  });

  it('numbers a second, different download of the same name instead of refusing it', async () => {
    await call('importModel', { path: await download('model.safetensors', TINY_SRVGG, 3) });
    const other = join(downloads, 'other');
    await mkdir(other);
    const second = await download('x.safetensors', TINY_SRVGG, 4);
    await copyFile(second, join(other, 'model.safetensors'));
    const r = (await call('importModel', { path: join(other, 'model.safetensors') })) as {
      model: { id: string };
    };
    expect(r.model.id).toBe('model-2');
  });

  it('refuses the same file again and the same weights again, naming the file', async () => {
    const path = await download('a.safetensors', TINY_SRVGG, 5);
    await call('importModel', { path });
    const again = await refusal(call('importModel', { path }));
    expect(again.code).toBe('model.refused');
    expect(again.message).toBe('a.safetensors: already imported as a (a.safetensors)');
    // The shipped model's weights under another name: the same weights.
    const copy = await download('copy.safetensors', TINY_SRVGG, 1);
    const same = await refusal(call('importModel', { path: copy }));
    expect(same.code).toBe('model.refused');
    expect(same.message).toBe(
      'copy.safetensors: same weights as shipped-srvgg (shipped); not imported again',
    );
  });

  it('refuses a hostile pickle without running it, naming the file and the global', async () => {
    await rm(MARKER, { force: true });
    const err = await refusal(call('importModel', { path: join(PTH, 'evil-os-system.pth') }));
    expect(err.code).toBe('model.refused');
    expect(err.message).toMatch(/^evil-os-system\.pth: refuses to load: .*"(os|posix)\.system"/);
    expect(existsSync(MARKER)).toBe(false);
    expect(existsSync(user) ? readdirSync(user) : []).toEqual([]);
  });

  it('refuses a missing file as missing, naming it', async () => {
    const err = await refusal(call('importModel', { path: join(downloads, 'gone.pth') }));
    expect(err.code).toBe('input.missing');
    expect(err.message).toContain('gone.pth');
  });
});

describe('pairOptions, pairModels, removeModel (app)', () => {
  it('groups only models of the same architecture and tensor shapes', async () => {
    await call('importModel', { path: await download('b.safetensors', TINY_SRVGG, 6) });
    await call('importModel', { path: await download('rrdb.safetensors', TINY_RRDB, 7) });
    const wide = { ...TINY_SRVGG, features: TINY_SRVGG.features * 2 };
    await call('importModel', { path: await download('wide.safetensors', wide, 8) });
    const { groups } = (await call('pairOptions', {})) as { groups: string[][] };
    expect(groups).toEqual([['shipped-srvgg', 'b']]);
  });

  it('makes a pair that is listed with its α, and guards what may be removed', async () => {
    await call('importModel', { path: await download('b.safetensors', TINY_SRVGG, 6) });
    const pair = (await call('pairModels', {
      id: 'mine',
      name: 'Mine',
      fidelity: 'shipped-srvgg',
      perceptual: 'b',
      defaultAlpha: 0.35,
    })) as { pair: unknown; origin: string };
    expect(pair).toMatchObject({
      origin: 'user',
      pair: { fidelity: 'shipped-srvgg', perceptual: 'b', defaultAlpha: 0.35 },
    });
    const shipped = await refusal(call('removeModel', { id: 'shipped-srvgg' }));
    expect(shipped.message).toBe('shipped-srvgg ships with Upres and cannot be removed');
    const inPair = await refusal(call('removeModel', { id: 'b' }));
    expect(inPair.message).toBe('b is part of pair mine; remove the pair first');
    expect(await call('removeModel', { id: 'mine' })).toEqual({ removed: 'mine' });
    expect(await call('removeModel', { id: 'b' })).toEqual({ removed: 'b' });
    expect(readdirSync(user)).toEqual([]);
    expect(registry.ids()).toEqual(['shipped-srvgg']);
  });

  it('keeps a model that the queue or Settings still uses, files and all', async () => {
    await call('importModel', { path: await download('b.safetensors', TINY_SRVGG, 6) });
    const before = readdirSync(user).sort();
    busy.add('b');
    const err = await refusal(call('removeModel', { id: 'b' }));
    expect(err.code).toBe('request.invalid');
    expect(err.message).toBe('b cannot be removed: 1 photo in the queue still uses it');
    expect(readdirSync(user).sort()).toEqual(before);
    expect(registry.ids()).toContain('b');
    busy.clear();
    expect(await call('removeModel', { id: 'b' })).toEqual({ removed: 'b' });
  });

  it('refuses to pair models that are not compatible, naming both', async () => {
    await call('importModel', { path: await download('rrdb.safetensors', TINY_RRDB, 7) });
    const err = await refusal(
      call('pairModels', { id: 'bad', fidelity: 'shipped-srvgg', perceptual: 'rrdb' }),
    );
    expect(err.code).toBe('model.incompatible');
    expect(err.message).toContain('cannot pair shipped-srvgg (srvgg) with rrdb (rrdbnet)');
  });
});
