import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from '../../../src/main/engine/models/safetensors';

const tensors = [
  { name: 'a.weight', shape: [2, 3], values: Float32Array.from([1, -2, 3.5, 0, 0.25, -0.125]) },
  { name: 'a.bias', shape: [2], values: Float32Array.from([0.1, 7]) },
];

function header(bytes: Uint8Array): Record<string, unknown> {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString());
}

function withHeader(h: object, data: Uint8Array): Uint8Array {
  const json = Buffer.from(JSON.stringify(h));
  const out = Buffer.alloc(8 + json.length + data.length);
  out.writeBigUInt64LE(BigInt(json.length));
  json.copy(out, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors', () => {
  it('writes the documented layout: u64 header length, JSON header, little-endian data', () => {
    const bytes = encodeSafetensors(tensors, 'F32', { note: 'x' });
    const h = header(bytes);
    expect(h.__metadata__).toEqual({ note: 'x' });
    expect(h['a.weight']).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    expect(h['a.bias']).toEqual({ dtype: 'F32', shape: [2], data_offsets: [24, 32] });
    const start = bytes.length - 32;
    expect(Buffer.from(bytes).readFloatLE(start + 8)).toBe(3.5);
    expect((8 + Number(Buffer.from(bytes).readBigUInt64LE(0))) % 8).toBe(0);
  });

  it('round-trips fp32 exactly and fp16 to half precision', () => {
    const f32 = decodeSafetensors(encodeSafetensors(tensors, 'F32'));
    expect([...f32.tensors.get('a.bias')!.values]).toEqual([...tensors[1].values]);
    const f16 = decodeSafetensors(encodeSafetensors(tensors, 'F16'));
    expect([...f16.tensors.get('a.weight')!.values]).toEqual([1, -2, 3.5, 0, 0.25, -0.125]);
    expect(f16.tensors.get('a.bias')!.values[0]).toBeCloseTo(0.1, 3);
  });

  it('refuses offsets beyond the file, wrong byte counts, bad dtypes and oversized headers', () => {
    const data = new Uint8Array(8);
    expect(() =>
      decodeSafetensors(
        withHeader({ t: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, data),
        'f.st',
      ),
    ).toThrow(/f\.st: tensor t lies beyond the end/);
    expect(() =>
      decodeSafetensors(
        withHeader({ t: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, data),
      ),
    ).toThrow(/8 bytes for shape/);
    expect(() =>
      decodeSafetensors(
        withHeader({ t: { dtype: 'BOOL', shape: [8], data_offsets: [0, 8] } }, data),
      ),
    ).toThrow(/unsupported dtype/);
    const huge = Buffer.alloc(16);
    huge.writeBigUInt64LE(2n ** 40n);
    expect(() => decodeSafetensors(huge)).toThrow(/header length/);
    expect(() => decodeSafetensors(new Uint8Array(3))).toThrow(/too short/);
  });
});
