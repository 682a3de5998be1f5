import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';

function candidate(path: string, n: number): string {
  if (n === 0) return path;
  const ext = extname(path);
  return join(dirname(path), `${basename(path, ext)}_${n}${ext}`);
}

/** A hidden, unique temp path beside `path` (the `.upres-tmp` suffix the queue cleans up). */
export function tempPathBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.upres-tmp`);
}

/**
 * Gives a finished temp file the first free name (`name.ext`, `name_1.ext`, …) without ever
 * replacing an existing file, by hard-linking it there; the temp file is removed. Returns the path.
 */
export async function commitNewFile(tmp: string, path: string): Promise<string> {
  try {
    for (let n = 0; n < 10_000; n++) {
      const target = candidate(path, n);
      try {
        await link(tmp, target);
        return target;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') continue;
        if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV') {
          // Filesystems without hard links (FAT, some network shares): rename is the best we have.
          if (existsSync(target)) continue;
          await rename(tmp, target);
          return target;
        }
        throw err;
      }
    }
    throw new Error(`no free file name for ${path}`);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/**
 * Writes `data` to `path` without ever leaving a partial file there and without replacing an
 * existing file: the bytes go to a temp file in the same folder, which is then hard-linked to the
 * first free name (`name.ext`, `name_1.ext`, …). Returns the path written.
 */
export async function writeNewFile(path: string, data: Uint8Array): Promise<string> {
  const tmp = tempPathBeside(path);
  try {
    await writeFile(tmp, data, { flag: 'wx' });
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  return commitNewFile(tmp, path);
}
