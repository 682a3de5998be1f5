import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { OnExists } from '../../../shared/queue';
import { commitOutput, finishCommit, type CommitResult } from '../pipeline/safe-write';
import { diskError } from '../storage/disk-errors';
import { makeFolder } from '../storage/make-folder';

/**
 * Before an item renders: with the `skip` policy an existing output means there is nothing to do
 * (returns 'skipped'); otherwise the output's folder is created. A folder that cannot be created
 * fails with a disk code naming it.
 */
export async function prepareOutput(target: string, onExists: OnExists): Promise<'skipped' | 'go'> {
  if (onExists === 'skip' && (await exists(target))) return 'skipped';
  await makeFolder(dirname(target));
  return 'go';
}

/**
 * The commit step: gives the finished temp file its final name under the collision policy. On a
 * failure the temp file is removed and the error carries a disk code; on success the caller removes
 * it (`finishCommit`) once the result is journaled.
 */
export async function commitItem(
  tmp: string,
  target: string,
  onExists: OnExists,
): Promise<CommitResult> {
  try {
    return await commitOutput(tmp, target, onExists);
  } catch (err) {
    await finishCommit(tmp);
    throw diskError(err, dirname(target));
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
