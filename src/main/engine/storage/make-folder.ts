import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UpresError } from '../../../shared/errors';
import { diskError } from './disk-errors';

/** Deeper than this many missing levels is refused (a typo, or a file system that loops). */
const MAX_MISSING = 64;

const fail = (code: 'disk.error' | 'disk.permission', folder: string, why: string): never => {
  throw new UpresError(code, `cannot write to ${folder}: ${why}`);
};

/**
 * Creates a folder and its missing parents one level at a time, at most 64 levels, with errors
 * that name the folder (a file in the way, no permission, a file system such as /proc that refuses
 * new folders). `mkdir(…, { recursive: true })` spins for ever on such a path instead.
 */
export async function makeFolder(folder: string): Promise<void> {
  const target = resolve(folder);
  const missing: string[] = [];
  for (let at = target; ;) {
    const info = await stat(at).catch((err: NodeJS.ErrnoException) => {
      // ENOTDIR: something above is a file; walking up finds which.
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
      if (err.code === 'EACCES' || err.code === 'EPERM')
        return fail('disk.permission', target, `permission denied to look into ${dirname(at)}`);
      throw diskError(err, target);
    });
    if (info) {
      if (!info.isDirectory()) fail('disk.error', target, `${at} is a file, not a folder`);
      break;
    }
    missing.push(at);
    if (missing.length > MAX_MISSING)
      fail('disk.error', target, `more than ${MAX_MISSING} levels of it are missing`);
    const up = dirname(at);
    if (up === at) fail('disk.error', target, `its root ${at} does not exist`);
    at = up;
  }
  for (const dir of missing.reverse()) {
    try {
      await mkdir(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        // Made meanwhile by someone else, which is fine if it is a folder.
        if ((await stat(dir).catch(() => undefined))?.isDirectory()) continue;
        fail('disk.error', target, `${dir} is a file, not a folder`);
      }
      if (code === 'ENOENT')
        fail('disk.error', target, `${dirname(dir)} does not allow new folders in it`);
      if (code === 'EACCES' || code === 'EPERM')
        fail('disk.permission', target, `permission denied to create ${dir}`);
      if (code === 'ENOTDIR') fail('disk.error', target, `${dirname(dir)} is not a folder`);
      throw diskError(err, target);
    }
  }
}
