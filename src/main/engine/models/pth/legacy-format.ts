// torch.save before 1.6 (and `_use_new_zipfile_serialization=False` since): a run of pickles
// (magic number, protocol version, sys_info, the object, the storage keys) followed by each
// storage as an 8-byte little-endian element count and its raw bytes.
import { refused } from '../refusal';
import { runPickle } from './pickle-machine';
import { TorchUnpickler } from './torch-globals';
import { DTYPE_SIZE } from './torch-tensor';

const MAGIC = 0x1950a86a20f9469cfc6cn;
const PROTOCOL_VERSION = 1001;

/** Parses a legacy-format checkpoint and returns its top-level object with tensors filled. */
export function parseLegacyCheckpoint(bytes: Uint8Array, label: string): unknown {
  const fail = (why: string): never => {
    throw new Error(`${label}: ${why}`);
  };
  if (bytes[0] !== 0x80) throw refused('modelFiles.notTorchCheckpoint', { file: label });
  const plain = new TorchUnpickler(label, 'none');
  const magic = runPickle(bytes, 0, plain, label);
  if (magic.value !== MAGIC) throw refused('modelFiles.torchWrongMagic', { file: label });
  const version = runPickle(bytes, magic.end, plain, label);
  if (version.value !== PROTOCOL_VERSION)
    fail(`has legacy protocol version ${String(version.value)}, not ${PROTOCOL_VERSION}`);
  const sysInfo = runPickle(bytes, version.end, plain, label);
  if (!(sysInfo.value instanceof Map) || sysInfo.value.get('little_endian') !== true)
    throw refused('modelFiles.torchBigEndian', { file: label });

  const unpickler = new TorchUnpickler(label, 'legacy');
  const main = runPickle(bytes, sysInfo.end, unpickler, label);
  const keyList = runPickle(bytes, main.end, plain, label);
  const keys = keyList.value;
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string'))
    fail('the storage key list is not a list of strings');

  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records = new Map<string, Uint8Array>();
  let pos = keyList.end;
  for (const key of keys as string[]) {
    const storage = unpickler.storages.get(key);
    if (!storage) return fail(`storage ${key} is listed but never used`);
    if (records.has(key)) fail(`storage ${key} is listed twice`);
    if (pos + 8 > bytes.length)
      throw refused('modelFiles.torchStorageTruncated', { file: label, storage: key });
    const count = dv.getBigInt64(pos, true);
    if (count !== BigInt(storage.numel))
      fail(`storage ${key} holds ${count} elements but is declared with ${storage.numel}`);
    const n = storage.numel * DTYPE_SIZE[storage.dtype];
    if (pos + 8 + n > bytes.length)
      throw refused('modelFiles.torchStorageBytesTruncated', {
        file: label,
        storage: key,
        bytes: String(n),
      });
    records.set(key, bytes.subarray(pos + 8, pos + 8 + n));
    pos += 8 + n;
  }
  unpickler.materializeAll((key) => records.get(key) ?? fail(`storage ${key} is missing`));
  return main.value;
}
