// Reading a model file the user named: a regular file only, read within its size and a cap.
import { basename } from 'node:path';
import { readRegularFile } from '../storage/safe-open';

/**
 * Largest model file Upres reads: 2 GiB. The upscalers it runs weigh at most a few hundred MB
 * (RRDBNet ×4 is 64 MB in fp32, the largest transformer upscalers ~0.5 GB), and a file is held in
 * memory whole while it is converted.
 */
export const MAX_MODEL_FILE_BYTES = 2 * 1024 ** 3;

/**
 * A model file's bytes, refused (`model.refused`, naming the file) when it is not a regular file
 * (a FIFO, `/dev/zero`, a folder: checked on the opened descriptor) or over MAX_MODEL_FILE_BYTES.
 */
export function readModelBytes(path: string): Promise<Buffer> {
  return readRegularFile(path, 'model', { label: basename(path), maxBytes: MAX_MODEL_FILE_BYTES });
}
