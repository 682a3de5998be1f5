import { open, rename } from 'node:fs/promises';

/**
 * Writes a file through a temp file in the same folder, flushed to disk, and a rename, so readers
 * never see half of it and a power loss leaves either the old or the new content.
 */
export async function atomicWrite(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}
