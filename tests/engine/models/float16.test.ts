import { getFloat16, setFloat16 } from '@petamoriken/float16';
import { describe, expect, it } from 'vitest';
import {
  floatToHalf,
  fromFloat16Bytes,
  toFloat16Bytes,
} from '../../../src/main/engine/models/float16';

// Oracle: @petamoriken/float16, an independent, widely used implementation.
describe('float16 conversion', () => {
  it('decodes all 65,536 half-precision values exactly', () => {
    const all = new Uint8Array(131072);
    for (let h = 0; h < 65536; h++) {
      all[2 * h] = h & 255;
      all[2 * h + 1] = h >> 8;
    }
    const dec = fromFloat16Bytes(all);
    const dv = new DataView(all.buffer);
    let mismatches = 0;
    for (let h = 0; h < 65536; h++) {
      const ref = getFloat16(dv, 2 * h, true);
      if (!(Object.is(ref, dec[h]) || (Number.isNaN(ref) && Number.isNaN(dec[h])))) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it('encodes random fp32 bit patterns with round-to-nearest-even like the reference', () => {
    const dv = new DataView(new ArrayBuffer(2));
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    let seed = 12345;
    let mismatches = 0;
    for (let i = 0; i < 300_000; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      u[0] = seed;
      if (Number.isNaN(f[0])) continue;
      setFloat16(dv, 0, f[0], true);
      if (dv.getUint16(0, true) !== floatToHalf(f[0])) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it('round-trips values that are exactly representable', () => {
    const v = new Float32Array([0, -0, 1, -2.5, 65504, 2 ** -24, 0.0999755859375]);
    expect([...fromFloat16Bytes(toFloat16Bytes(v))]).toEqual([...v]);
  });
});
