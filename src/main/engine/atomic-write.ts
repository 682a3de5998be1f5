import { rename, writeFile } from 'node:fs/promises';

/** Writes a file through a temp file in the same folder and a rename, so readers never see half of it. */
export async function atomicWrite(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}
