// torch.save's default format since 1.6: a zip holding `<prefix>/data.pkl` (the object pickle)
// and one `<prefix>/data/<key>` record per storage, named by the pickle's persistent ids.
import { runPickle } from './pickle-machine';
import { TorchUnpickler } from './torch-globals';
import { readZipDirectory, zipEntryData } from './zip-reader';

/** Parses a zip-format checkpoint and returns its top-level object with tensors filled. */
export function parseZipCheckpoint(bytes: Uint8Array, label: string): unknown {
  const fail = (why: string): never => {
    throw new Error(`${label}: ${why}`);
  };
  const entries = readZipDirectory(bytes, label);
  // The prefix is the archive's name when it was written, so it varies from file to file.
  const pickles = [...entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length !== 1)
    fail(`is a zip archive but not a PyTorch checkpoint (${pickles.length} data.pkl records)`);
  const prefix = pickles[0].slice(0, -'data.pkl'.length);
  if (entries.has(`${prefix}constants.pkl`))
    fail('is a TorchScript archive (torch.jit.save), not a checkpoint of weights');
  const byteorder = entries.get(`${prefix}byteorder`);
  if (byteorder) {
    const order = Buffer.from(zipEntryData(bytes, byteorder, label))
      .toString('latin1')
      .trim();
    if (order !== 'little') fail(`stores tensors in ${order}-endian byte order, not supported`);
  }

  const unpickler = new TorchUnpickler(label, 'zip');
  const pickle = zipEntryData(bytes, entries.get(pickles[0])!, label);
  const { value } = runPickle(pickle, 0, unpickler, label);
  unpickler.materializeAll((key, needed) => {
    const entry = entries.get(`${prefix}data/${key}`);
    if (!entry) return fail(`storage ${key} has no data/${key} record`);
    if (entry.size < needed)
      fail(
        `tensor bytes beyond the file: storage ${key} needs ${needed} bytes, its record holds ${entry.size}`,
      );
    return zipEntryData(bytes, entry, label);
  });
  return value;
}
