// Plain `.onnx` models imported and run as-is. Oracles: the same architecture and weights run
// through Upres's own graph builder (loadWeights), or the same hand-made graph in float32 run by
// onnxruntime directly; for pairs, a single model built from weights blended beforehand.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { onnx as OnnxNamespace } from 'onnx-proto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArchitectureSpec } from '../../../src/shared/architecture';
import { textOf } from '../../../src/shared/engine-message';
import { parameterCount } from '../../../src/main/engine/models/architecture-tensors';
import { type StateDict } from '../../../src/main/engine/models/state-dict';
import { buildGraph } from '../../../src/main/engine/models/build-graph';
import { toFloat16Bytes } from '../../../src/main/engine/models/float16';
import { importModel } from '../../../src/main/engine/models/import-model';
import { ModelRegistry, shippedModelsDir } from '../../../src/main/engine/models/model-registry';
import { checkPairCompatible } from '../../../src/main/engine/models/pair-compat';
import { writePair } from '../../../src/main/engine/models/write-pair';
import {
  loadModel,
  loadWeights,
  type LoadedModel,
} from '../../../src/main/engine/runtime/loaded-model';
import {
  TINY_RRDB,
  TINY_SRVGG,
  randomImage,
  randomWeights,
  rng,
} from '../../helpers/random-models';
import { runCli } from '../../helpers/run-cli';

const { onnx } = createRequire(import.meta.url)('onnx-proto') as { onnx: typeof OnnxNamespace };
const DT = onnx.TensorProto.DataType;

let user: string;
let files: string;
let registry: ModelRegistry;
const loaded: LoadedModel[] = [];

beforeEach(async () => {
  user = mkdtempSync(join(tmpdir(), 'upres-onnx-user-'));
  files = mkdtempSync(join(tmpdir(), 'upres-onnx-files-'));
  registry = await ModelRegistry.open({ shipped: shippedModelsDir(), user });
});
afterEach(async () => {
  await Promise.all(loaded.splice(0).map((m) => m.dispose()));
  rmSync(user, { recursive: true, force: true });
  rmSync(files, { recursive: true, force: true });
});
afterAll(() => Promise.all(loaded.map((m) => m.dispose())));

const maxDiff = (a: Float32Array, b: Float32Array) => {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
};

function save(name: string, bytes: Uint8Array): string {
  const path = join(files, name);
  writeFileSync(path, bytes);
  return path;
}

async function run(m: LoadedModel, input: Float32Array, h: number, w: number, alpha?: number) {
  const out = await m.run({ data: input.slice(), dims: [1, 3, h, w] }, alpha);
  return out;
}

function blendWeights(f: StateDict, p: StateDict, alpha: number): StateDict {
  return new Map([...f].map(([k, v]) => [k, v.map((x, i) => x + alpha * (p.get(k)![i] - x))]));
}

/**
 * A hand-made ×2 model: Conv 3→12 (3×3) · s (a scalar weight) → DepthToSpace 2, with its image
 * input / output named `x` / `y` and the convolution's output called `alpha` (a name the engine
 * needs for itself). `type` is the element type of everything float; `fixed` gives the input a
 * fixed 16×16 size; `extraInput` adds a second graph input.
 */
function handModel(
  seed: number,
  o: { type?: 'float' | 'float16'; fixed?: boolean; extraInput?: boolean; external?: boolean } = {},
): { bytes: Uint8Array; weights: { w: Float32Array; b: Float32Array; s: Float32Array } } {
  const r = rng(seed);
  const w = Float32Array.from({ length: 12 * 3 * 3 * 3 }, () => (r() * 2 - 1) * 0.3);
  const b = Float32Array.from({ length: 12 }, () => (r() * 2 - 1) * 0.1);
  const s = Float32Array.of(0.5 + r());
  const half = o.type === 'float16';
  const elem = half ? DT.FLOAT16 : DT.FLOAT;
  const raw = (v: Float32Array) => (half ? toFloat16Bytes(v) : new Uint8Array(v.slice().buffer));
  const tensor = (name: string, dims: number[], v: Float32Array): OnnxNamespace.ITensorProto =>
    o.external && name === 'W'
      ? {
          name,
          dims,
          dataType: elem,
          dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
          externalData: [{ key: 'location', value: 'weights.bin' }],
        }
      : { name, dims, dataType: elem, rawData: raw(v) };
  const side = (p: string) => (o.fixed ? { dimValue: 16 } : { dimParam: p });
  const image = (name: string, p: string): OnnxNamespace.IValueInfoProto => ({
    name,
    type: {
      tensorType: {
        elemType: elem,
        shape: { dim: [{ dimValue: 1 }, { dimValue: 3 }, side(`${p}h`), side(`${p}w`)] },
      },
    },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'hand',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'hand',
      node: [
        {
          opType: 'Conv',
          input: ['x', 'W', 'B'],
          output: ['alpha'],
          attribute: [
            { name: 'pads', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 1, 1, 1] },
          ],
        },
        { opType: 'Mul', input: ['alpha', 'S'], output: ['scaled'] },
        ...(o.extraInput ? [{ opType: 'Add', input: ['scaled', 'z'], output: ['sum'] }] : []),
        {
          opType: 'DepthToSpace',
          input: [o.extraInput ? 'sum' : 'scaled'],
          output: ['y'],
          attribute: [
            { name: 'blocksize', type: onnx.AttributeProto.AttributeType.INT, i: 2 },
            { name: 'mode', type: onnx.AttributeProto.AttributeType.STRING, s: Buffer.from('CRD') },
          ],
        },
      ],
      initializer: [tensor('W', [12, 3, 3, 3], w), tensor('B', [12], b), tensor('S', [], s)],
      input: [image('x', 'i'), ...(o.extraInput ? [image('z', 'z')] : [])],
      output: [image('y', 'o')],
    },
  });
  return { bytes: onnx.ModelProto.encode(model).finish(), weights: { w, b, s } };
}

/** The hand-made graph (float32) with given weights, run by onnxruntime itself. */
async function runHand(
  weights: { w: Float32Array; b: Float32Array; s: Float32Array },
  input: Float32Array,
  h: number,
  wd: number,
): Promise<Float32Array> {
  const { bytes } = handModel(1);
  const m = onnx.ModelProto.decode(bytes);
  const values: Record<string, Float32Array> = { W: weights.w, B: weights.b, S: weights.s };
  for (const t of m.graph!.initializer!) t.rawData = new Uint8Array(values[t.name!].slice().buffer);
  const session = await ort.InferenceSession.create(onnx.ModelProto.encode(m).finish());
  const out = await session.run({ x: new ort.Tensor('float32', input.slice(), [1, 3, h, wd]) });
  await session.release();
  return out.y.data as Float32Array;
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('importing .onnx models', () => {
  it('stores an exported model as <id>.onnx and runs it like the same weights built by Upres', async () => {
    const weights = randomWeights(TINY_SRVGG, 3);
    const file = save('tiny-srvgg.onnx', buildGraph(TINY_SRVGG, weights));
    const r = await importModel(registry, file);
    const m = r.manifest;
    expect(m.architecture).toEqual({ kind: 'onnx', inChannels: 3, outChannels: 3, scale: 4 });
    expect(m.weights).toMatchObject({
      file: 'tiny-srvgg.onnx',
      dtype: 'float32',
      // Every float initializer counts: the weights and the Resize scales [1, 1, 4, 4].
      parameters: parameterCount(TINY_SRVGG) + 4,
    });
    expect(m.provenance.sourceFiles).toEqual([
      { path: 'tiny-srvgg.onnx', sha256: sha(readFileSync(file)) },
    ]);
    expect(readdirSync(user).sort()).toEqual(['tiny-srvgg.json', 'tiny-srvgg.onnx']);
    expect(sha(readFileSync(join(user, 'tiny-srvgg.onnx')))).toBe(m.weights.sha256);
    await registry.refresh();
    expect(registry.info().find((x) => x.id === 'tiny-srvgg')).toMatchObject({
      architecture: 'onnx',
      scale: 4,
      origin: 'user',
    });
    await expect(registry.weights('tiny-srvgg')).rejects.toThrow(/ONNX model/);

    const model = await loadModel(registry, 'tiny-srvgg', { device: 'cpu' });
    const ref = await loadWeights('ref', TINY_SRVGG, weights, { device: 'cpu' });
    loaded.push(model, ref);
    expect(model.choice.fp16).toBe(false);
    const input = randomImage(3, 9, 7, 11);
    const got = await run(model, input, 9, 7);
    expect(got.dims).toEqual([1, 3, 36, 28]);
    expect(maxDiff(got.data, (await run(ref, input, 9, 7)).data)).toBeLessThanOrEqual(1e-5);
  });

  it('casts a float16 model to float32 edges, renames its input, output and `alpha`, and measures ×2', async () => {
    const { bytes, weights } = handModel(5, { type: 'float16' });
    const r = await importModel(registry, save('half.onnx', bytes));
    expect(r.manifest.architecture).toEqual({
      kind: 'onnx',
      inChannels: 3,
      outChannels: 3,
      scale: 2,
    });
    expect(r.manifest.weights).toMatchObject({ dtype: 'float16', parameters: 12 * 27 + 12 + 1 });
    expect(r.notes.map(textOf).join('; ')).toMatch(/float16 input cast from float32/);
    await registry.refresh();
    const model = await loadModel(registry, 'half', { device: 'cpu' });
    loaded.push(model);
    expect(model.choice.fp16).toBe(true);
    const input = randomImage(3, 5, 6, 12);
    const got = await run(model, input, 5, 6);
    expect(got.dims).toEqual([1, 3, 10, 12]);
    const d = maxDiff(got.data, await runHand(weights, input, 5, 6));
    expect(d).toBeLessThan(2e-2); // fp16 weights and activations against an fp32 run
  });

  it('measures the input multiple of a pixel-unshuffle graph and pads odd tiles to it', async () => {
    const spec: ArchitectureSpec = { ...TINY_RRDB, scale: 2 }; // unshuffles its input by 2
    const weights = randomWeights(spec, 5);
    const r = await importModel(registry, save('rrdb-x2.onnx', buildGraph(spec, weights)));
    expect(r.manifest.architecture).toEqual({
      kind: 'onnx',
      inChannels: 3,
      outChannels: 3,
      scale: 2,
      inputMultiple: 2,
    });
    await registry.refresh();
    const model = await loadModel(registry, 'rrdb-x2', { device: 'cpu' });
    const ref = await loadWeights('ref', spec, weights, { device: 'cpu' });
    loaded.push(model, ref);
    expect(model.inputMultiple).toBe(2);
    const input = randomImage(3, 7, 9, 14);
    const got = await run(model, input, 7, 9);
    expect(got.dims).toEqual([1, 3, 14, 18]);
    expect(maxDiff(got.data, (await run(ref, input, 7, 9)).data)).toBeLessThanOrEqual(1e-5);
  });

  it('imports an fp16 export with float32 edges', async () => {
    const weights = randomWeights(TINY_SRVGG, 4);
    const r = await importModel(
      registry,
      save('srvgg-fp16.onnx', buildGraph(TINY_SRVGG, weights, { fp16: true })),
    );
    expect(r.manifest.weights.dtype).toBe('float16');
    await registry.refresh();
    const model = await loadModel(registry, 'srvgg-fp16', { device: 'cpu' });
    const ref = await loadWeights('ref', TINY_SRVGG, weights, { device: 'cpu' });
    loaded.push(model, ref);
    const input = randomImage(3, 6, 6, 13);
    expect(
      maxDiff((await run(model, input, 6, 6)).data, (await run(ref, input, 6, 6)).data),
    ).toBeLessThan(2e-2);
  });

  it('refuses what it cannot run, naming the file and writing nothing', async () => {
    const cases: [string, Uint8Array, RegExp][] = [
      [
        'fixed.onnx',
        handModel(1, { fixed: true }).bytes,
        /^fixed\.onnx: fixed-size ONNX models are not supported \(input x is 1×3×16×16\); export it with dynamic axes/,
      ],
      [
        'two-inputs.onnx',
        handModel(1, { extraInput: true }).bytes,
        /^two-inputs\.onnx: Upres runs models with one image input and one output; this one has 2 inputs \(x, z\)/,
      ],
      [
        'garbage.onnx',
        new TextEncoder().encode('this is not a model at all'),
        /^garbage\.onnx: not a valid ONNX model/,
      ],
      [
        'external.onnx',
        handModel(1, { external: true }).bytes,
        /^external\.onnx: tensor W is stored in an external data file/,
      ],
    ];
    for (const [name, bytes, message] of cases)
      await expect(importModel(registry, save(name, bytes)), name).rejects.toThrow(message);
    expect(readdirSync(user)).toEqual([]);
  });

  it('refuses a model already imported under another file name', async () => {
    const bytes = buildGraph(TINY_SRVGG, randomWeights(TINY_SRVGG, 3));
    await importModel(registry, save('a.onnx', bytes), { id: 'a' });
    await registry.refresh();
    // The same network with its input called "image": other bytes, same graph once stored.
    const m = onnx.ModelProto.decode(bytes);
    m.graph!.input![0].name = 'image';
    for (const n of m.graph!.node!) n.input = n.input!.map((v) => (v === 'input' ? 'image' : v));
    const renamed = onnx.ModelProto.encode(m).finish();
    await expect(importModel(registry, save('b.onnx', renamed))).rejects.toThrow(
      'b.onnx: same model as a (user); not imported again',
    );
    expect(readdirSync(user).sort()).toEqual(['a.json', 'a.onnx']);
  });
});

describe('pairs of ONNX models', () => {
  it.each([
    ['float32', false],
    ['float16 weights', true],
  ])('%s: the pair at α equals a model built from θ_f + α(θ_p − θ_f)', async (_n, fp16) => {
    const spec: ArchitectureSpec = TINY_SRVGG;
    const f = randomWeights(spec, 21);
    const p = randomWeights(spec, 22);
    await importModel(registry, save('f.onnx', buildGraph(spec, f, { fp16 })));
    await importModel(registry, save('p.onnx', buildGraph(spec, p, { fp16 })));
    await registry.refresh();
    await writePair(registry, user, { id: 'fp', fidelity: 'f', perceptual: 'p' });
    await registry.refresh();
    const pair = await loadModel(registry, 'fp', { device: 'cpu' });
    loaded.push(pair);
    expect(pair.interpolates).toBe(true);
    const input = randomImage(3, 6, 7, 9);
    for (const alpha of [0, 0.3, 1]) {
      const ref = await loadWeights('ref', spec, blendWeights(f, p, alpha), { device: 'cpu' });
      loaded.push(ref);
      const d = maxDiff(
        (await run(pair, input, 6, 7, alpha)).data,
        (await run(ref, input, 6, 7)).data,
      );
      expect(d, `α=${alpha}`).toBeLessThanOrEqual(1 / 255);
      if (!fp16) expect(d, `α=${alpha}`).toBeLessThan(1e-5);
    }
    // A long job gets a constant-weight session at its α with the same output.
    const viaBlend = (await run(pair, input, 6, 7, 0.3)).data;
    const long = await pair.jobRunner(0.3, 1e12);
    expect(pair.specialisedAlpha).toBe(0.3);
    const viaFixed = (await long({ data: input.slice(), dims: [1, 3, 6, 7] })).data;
    expect(maxDiff(viaFixed, viaBlend)).toBeLessThan(fp16 ? 2e-3 : 1e-5);
  });

  it('blends scalar and float16 weights of hand-made graphs', async () => {
    const a = handModel(31, { type: 'float16' });
    const b = handModel(32, { type: 'float16' });
    await importModel(registry, save('ha.onnx', a.bytes));
    await importModel(registry, save('hb.onnx', b.bytes));
    await registry.refresh();
    await writePair(registry, user, { id: 'hab', fidelity: 'ha', perceptual: 'hb' });
    await registry.refresh();
    const pair = await loadModel(registry, 'hab', { device: 'cpu' });
    loaded.push(pair);
    const input = randomImage(3, 4, 5, 3);
    const alpha = 0.6;
    const mix = (x: Float32Array, y: Float32Array) => x.map((v, i) => v + alpha * (y[i] - v));
    const expected = await runHand(
      {
        w: mix(a.weights.w, b.weights.w),
        b: mix(a.weights.b, b.weights.b),
        s: mix(a.weights.s, b.weights.s),
      },
      input,
      4,
      5,
    );
    expect(maxDiff((await run(pair, input, 4, 5, alpha)).data, expected)).toBeLessThanOrEqual(
      4 / 255,
    );
  });

  it('refuses two different graphs, naming the first difference', async () => {
    const deeper = { ...TINY_SRVGG, convs: 3 };
    await importModel(registry, save('g2.onnx', buildGraph(TINY_SRVGG, randomWeights(TINY_SRVGG))));
    await importModel(registry, save('g3.onnx', buildGraph(deeper, randomWeights(deeper))));
    await importModel(registry, save('h.onnx', handModel(1).bytes));
    await registry.refresh();
    const end = async (id: string) => ({
      id,
      spec: registry.get(id).manifest.architecture,
      onnx: await registry.onnxBytes(id),
    });
    const [g2, g3, h] = [await end('g2'), await end('g3'), await end('h')];
    expect(() => checkPairCompatible(g2, g3)).toThrow(
      /^cannot pair g2 with g3: different ONNX graphs: node \d+ \(.*\) /,
    );
    expect(() => checkPairCompatible(g2, h)).toThrow(
      'cannot pair g2 with h: different ONNX networks (scale: 4 vs 2)',
    );
    await expect(
      writePair(registry, user, { id: 'g2h', fidelity: 'g2', perceptual: 'h' }),
    ).rejects.toThrow(/different ONNX networks/);
    // Where the pair is written without looking at the graphs, loading it refuses.
    const stored = await writePair(registry, user, {
      id: 'g23',
      fidelity: 'g2',
      perceptual: 'g3',
    }).then(
      () => true,
      (err: Error) => {
        expect(err.message).toMatch(/different ONNX graphs/);
        return false;
      },
    );
    await registry.refresh();
    if (stored)
      await expect(loadModel(registry, 'g23', { device: 'cpu' })).rejects.toThrow(
        /cannot pair g2 with g3: different ONNX graphs/,
      );
  });
});

describe('upres models import x.onnx (CLI)', () => {
  it('imports an ONNX model and lists it with architecture onnx', async () => {
    const env = { UPRES_USER_DIR: user };
    const file = save('cli-model.onnx', buildGraph(TINY_SRVGG, randomWeights(TINY_SRVGG, 8)));
    const imp = await runCli(['models', 'import', file], env);
    expect(imp.stderr).toMatch(/imported .*cli-model\.onnx as cli-model: ONNX graph .*, onnx ×4/);
    expect(imp.code).toBe(0);
    const list = await runCli(['models', '--json'], env);
    const models = JSON.parse(list.stdout).models as { id: string; architecture: string }[];
    expect(models.find((m) => m.id === 'cli-model')).toMatchObject({
      architecture: 'onnx',
      origin: 'user',
      scale: 4,
    });
  });
});
