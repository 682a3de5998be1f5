import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  TorchTensor,
  extractStateDict,
  isFloatDtype,
  parseTorchCheckpoint,
  readTorchCheckpoint,
} from '../../../src/main/engine/models/pth/read-checkpoint';

// Written by tools/fixtures/make_pth_fixtures.py; expected.json is what torch itself read back.
const DIR = fileURLToPath(new URL('../../fixtures/pth/', import.meta.url));

interface OracleTensor {
  dtype: string;
  shape: number[];
  stride: number[];
  storage_offset: number;
  contiguous: boolean;
  values: number[];
}

const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as {
  pwned_marker: string;
  good: Record<string, { wrapper: string | null; oracle: string }>;
  oracles: Record<string, Record<string, OracleTensor>>;
  malicious: Record<string, string>;
  broken: Record<string, string>;
};

function fixture(name: string): Uint8Array {
  return readFileSync(join(DIR, name));
}

function expectMatches(tensors: Map<string, TorchTensor>, oracle: Record<string, OracleTensor>) {
  expect([...tensors.keys()]).toEqual(Object.keys(oracle));
  for (const [name, want] of Object.entries(oracle)) {
    const t = tensors.get(name)!;
    expect({ name, dtype: t.dtype, shape: t.shape }).toEqual({
      name,
      dtype: want.dtype,
      shape: want.shape,
    });
    // The oracle holds float32 values (fp16, bf16 and int widen exactly), so compare exactly.
    expect(Array.from(t.values), name).toEqual(want.values.map((v) => Math.fround(v)));
  }
}

/** A bare pickle, which the reader takes for the first pickle of a legacy file. */
function pickle(...parts: (string | number[])[]): Uint8Array {
  const chunks = parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p));
  return Buffer.concat([Buffer.from([0x80, 2]), ...chunks.map((c) => Buffer.from(c))]);
}

describe('pth reader: checkpoints torch wrote', () => {
  for (const [file, { wrapper, oracle }] of Object.entries(expected.good)) {
    it(`reads ${file} exactly as torch does`, async () => {
      const ckpt = await readTorchCheckpoint(join(DIR, file));
      const sd = extractStateDict(ckpt.root);
      expectMatches(sd, expected.oracles[oracle]);
      if (wrapper)
        expect(sd.get('conv.weight')).toBe(
          (ckpt.root as Map<string, Map<string, unknown>>).get(wrapper)!.get('conv.weight'),
        );
    });
  }

  it('covers the layouts that need care: fp16, bf16, fp64, transposed, offset views, int64', () => {
    const tiny = Object.values(expected.oracles.tiny);
    expect(new Set(tiny.map((t) => t.dtype))).toEqual(
      new Set(['float32', 'float16', 'bfloat16', 'float64', 'int64']),
    );
    expect(tiny.some((t) => !t.contiguous && t.storage_offset === 0)).toBe(true);
    expect(tiny.some((t) => t.contiguous && t.storage_offset > 0)).toBe(true);
    expect(tiny.some((t) => !t.contiguous && t.storage_offset > 0)).toBe(true);
    expect(tiny.some((t) => t.shape.length === 4)).toBe(true);
  });

  it('tells the two formats apart', () => {
    expect(parseTorchCheckpoint(fixture('tiny-zip.pth'), 'a').format).toBe('zip');
    expect(parseTorchCheckpoint(fixture('tiny-legacy.pth'), 'b').format).toBe('legacy');
  });

  it('keeps integer tensors, tagged by dtype, so callers can drop them', () => {
    const sd = extractStateDict(parseTorchCheckpoint(fixture('tiny-zip.pth'), 't').root);
    const steps = sd.get('bn.num_batches_tracked')!;
    expect(steps.dtype).toBe('int64');
    expect(steps.shape).toEqual([]);
    expect(Array.from(steps.values)).toEqual([7]);
    expect(isFloatDtype(steps.dtype)).toBe(false);
    expect(isFloatDtype(sd.get('half.weight')!.dtype)).toBe(true);
  });

  it('keeps the old ESRGAN key layout of a 2018-style legacy file', () => {
    const sd = extractStateDict(parseTorchCheckpoint(fixture('esrgan-2018-legacy.pth'), 'e').root);
    expect([...sd.keys()]).toContain('model.1.sub.0.RDB1.conv1.0.weight');
    expect(sd.get('model.10.bias')!.shape).toEqual([3]);
  });

  it('leaves the wrapper structure to the caller: params_ema first, then params', () => {
    const root = parseTorchCheckpoint(fixture('wrapped-params-ema.pth'), 'w').root;
    expect(root).toBeInstanceOf(Map);
    const params = extractStateDict((root as Map<string, unknown>).get('params'));
    expectMatches(params, expected.oracles.params);
    expect(extractStateDict(root).get('conv.bias')!.values).not.toEqual(
      params.get('conv.bias')!.values,
    );
  });
});

describe('extractStateDict', () => {
  const t = (v: number) => {
    const x = new TorchTensor('float32', [1]);
    x.values = Float32Array.of(v);
    return x;
  };
  const sd = (v: number) => new Map<unknown, unknown>([['w', t(v)]]);

  it('prefers params_ema, then params, then state_dict, then the object itself', () => {
    const all = new Map<unknown, unknown>([
      ['state_dict', sd(3)],
      ['params', sd(2)],
      ['params_ema', sd(1)],
    ]);
    expect(extractStateDict(all).get('w')!.values[0]).toBe(1);
    all.delete('params_ema');
    expect(extractStateDict(all).get('w')!.values[0]).toBe(2);
    all.delete('params');
    expect(extractStateDict(all).get('w')!.values[0]).toBe(3);
    expect(extractStateDict(sd(4)).get('w')!.values[0]).toBe(4);
  });

  it('skips wrappers without tensors and returns only string-keyed tensors', () => {
    const root = new Map<unknown, unknown>([
      ['params_ema', new Map()],
      ['params', sd(2)],
      ['epoch', 10],
    ]);
    expect([...extractStateDict(root).keys()]).toEqual(['w']);
    const mixed = new Map<unknown, unknown>([
      ['a', t(1)],
      ['iter', 5],
      [7, t(2)],
    ]);
    expect([...extractStateDict(mixed).keys()]).toEqual(['a']);
    expect(extractStateDict([t(1)]).size).toBe(0);
    expect(extractStateDict(null).size).toBe(0);
  });
});

describe('pth reader: files that try to run code', () => {
  for (const [file, global] of Object.entries(expected.malicious)) {
    it(`refuses ${file}, naming ${global}, and runs nothing`, async () => {
      rmSync(expected.pwned_marker, { force: true });
      await expect(readTorchCheckpoint(join(DIR, file))).rejects.toThrow(
        `${file}: refuses to load: the file references global "${global}"`,
      );
      expect(existsSync(expected.pwned_marker)).toBe(false);
    });
  }

  const refused = [
    ['builtins', 'eval'],
    ['__builtin__', 'getattr'],
    ['posix', 'system'],
    ['nt', 'system'],
    ['subprocess', 'check_output'],
    ['torch', 'load'],
    ['torch.storage', '_load_from_bytes'],
    ['torch.nn.modules.conv', 'Conv2d'],
    ['numpy.core.multiarray', '_reconstruct'],
    ['collections', 'defaultdict'],
    ['copyreg', '_reconstructor'],
  ];
  for (const [module, name] of refused) {
    it(`refuses ${module}.${name} through GLOBAL and STACK_GLOBAL`, () => {
      const viaGlobal = pickle(`c${module}\n${name}\n)R.`);
      const enc = (s: string) => [0x8c, s.length, ...Buffer.from(s)];
      const viaStack = pickle(enc(module), enc(name), [0x93], ')R.');
      for (const bytes of [viaGlobal, viaStack])
        expect(() => parseTorchCheckpoint(bytes, 'x.pth')).toThrow(
          `x.pth: refuses to load: the file references global "${module}.${name}"`,
        );
    });
  }

  it('allows the storage types only as markers, never as calls', () => {
    expect(() => parseTorchCheckpoint(pickle('ctorch\nFloatStorage\n)R.'), 's.pth')).toThrow(
      's.pth: refuses to load: the file calls torch.FloatStorage',
    );
  });

  it('refuses NEWOBJ on anything but OrderedDict and BUILD on anything but its dicts', () => {
    expect(() =>
      parseTorchCheckpoint(pickle('ctorch._utils\n_rebuild_tensor_v2\n)\x81.'), 'n.pth'),
    ).toThrow('n.pth: refuses to load: the file constructs torch._utils._rebuild_tensor_v2');
    expect(() => parseTorchCheckpoint(pickle(']}b.'), 'b.pth')).toThrow(
      'b.pth: refuses to load: the file sets the state of a list',
    );
    expect(() => parseTorchCheckpoint(pickle('}}b.'), 'b.pth')).toThrow(
      'b.pth: refuses to load: the file sets the state of a dict',
    );
  });

  it('refuses a call on something that is not an allowed global', () => {
    expect(() => parseTorchCheckpoint(pickle('X\x02\x00\x00\x00os)R.'), 'r.pth')).toThrow(
      'r.pth: refuses to load: the file calls string',
    );
  });
});

describe('pth reader: damaged and crafted files', () => {
  for (const [file, why] of Object.entries(expected.broken)) {
    it(`rejects ${file}: ${why}`, async () => {
      await expect(readTorchCheckpoint(join(DIR, file))).rejects.toThrow(`${file}: `);
      await expect(readTorchCheckpoint(join(DIR, file))).rejects.toThrow(why);
    });
  }

  it('rejects a truncated legacy file', () => {
    const bytes = fixture('tiny-legacy.pth');
    expect(() => parseTorchCheckpoint(bytes.subarray(0, bytes.length - 10), 'l.pth')).toThrow(
      /^l\.pth: storage \d+ .*lies beyond the end of the file \(truncated\?\)$/,
    );
    expect(() => parseTorchCheckpoint(bytes.subarray(0, 400), 'l.pth')).toThrow(
      /^l\.pth: malformed pickle at byte \d+: .*\(truncated\?\)$/,
    );
  });

  it('rejects a zip entry that claims more bytes than the file holds', () => {
    const bytes = Buffer.from(fixture('tiny-zip.pth'));
    const dir = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bytes.writeUInt32LE(0x7fff0000, dir + 20);
    bytes.writeUInt32LE(0x7fff0000, dir + 24);
    expect(() => parseTorchCheckpoint(bytes, 'z.pth')).toThrow(
      /^z\.pth: zip entry .* claims 2147418112 bytes beyond the end of the file/,
    );
  });

  it('names the problem in a malformed pickle', () => {
    const cases: [Uint8Array, RegExp][] = [
      [pickle([0xff]), /unknown or unsupported opcode 0xff/],
      [pickle('R.'), /stack underflow in REDUCE/],
      [pickle('(R.'), /stack underflow in REDUCE/],
      [pickle('h\x05.'), /memo entry 5 was never stored/],
      [pickle('X\x10\x00\x00\x00ab'), /BINUNICODE runs past the end of the data/],
      [pickle('NN.'), /STOP with 2 items on the stack/],
      [pickle(']K\x01K\x02s.'), /SETITEM on something that is not a dict/],
      [pickle('N'), /the data ends before the pickle does \(truncated\?\)/],
    ];
    for (const [bytes, why] of cases) {
      expect(() => parseTorchCheckpoint(bytes, 'm.pth')).toThrow(/^m\.pth: malformed pickle/);
      expect(() => parseTorchCheckpoint(bytes, 'm.pth')).toThrow(why);
    }
  });

  it('rejects bytes that are neither format', () => {
    expect(() => parseTorchCheckpoint(Buffer.from('hello world'), 'h.txt')).toThrow(
      'h.txt: is neither a zip-format nor a legacy PyTorch checkpoint',
    );
    expect(() => parseTorchCheckpoint(new Uint8Array(0), 'e.pth')).toThrow('e.pth: ');
  });
});
