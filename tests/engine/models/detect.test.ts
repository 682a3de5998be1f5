// Every supported architecture and key layout, read from checkpoints PyTorch itself wrote
// (tools/fixtures/make_arch_fixtures.py), must run in onnxruntime and reproduce PyTorch's own
// forward pass on the same input.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { textOf } from '../../../src/shared/engine-message';
import { readModelFile } from '../../../src/main/engine/models/read-model-file';
import { detectArchitecture } from '../../../src/main/engine/models/detect/detect-architecture';
import { loadWeights, type LoadedModel } from '../../../src/main/engine/runtime/loaded-model';

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'arch');

interface Case {
  name: string;
  file: string;
  format: string;
  layout: string;
  inputShape: number[];
  outputShape: number[];
  expect: Record<string, unknown>;
}

const cases = JSON.parse(readFileSync(join(DIR, 'cases.json'), 'utf8')) as Case[];

function floats(file: string): Float32Array {
  const b = readFileSync(join(DIR, file));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

const loaded: LoadedModel[] = [];
afterAll(async () => {
  await Promise.all(loaded.map((m) => m.dispose()));
});

describe('architecture detection and import match PyTorch', () => {
  it('has a fixture for every architecture and layout', () => {
    const kinds = new Set(cases.map((c) => c.expect.kind));
    expect([...kinds].sort()).toEqual(['edsr', 'rrdbnet', 'srresnet', 'srvgg']);
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  for (const c of cases) {
    it(`${c.name}: ${c.layout.split(' (')[0]}`, async () => {
      const resScale = c.expect.resScale as number | undefined;
      const m = await readModelFile(join(DIR, c.file), { resScale });
      for (const [k, v] of Object.entries(c.expect)) {
        if (k === 'batchNorm') {
          expect(m.notes.map(textOf).some((n) => n.includes('batch norm folded'))).toBe(v);
          continue;
        }
        expect(m.spec, `${k}`).toHaveProperty(k, v);
      }
      const model = await loadWeights(c.name, m.spec, m.weights);
      loaded.push(model);
      const out = await model.run({ data: floats(`${c.name}.input.bin`), dims: c.inputShape });
      expect(out.dims).toEqual(c.outputShape);
      const want = floats(`${c.name}.expected.bin`);
      let maxDiff = 0;
      for (let i = 0; i < want.length; i++)
        maxDiff = Math.max(maxDiff, Math.abs(out.data[i] - want[i]));
      expect(maxDiff).toBeLessThan(1e-4);
    });
  }
});

describe('architecture detection errors', () => {
  const t = (shape: number[]) => ({
    shape,
    values: new Float32Array(shape.reduce((a, b) => a * b, 1)),
  });

  it('names the file and lists what it supports for an unknown state dict', () => {
    const dict = new Map([['encoder.conv.weight', t([4, 3, 3, 3])]]);
    expect(() => detectArchitecture(dict, 'mystery.pth')).toThrow(
      /mystery\.pth: unknown architecture \(1 tensor: encoder\.conv\.weight\); supported: RRDBNet/,
    );
  });

  it('refuses a known layout with layers it would ignore', () => {
    const raw = new Map([
      ['body.0.weight', t([4, 3, 3, 3])],
      ['body.0.bias', t([4])],
      ['body.1.weight', t([4])],
      ['body.2.weight', t([12, 4, 3, 3])],
      ['body.2.bias', t([12])],
      ['extra.attention.weight', t([4])],
    ]);
    expect(() => detectArchitecture(raw, 'odd.pth')).toThrow(
      /odd\.pth: looks like SRVGGNetCompact .* does not use: extra\.attention\.weight/,
    );
  });

  it("strips DataParallel's module. prefix", () => {
    const raw = new Map([
      ['module.body.0.weight', t([4, 3, 3, 3])],
      ['module.body.0.bias', t([4])],
      ['module.body.1.weight', t([4])],
      ['module.body.2.weight', t([12, 4, 3, 3])],
      ['module.body.2.bias', t([12])],
    ]);
    const m = detectArchitecture(raw, 'dp.pth');
    expect(m.spec).toMatchObject({ kind: 'srvgg', scale: 2, convs: 0, features: 4 });
  });
});
