import { fromFloat16Bytes, fromFloat32Bytes } from '../float16';

export type TorchDtype =
  'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'uint8' | 'bool';

/** Bytes per element of each dtype. */
export const DTYPE_SIZE: Record<TorchDtype, number> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  uint8: 1,
  bool: 1,
};

/** True for the dtypes that hold weights; integer tensors are bookkeeping (num_batches_tracked). */
export function isFloatDtype(dtype: TorchDtype): boolean {
  return dtype === 'float32' || dtype === 'float16' || dtype === 'bfloat16' || dtype === 'float64';
}

/**
 * A tensor from a checkpoint, gathered into row-major order and widened to fp32 whatever its
 * stored dtype (`dtype` says what it was). Integer values are exact up to 2^24.
 */
export class TorchTensor {
  values: Float32Array = new Float32Array(0);
  constructor(
    readonly dtype: TorchDtype,
    readonly shape: number[],
  ) {}
}

/** Where a tensor's elements live: a slice of one storage record, in elements. */
export interface StorageRef {
  key: string;
  dtype: TorchDtype;
  /** First element of this (possibly view) storage within the record. */
  offset: number;
  numel: number;
}

export interface TensorLayout {
  storage: StorageRef;
  storageOffset: number;
  shape: number[];
  stride: number[];
}

const MAX_DIM = 2 ** 31;

/**
 * Checks a tensor's layout against its storage and returns the number of storage elements it
 * spans from its offset (0 for an empty tensor); throws a description of what is wrong.
 */
export function checkLayout(t: TensorLayout): number {
  const { storage, storageOffset, shape, stride } = t;
  if (shape.length > 64) throw new Error(`a tensor has ${shape.length} dimensions`);
  if (stride.length !== shape.length)
    throw new Error(`a tensor's stride [${stride}] does not match its shape [${shape}]`);
  if (!shape.every((d) => Number.isInteger(d) && d >= 0 && d < MAX_DIM))
    throw new Error(`a tensor has an invalid shape [${shape}]`);
  if (!stride.every((s) => Number.isInteger(s) && s >= 0))
    throw new Error(`a tensor has an invalid stride [${stride}]`);
  if (!Number.isInteger(storageOffset) || storageOffset < 0 || storageOffset > storage.numel)
    throw new Error(`a tensor's storage offset ${storageOffset} lies outside its storage`);
  let elements = 1;
  for (const d of shape) {
    elements *= d;
    // Weights never broadcast (stride 0) past their storage, and this bounds the allocation.
    if (elements > storage.numel)
      throw new Error(`a tensor of shape [${shape}] has more elements than its storage`);
  }
  if (elements === 0) return 0;
  let extent = 1;
  for (let i = 0; i < shape.length; i++) {
    // A stride past the storage can only be harmless in a dimension of size 1.
    if (shape[i] > 1) extent += (shape[i] - 1) * stride[i];
    if (storageOffset + extent > storage.numel)
      throw new Error(
        `a tensor of shape [${shape}], stride [${stride}] at offset ${storageOffset} extends ` +
          `beyond its storage of ${storage.numel} elements`,
      );
  }
  return extent;
}

function decode(raw: Uint8Array, dtype: TorchDtype): Float32Array {
  const n = raw.length / DTYPE_SIZE[dtype];
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (dtype) {
    case 'float32':
      return fromFloat32Bytes(raw);
    case 'float16':
      return fromFloat16Bytes(raw);
    case 'bfloat16': {
      const bits = new Uint32Array(n);
      for (let i = 0; i < n; i++) bits[i] = dv.getUint16(2 * i, true) << 16;
      return new Float32Array(bits.buffer);
    }
    case 'float64': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = dv.getFloat64(8 * i, true);
      return out;
    }
    case 'int64': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++)
        out[i] = dv.getInt32(8 * i + 4, true) * 2 ** 32 + dv.getUint32(8 * i, true);
      return out;
    }
    case 'int32': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = dv.getInt32(4 * i, true);
      return out;
    }
    case 'uint8':
    case 'bool':
      return Float32Array.from(raw);
  }
}

/**
 * Fills `tensor.values` from the storage record's bytes, following offset and strides.
 * `record` must already be known to hold the storage; checkLayout must have passed.
 */
export function materialize(tensor: TorchTensor, t: TensorLayout, record: Uint8Array): void {
  const extent = checkLayout(t);
  if (extent === 0) return;
  const size = DTYPE_SIZE[t.storage.dtype];
  const first = (t.storage.offset + t.storageOffset) * size;
  const src = decode(record.subarray(first, first + extent * size), t.storage.dtype);
  const { shape, stride } = t;
  let expected = 1;
  let contiguous = true;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== expected) contiguous = false;
    expected *= shape[i];
  }
  if (contiguous) {
    tensor.values = src; // a contiguous layout spans exactly its elements
    return;
  }
  const out = new Float32Array(expected);
  const index = new Array<number>(shape.length).fill(0);
  let at = 0;
  for (let i = 0; i < expected; i++) {
    out[i] = src[at];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) {
        at += stride[d];
        break;
      }
      at -= (shape[d] - 1) * stride[d];
      index[d] = 0;
    }
  }
  tensor.values = out;
}
