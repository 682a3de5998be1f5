import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { msg } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';
import type { OnExists } from '../../../shared/queue';

// Outputs are written to a hidden temp file beside their final path and only then given their
// name, so a final path never holds a partial file and nothing is replaced by surprise.

/** Suffix every temp file Upres writes next to an output carries; leftovers are cleaned on resume. */
export const TEMP_SUFFIX = '.upres-tmp';
/** Scratch folders a render makes beside its output (RealPLKSR's GroupNorm maps): hidden, and gone after a crash too. */
export const SCRATCH_PREFIX = '.upres-scratch-';

/** A temp path in the output's folder, hidden, unique. */
export function tempPathFor(output: string): string {
  return join(
    dirname(output),
    `.${basename(output)}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`,
  );
}

function candidate(path: string, n: number): string {
  if (n === 0) return path;
  const ext = extname(path);
  return join(dirname(path), `${basename(path, ext)}_${n}${ext}`);
}

export type CommitResult = { state: 'done'; output: string } | { state: 'skipped'; output: string };

/**
 * Gives a finished temp file its final name. `suffix`: hard-link to the first free name
 * (`x.png`, `x_1.png`, …), never replacing anything; `overwrite`: atomic rename over the target;
 * `skip`: keep an existing target and drop the temp file. A final path never holds a partial file.
 * The temp file is removed by the caller (after it has recorded the result), see `finishCommit`.
 */
export async function commitOutput(
  tmp: string,
  target: string,
  onExists: OnExists,
): Promise<CommitResult> {
  if (onExists === 'skip' && existsSync(target)) return { state: 'skipped', output: target };
  if (onExists === 'overwrite') {
    await rename(tmp, target);
    return { state: 'done', output: target };
  }
  for (let n = 0; n < 10_000; n++) {
    const path = candidate(target, n);
    try {
      await link(tmp, path);
      return { state: 'done', output: path };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        if (onExists === 'skip') return { state: 'skipped', output: path };
        continue;
      }
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV') {
        // Filesystems without hard links (FAT, some network shares): rename is the best there is.
        if (existsSync(path)) continue;
        await rename(tmp, path);
        return { state: 'done', output: path };
      }
      throw err;
    }
  }
  throw new UpresError(
    'disk.error',
    msg('pipeline.noFreeName', { folder: dirname(target), file: target }),
  );
}

/** Removes a temp file once its result is recorded. */
export async function finishCommit(tmp: string): Promise<void> {
  await unlink(tmp).catch(() => undefined);
}

/**
 * After a crash during `commitOutput`: if the temp file was already linked to one of the target's
 * names, that name (same inode) is the output. Returns undefined when the commit never happened.
 */
export async function findCommitted(tmp: string, target: string): Promise<string | undefined> {
  let t;
  try {
    t = await stat(tmp);
  } catch {
    return undefined;
  }
  if (t.nlink < 2) return undefined;
  for (let n = 0; n < 10_000; n++) {
    const path = candidate(target, n);
    let s;
    try {
      s = await stat(path);
    } catch {
      return undefined;
    }
    if (s.ino === t.ino && s.dev === t.dev) return path;
  }
  return undefined;
}

/** Deletes Upres temp files and scratch folders left in a folder by a crash, except those in `keep`. */
export async function cleanTempFiles(
  dir: string,
  keep: Set<string> = new Set(),
): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    const path = join(dir, n);
    if (n.startsWith(SCRATCH_PREFIX) && !keep.has(path)) {
      await rm(path, { recursive: true, force: true }).then(
        () => removed.push(path),
        () => undefined,
      );
      continue;
    }
    if (!n.startsWith('.') || !n.endsWith(TEMP_SUFFIX) || keep.has(path)) continue;
    await unlink(path).then(
      () => removed.push(path),
      () => undefined,
    );
  }
  return removed;
}
