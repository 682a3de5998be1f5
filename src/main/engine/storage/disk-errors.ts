import { UpresError, type ErrorCode } from '../../../shared/errors';

const CODES: Record<string, { code: ErrorCode; words: string }> = {
  ENOSPC: { code: 'disk.full', words: 'the disk is full' },
  EDQUOT: { code: 'disk.full', words: 'the disk is full' },
  EROFS: { code: 'disk.read-only', words: 'the disk is read-only' },
  EACCES: { code: 'disk.permission', words: 'permission denied' },
  EPERM: { code: 'disk.permission', words: 'permission denied' },
  EFBIG: { code: 'disk.error', words: 'the file is too large for this disk' },
};

/**
 * A failed write into `folder` as an UpresError with a disk code and plain words
 * ("cannot write to /out: the disk is full"). Called where outputs are written, so nothing later
 * has to read errno codes or messages. An UpresError passes through unchanged.
 */
export function diskError(err: unknown, folder: string): UpresError {
  if (err instanceof UpresError) return err;
  const e = err as NodeJS.ErrnoException;
  const known = e?.code ? CODES[e.code] : undefined;
  const words = known?.words ?? (e instanceof Error ? e.message : String(err));
  return new UpresError(known?.code ?? 'disk.error', `cannot write to ${folder}: ${words}`, {
    cause: err,
  });
}

/** Whether a thrown value carries an errno code of a disk fault (full, read-only, no permission…). */
export function isDiskFault(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code !== undefined && code in CODES;
}
