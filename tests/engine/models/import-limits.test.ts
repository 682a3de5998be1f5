// Imports that would run or inflate without end are refused within their limits: an ONNX graph
// whose trial run never ends (a Loop of 10¹² iterations), a .pth whose storage record inflates to
// gigabytes (peak memory measured in a child process), a safetensors header that is `null`.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import type { onnx as OnnxNamespace } from 'onnx-proto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UpresError } from '../../../src/shared/errors';
import { importModel } from '../../../src/main/engine/models/import-model';
import { ModelRegistry, shippedModelsDir } from '../../../src/main/engine/models/model-registry';
import { oneTensorCheckpoint, zerosDeflateStream, zerosSize } from '../../helpers/torch-zip';

const { onnx } = createRequire(import.meta.url)('onnx-proto') as { onnx: typeof OnnxNamespace };
const DT = onnx.TensorProto.DataType;

let user: string;
let files: string;
let registry: ModelRegistry;

beforeEach(async () => {
  user = mkdtempSync(join(tmpdir(), 'upres-limits-user-'));
  files = mkdtempSync(join(tmpdir(), 'upres-limits-files-'));
  registry = await ModelRegistry.open({ shipped: shippedModelsDir(), user });
});
afterEach(() => {
  rmSync(user, { recursive: true, force: true });
  rmSync(files, { recursive: true, force: true });
});

function save(name: string, bytes: Uint8Array): string {
  const path = join(files, name);
  writeFileSync(path, bytes);
  return path;
}

/**
 * y = 1 · x passed through a Loop of `trips` iterations whose body hands the image on unchanged:
 * a valid ×1 model that runs for ever when `trips` is 10¹².
 */
function loopModel(trips: bigint): Uint8Array {
  const image = (name: string): OnnxNamespace.IValueInfoProto => ({
    name,
    type: {
      tensorType: {
        elemType: DT.FLOAT,
        shape: { dim: [{ dimValue: 1 }, { dimValue: 3 }, { dimParam: 'h' }, { dimParam: 'w' }] },
      },
    },
  });
  const scalar = (name: string, elemType: number): OnnxNamespace.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType, shape: { dim: [] } } },
  });
  const i64 = Buffer.alloc(8);
  i64.writeBigInt64LE(trips);
  const body: OnnxNamespace.IGraphProto = {
    name: 'body',
    node: [
      { opType: 'Identity', input: ['cond_in'], output: ['cond_out'] },
      { opType: 'Identity', input: ['v_in'], output: ['v_out'] },
    ],
    input: [scalar('iter', DT.INT64), scalar('cond_in', DT.BOOL), image('v_in')],
    output: [scalar('cond_out', DT.BOOL), image('v_out')],
  };
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'loop-bomb',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'loop',
      node: [
        {
          opType: 'Loop',
          input: ['M', 'C', 'x'],
          output: ['looped'],
          attribute: [{ name: 'body', type: onnx.AttributeProto.AttributeType.GRAPH, g: body }],
        },
        { opType: 'Mul', input: ['looped', 'S'], output: ['y'] },
      ],
      initializer: [
        {
          name: 'S',
          dims: [],
          dataType: DT.FLOAT,
          rawData: Buffer.from(Float32Array.of(1).buffer),
        },
        { name: 'M', dims: [], dataType: DT.INT64, rawData: i64 },
        { name: 'C', dims: [], dataType: DT.BOOL, rawData: Buffer.from([1]) },
      ],
      input: [image('x')],
      output: [image('y')],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

describe('the ONNX trial run has a time limit', () => {
  it('imports the Loop graph with 3 iterations (the graph itself is valid)', async () => {
    const r = await importModel(registry, save('loop-3.onnx', loopModel(3n)), {
      probeTimeoutMs: 30_000,
    });
    expect(r.manifest.architecture).toMatchObject({ kind: 'onnx', scale: 1 });
  });

  it('refuses the same graph with 10¹² iterations within the limit, naming the file', async () => {
    const file = save('loop-bomb.onnx', loopModel(10n ** 12n));
    const t0 = performance.now();
    const err = await importModel(registry, file, { probeTimeoutMs: 2000 }).catch((e) => e);
    const seconds = (performance.now() - t0) / 1000;
    expect(err).toBeInstanceOf(UpresError);
    expect(err.code).toBe('model.refused');
    expect(err.message).toMatch(/^loop-bomb\.onnx: .*took longer than 2 s/);
    // 2 s of limit; the rest is reading and normalising the file and terminating the worker.
    expect(seconds).toBeGreaterThanOrEqual(1.9);
    expect(seconds).toBeLessThan(6);
    expect(readdirSync(user)).toEqual([]);
  });
});

const READ = fileURLToPath(
  new URL('../../../src/main/engine/models/import-model.ts', import.meta.url),
);
const REGISTRY = fileURLToPath(
  new URL('../../../src/main/engine/models/model-registry.ts', import.meta.url),
);

/** Imports `file` in a fresh node process; its error and its peak RSS (maxRSS, in bytes). */
function importInChild(file: string): Promise<{ code?: string; message?: string; rss: number }> {
  const script = join(files, 'import-child.mts');
  writeFileSync(
    script,
    `import { importModel } from ${JSON.stringify(pathToFileURL(READ).href)};
import { ModelRegistry, shippedModelsDir } from ${JSON.stringify(pathToFileURL(REGISTRY).href)};
const registry = await ModelRegistry.open({ shipped: shippedModelsDir(), user: process.argv[3] });
let out = {};
try { await importModel(registry, process.argv[2]); } catch (e) { out = { code: e.code, message: e.message }; }
console.log(JSON.stringify({ ...out, rss: process.resourceUsage().maxRSS * 1024 }));
`,
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, file, user], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(stdout.trim().split('\n').pop()!))
        : reject(new Error(`child exited ${code}`)),
    );
  });
}

describe('a .pth storage record is inflated within what its storage declares', () => {
  it('reads the hand-made checkpoint with an honest deflated record', async () => {
    const values = Buffer.from(Float32Array.of(1, 2, 3, 4).buffer);
    const file = save('honest.pth', oneTensorCheckpoint(4, deflateRawSync(values), { size: 16 }));
    // Not an upscaler: refused for its layout, after the weights were read.
    await expect(importModel(registry, file)).rejects.toThrow(
      /^honest\.pth: .*(architecture|layout|recogni)/i,
    );
  });

  it('refuses a 1.5 MB record that declares and inflates to 1.5 GiB, with peak RSS bounded', async () => {
    const chunks = 96;
    const stream = zerosDeflateStream(chunks);
    expect(stream.length).toBeLessThan(2 * 1024 ** 2);
    const file = save('bomb.pth', oneTensorCheckpoint(4, stream, { size: zerosSize(chunks) }));
    const r = await importInChild(file);
    expect(r.code).toBe('model.refused');
    expect(r.message).toMatch(/^bomb\.pth: zip entry archive\/data\/0: declares 1610612736 bytes/);
    // A node process with tsx and the registry is ~150 MB; inflating the record would cost 1.5 GiB+.
    expect(r.rss).toBeLessThan(600 * 1024 ** 2);
    expect(existsSync(join(user, 'bomb.json'))).toBe(false);
  }, 60_000);

  it('refuses a record that declares its 16 bytes but inflates to 1.5 GiB', async () => {
    const file = save('liar.pth', oneTensorCheckpoint(4, zerosDeflateStream(96), { size: 16 }));
    const r = await importInChild(file);
    expect(r.code).toBe('model.refused');
    expect(r.message).toMatch(
      /^liar\.pth: zip entry archive\/data\/0: inflates beyond the 16 bytes/,
    );
    expect(r.rss).toBeLessThan(600 * 1024 ** 2);
  }, 60_000);
});

describe('a safetensors header that is valid JSON but not an object', () => {
  it('is refused with a message naming the file', async () => {
    const header = Buffer.from('null    ');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    const file = save('null.safetensors', Buffer.concat([len, header]));
    await expect(importModel(registry, file)).rejects.toThrow(
      /^null\.safetensors: not a safetensors file: the header is not a JSON object$/,
    );
  });
});
