// torch.save's default format since 1.6: a zip holding `<prefix>/data.pkl` (the object pickle)
// and one `<prefix>/data/<key>` record per storage, named by the pickle's persistent ids.
import { refused } from '../refusal';
import { runPickle } from './pickle-machine';
import { TorchUnpickler } from './torch-globals';
import { DTYPE_SIZE } from './torch-tensor';
import { readZipDirectory, zipEntryData } from './zip-reader';

/** The object pickle of a state dict is kilobytes; 64 MiB leaves room for any real checkpoint. */
const MAX_PICKLE_BYTES = 64 * 1024 ** 2;
/**
 * Bytes a storage record may hold beyond what its storage declares (none in torch.save's own
 * files, where a record is exactly its storage).
 */
const RECORD_SLACK = 4096;
/**
 * All storages together: the weights are held in memory (and widened to fp32), and the upscalers
 * Upres runs weigh at most a few hundred MB.
 */
const MAX_STORAGE_BYTES = 2 * 1024 ** 3;

/** Parses a zip-format checkpoint and returns its top-level object with tensors filled. */
export function parseZipCheckpoint(bytes: Uint8Array, label: string): unknown {
  const fail = (why: string): never => {
    throw new Error(`${label}: ${why}`);
  };
  const entries = readZipDirectory(bytes, label);
  // The prefix is the archive's name when it was written, so it varies from file to file.
  const pickles = [...entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length !== 1)
    throw refused('modelFiles.torchZipNotCheckpoint', { file: label, count: pickles.length });
  const prefix = pickles[0].slice(0, -'data.pkl'.length);
  if (entries.has(`${prefix}constants.pkl`))
    throw refused('modelFiles.torchScript', { file: label });
  const byteorder = entries.get(`${prefix}byteorder`);
  if (byteorder) {
    const order = Buffer.from(zipEntryData(bytes, byteorder, label, 64))
      .toString('latin1')
      .trim();
    if (order !== 'little') throw refused('modelFiles.torchByteOrder', { file: label, order });
  }

  const unpickler = new TorchUnpickler(label, 'zip');
  const pickle = zipEntryData(bytes, entries.get(pickles[0])!, label, MAX_PICKLE_BYTES);
  const { value } = runPickle(pickle, 0, unpickler, label);
  // The budget of every record comes from the pickle: the storages it declares, nothing more.
  let declared = 0;
  for (const s of unpickler.storages.values()) declared += s.numel * DTYPE_SIZE[s.dtype];
  if (declared > MAX_STORAGE_BYTES)
    throw refused('modelFiles.torchStoragesTooLarge', {
      file: label,
      bytes: String(declared),
      limit: String(MAX_STORAGE_BYTES),
    });
  unpickler.materializeAll((key, needed) => {
    const entry = entries.get(`${prefix}data/${key}`);
    if (!entry) return fail(`storage ${key} has no data/${key} record`);
    if (entry.size < needed)
      fail(
        `tensor bytes beyond the file: storage ${key} needs ${needed} bytes, its record holds ${entry.size}`,
      );
    return zipEntryData(bytes, entry, label, needed + RECORD_SLACK);
  });
  return value;
}
