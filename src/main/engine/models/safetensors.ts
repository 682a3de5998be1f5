import type { EngineMessageKey, MessageParams } from '../../../shared/engine-message';
import { refused } from './refusal';
import { readModelBytes } from './model-bytes';
import { elementCount } from './state-dict';
import { fromFloat16Bytes, fromFloat32Bytes, toFloat16Bytes } from './float16';

export type SafetensorsDtype = 'F16' | 'F32';

export interface NamedTensor {
  name: string;
  shape: number[];
  values: Float32Array;
  /** How the values were stored in the file they were read from (I64: integer buffers). */
  dtype?: SafetensorsDtype | 'I64';
}

type Fail = (key: EngineMessageKey, params?: MessageParams) => never;

const BYTES: Record<SafetensorsDtype | 'I64', number> = { F16: 2, F32: 4, I64: 8 };

/**
 * An int64 tensor (index buffers such as SwinIR's relative_position_index) as exact float32
 * values; anything beyond ±2^24 would not be exact and is refused.
 */
function int64Values(raw: Uint8Array, name: string, fail: Fail): Float32Array {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float32Array(raw.length / 8);
  for (let i = 0; i < out.length; i++) {
    const v = view.getBigInt64(i * 8, true);
    if (v > 16777216n || v < -16777216n)
      fail('modelFiles.safetensorsInt64Range', { tensor: name, value: String(v) });
    out[i] = Number(v);
  }
  return out;
}
const MAX_HEADER = 100 * 1024 * 1024;

/** Serialises tensors to the safetensors format, storing values as fp16 or fp32. */
export function encodeSafetensors(
  tensors: NamedTensor[],
  dtype: SafetensorsDtype,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const t of tensors) {
    if (t.values.length !== elementCount(t.shape)) {
      throw new Error(
        `tensor ${t.name}: ${t.values.length} values for shape [${t.shape.join(',')}]`,
      );
    }
    const data =
      dtype === 'F16'
        ? toFloat16Bytes(t.values)
        : new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength);
    header[t.name] = { dtype, shape: t.shape, data_offsets: [offset, offset + data.length] };
    chunks.push(data);
    offset += data.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

export interface DecodedSafetensors {
  tensors: Map<string, NamedTensor>;
  metadata: Record<string, string>;
}

/** Parses safetensors bytes, validating every offset and shape against the buffer. */
export function decodeSafetensors(bytes: Uint8Array, label = 'safetensors'): DecodedSafetensors {
  const fail: Fail = (key, params) => {
    throw refused(key, { file: label, ...params });
  };
  if (bytes.length < 8) fail('modelFiles.safetensorsTooShort');
  const headerLen = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (headerLen > MAX_HEADER || 8 + headerLen > bytes.length)
    fail('modelFiles.safetensorsHeaderLength', { length: String(headerLen) });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes.subarray(8, 8 + headerLen)).toString('utf8'));
  } catch {
    return fail('modelFiles.safetensorsHeaderJson');
  }
  // Valid JSON is not yet a header: `null`, `3` or `[]` have no tensor entries to read.
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return fail('modelFiles.safetensorsHeaderNotObject');
  const header = parsed as Record<string, unknown>;
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const tensors = new Map<string, NamedTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = (entry ?? {}) as Record<string, string>;
      continue;
    }
    if (entry === null || typeof entry !== 'object')
      fail('modelFiles.safetensorsTensorNotObject', { tensor: name });
    const e = entry as { dtype?: string; shape?: unknown; data_offsets?: unknown };
    if (e.dtype !== 'F16' && e.dtype !== 'F32' && e.dtype !== 'I64')
      fail('modelFiles.safetensorsDtype', { tensor: name, dtype: String(e.dtype) });
    const dtype = e.dtype as SafetensorsDtype | 'I64';
    const shape = e.shape;
    if (
      !Array.isArray(shape) ||
      !shape.every((d) => Number.isInteger(d) && d >= 0 && d < 2 ** 31)
    ) {
      fail('modelFiles.safetensorsShape', { tensor: name });
    }
    const offs = e.data_offsets;
    if (
      !Array.isArray(offs) ||
      offs.length !== 2 ||
      !offs.every((o) => Number.isInteger(o) && o >= 0)
    ) {
      fail('modelFiles.safetensorsOffsets', { tensor: name });
    }
    const [begin, end] = offs as [number, number];
    const count = elementCount(shape as number[]);
    if (end < begin || end > dataLen) fail('modelFiles.safetensorsBeyondEnd', { tensor: name });
    if (end - begin !== count * BYTES[dtype])
      fail('modelFiles.safetensorsByteCount', {
        tensor: name,
        bytes: String(end - begin),
        shape: `${shape as number[]}`,
      });
    const raw = bytes.subarray(dataStart + begin, dataStart + end);
    const values =
      dtype === 'I64'
        ? int64Values(raw, name, fail)
        : dtype === 'F16'
          ? fromFloat16Bytes(raw)
          : fromFloat32Bytes(raw);
    tensors.set(name, { name, shape: shape as number[], values, dtype });
  }
  return { tensors, metadata };
}

/** Reads a safetensors file. */
export async function readSafetensors(path: string): Promise<DecodedSafetensors> {
  return decodeSafetensors(await readModelBytes(path), path);
}
