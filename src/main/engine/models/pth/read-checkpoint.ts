// PyTorch checkpoints (.pth / .pt / .ckpt) read without executing anything from the file: the
// pickle is interpreted opcode by opcode and may only name the allow-listed globals of
// torch-globals.ts (tensor rebuilds, storage types, OrderedDict).
import { basename } from 'node:path';
import { readModelBytes } from '../model-bytes';
import { parseLegacyCheckpoint } from './legacy-format';
import { TorchTensor } from './torch-tensor';
import { parseZipCheckpoint } from './zip-format';
import { isZip } from './zip-reader';

export { TorchTensor, isFloatDtype, type TorchDtype } from './torch-tensor';

export interface TorchCheckpoint {
  format: 'zip' | 'legacy';
  /**
   * The unpickled top-level object: dicts are Maps, lists and tuples arrays (tuples frozen),
   * tensors TorchTensor; ints beyond 2^53 are bigints, Python 3 bytes Uint8Arrays.
   */
  root: unknown;
}

/** Parses checkpoint bytes; `label` (usually the file name) prefixes every error message. */
export function parseTorchCheckpoint(bytes: Uint8Array, label: string): TorchCheckpoint {
  return isZip(bytes)
    ? { format: 'zip', root: parseZipCheckpoint(bytes, label) }
    : { format: 'legacy', root: parseLegacyCheckpoint(bytes, label) };
}

/** Reads a PyTorch checkpoint file in either the zip (torch ≥ 1.6) or the legacy format. */
export async function readTorchCheckpoint(path: string): Promise<TorchCheckpoint> {
  return parseTorchCheckpoint(await readModelBytes(path), basename(path));
}

// Training frameworks wrap the weights: BasicSR / Real-ESRGAN save the EMA weights (the ones
// they publish results with) as params_ema next to params; Lightning and many repos use
// state_dict.
const WRAPPERS = ['params_ema', 'params', 'state_dict'];

function tensorsOf(obj: unknown): Map<string, TorchTensor> {
  const out = new Map<string, TorchTensor>();
  if (obj instanceof Map)
    for (const [k, v] of obj) if (typeof k === 'string' && v instanceof TorchTensor) out.set(k, v);
  return out;
}

/**
 * The name → tensor entries of a checkpoint's weights: from params_ema, else params, else
 * state_dict, else the object itself; entries that are not tensors are left out.
 */
export function extractStateDict(root: unknown): Map<string, TorchTensor> {
  if (root instanceof Map) {
    for (const key of WRAPPERS) {
      const tensors = tensorsOf(root.get(key));
      if (tensors.size > 0) return tensors;
    }
  }
  return tensorsOf(root);
}
