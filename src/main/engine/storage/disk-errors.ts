import { msg, type EngineMessageKey } from '../../../shared/engine-message';
import { UpresError, type ErrorCode } from '../../../shared/errors';

const CODES: Record<string, { code: ErrorCode; key: EngineMessageKey }> = {
  ENOSPC: { code: 'disk.full', key: 'pipeline.diskFull' },
  EDQUOT: { code: 'disk.full', key: 'pipeline.diskFull' },
  EROFS: { code: 'disk.read-only', key: 'pipeline.diskReadOnly' },
  EACCES: { code: 'disk.permission', key: 'pipeline.diskPermission' },
  EPERM: { code: 'disk.permission', key: 'pipeline.diskPermission' },
  EFBIG: { code: 'disk.error', key: 'pipeline.diskFileTooLarge' },
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
  const said = known
    ? msg(known.key, { folder })
    : msg('pipeline.diskOther', { folder, reason: e instanceof Error ? e.message : String(err) });
  return new UpresError(known?.code ?? 'disk.error', said, { cause: err });
}

/** Whether a thrown value carries an errno code of a disk fault (full, read-only, no permission…). */
export function isDiskFault(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code !== undefined && code in CODES;
}
