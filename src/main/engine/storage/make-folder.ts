import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { msg, type EngineMessageKey, type MessageParams } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';
import { diskError } from './disk-errors';

/** Deeper than this many missing levels is refused (a typo, or a file system that loops). */
const MAX_MISSING = 64;

const fail = (
  code: 'disk.error' | 'disk.permission',
  folder: string,
  key: EngineMessageKey,
  params: MessageParams,
): never => {
  throw new UpresError(code, msg(key, { folder, ...params }));
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
        return fail('disk.permission', target, 'pipeline.folderNoLook', { dir: dirname(at) });
      throw diskError(err, target);
    });
    if (info) {
      if (!info.isDirectory()) fail('disk.error', target, 'pipeline.folderIsFile', { path: at });
      break;
    }
    missing.push(at);
    if (missing.length > MAX_MISSING)
      fail('disk.error', target, 'pipeline.folderTooDeep', { max: MAX_MISSING });
    const up = dirname(at);
    if (up === at) fail('disk.error', target, 'pipeline.folderNoRoot', { root: at });
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
        fail('disk.error', target, 'pipeline.folderIsFile', { path: dir });
      }
      if (code === 'ENOENT')
        fail('disk.error', target, 'pipeline.folderNoNew', { dir: dirname(dir) });
      if (code === 'EACCES' || code === 'EPERM')
        fail('disk.permission', target, 'pipeline.folderNoCreate', { dir });
      if (code === 'ENOTDIR')
        fail('disk.error', target, 'pipeline.folderNotFolder', { dir: dirname(dir) });
      throw diskError(err, target);
    }
  }
}
