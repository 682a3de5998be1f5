import { open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Whether a process id belongs to a live process. */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The temp file a process writes `path` through: hidden, beside it, named for the process. */
function tempOf(path: string, pid = process.pid): string {
  return join(dirname(path), `.${basename(path)}.${pid}.tmp`);
}

/**
 * Writes a file through a temp file in the same folder, flushed to disk, and a rename, so readers
 * never see half of it and a power loss leaves either the old or the new content.
 */
export async function atomicWrite(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = tempOf(path);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

/**
 * Deletes the temp files a killed process left while writing `path` (those of live processes are
 * theirs to finish). Returns what was deleted.
 */
export async function cleanStaleWrites(path: string): Promise<string[]> {
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    const pid = Number(n.slice(prefix.length, -'.tmp'.length));
    if (!n.startsWith(prefix) || !n.endsWith('.tmp') || !Number.isInteger(pid)) continue;
    if (processAlive(pid)) continue;
    const stale = join(dirname(path), n);
    await unlink(stale).then(
      () => removed.push(stale),
      () => undefined,
    );
  }
  return removed;
}
