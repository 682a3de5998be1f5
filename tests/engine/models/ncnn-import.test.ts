import { describe, expect, it } from 'vitest';
import type { ArchitectureSpec } from '../../../src/shared/architecture';
import { architectureTensors } from '../../../src/main/engine/models/architecture-tensors';
import { type StateDict } from '../../../src/main/engine/models/state-dict';
import { fromFloat16Bytes, toFloat16Bytes } from '../../../src/main/engine/models/float16';
import { importNcnnModel } from '../../../src/main/engine/models/ncnn-import';
import { loadNcnnWeights, parseNcnnParam } from '../../../src/main/engine/models/ncnn-reader';
import { writeNcnnRrdb, writeNcnnSrvgg, type NcnnStorage } from '../../helpers/ncnn-writer';
import { TINY_RRDB, TINY_SRVGG, randomWeights } from '../../helpers/random-models';

function read(param: string, bin: Uint8Array) {
  const layers = parseNcnnParam(param, 'test.param');
  loadNcnnWeights(layers, bin, 'test.bin');
  return importNcnnModel(layers);
}

function expectWeights(
  spec: ArchitectureSpec,
  got: StateDict,
  want: StateDict,
  storage: NcnnStorage,
) {
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  const kernels = new Set(
    architectureTensors(spec)
      .filter((t) => t.shape.length === 4)
      .map((t) => t.name),
  );
  for (const [name, w] of want) {
    // Convolution kernels are stored in the chosen precision; biases and PReLU slopes are always fp32.
    const stored =
      storage === 'fp16' && kernels.has(name) ? fromFloat16Bytes(toFloat16Bytes(w)) : w;
    expect([...got.get(name)!], name).toEqual([...stored]);
  }
}

const cases: [string, ArchitectureSpec, typeof writeNcnnRrdb | typeof writeNcnnSrvgg][] = [
  ['RRDBNet ×4', { ...TINY_RRDB, blocks: 2 }, writeNcnnRrdb as never],
  ['RRDBNet ×8', { ...TINY_RRDB, scale: 8 }, writeNcnnRrdb as never],
  ['SRVGGNetCompact', { ...TINY_SRVGG, features: 80, convs: 3 }, writeNcnnSrvgg as never],
];

describe('ncnn reader and importer', () => {
  for (const storage of ['fp32', 'fp16'] as const) {
    it.each(cases)(`reads %s with ${storage} storage`, (_n, spec, write) => {
      const weights = randomWeights(spec, 11);
      const { param, bin } = (
        write as (
          s: ArchitectureSpec,
          w: StateDict,
          st: NcnnStorage,
        ) => { param: string; bin: Buffer }
      )(spec, weights, storage);
      const model = read(param, bin);
      expect(model.spec).toEqual(spec);
      expectWeights(spec, model.weights, weights, storage);
    });
  }

  const tiny = writeNcnnRrdb(TINY_RRDB, randomWeights(TINY_RRDB), 'fp16');

  it('refuses a truncated .bin, saying where it ends', () => {
    expect(() => read(tiny.param, tiny.bin.subarray(0, tiny.bin.length - 10))).toThrow(
      /test\.bin: file ends inside/,
    );
  });

  it('refuses a .bin with bytes left over (param/bin mismatch)', () => {
    expect(() => read(tiny.param, Buffer.concat([tiny.bin, Buffer.alloc(8)]))).toThrow(/left over/);
  });

  it('refuses a file that is not an ncnn param', () => {
    expect(() => parseNcnnParam('hello\n1 1\n', 'x.param')).toThrow(
      /x\.param: not an ncnn \.param/,
    );
  });

  it('refuses layer types it cannot import, naming the layer', () => {
    const param = tiny.param.replace('Convolution l1 ', 'Deconvolution l1 ');
    expect(() => read(param, tiny.bin)).toThrow(/layer l1 has type Deconvolution/);
  });

  it('refuses int8-quantised weights', () => {
    const bin = Buffer.from(tiny.bin);
    bin.writeUInt32LE(0x000d4b38, 0);
    expect(() => read(tiny.param, bin)).toThrow(/int8/);
  });

  it('refuses an RRDB whose residual scaling is not 0.2', () => {
    const param = tiny.param.replace('-23301=2,2.000000e-01', '-23301=2,3.000000e-01');
    expect(() => read(param, tiny.bin)).toThrow(/residual scaling/);
  });
});
