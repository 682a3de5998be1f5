/** What kind of failure an item hit, which decides whether it is retried and how. */
export type FaultKind = 'memory' | 'provider' | 'disk' | 'other';

const MEMORY =
  /bad_alloc|out of memory|failed to allocate|cannot allocate|ENOMEM|allocation failed/i;
const PROVIDER = /CUDA|cuDNN|cublas|DirectML|\bDML\b|CoreML|TensorRT|execution provider/i;
const DISK = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EFBIG']);

export function classifyFault(err: unknown, onCpu: boolean): FaultKind {
  const e = err as NodeJS.ErrnoException;
  if (e?.code && DISK.has(e.code)) return 'disk';
  const message = String(e?.message ?? err);
  if (MEMORY.test(message)) return 'memory';
  if (!onCpu && PROVIDER.test(message)) return 'provider';
  return 'other';
}

/** A plain-language message for a failed write. */
export function diskMessage(err: NodeJS.ErrnoException, folder: string): string {
  switch (err.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return `cannot write to ${folder}: the disk is full`;
    case 'EROFS':
      return `cannot write to ${folder}: the disk is read-only`;
    case 'EACCES':
    case 'EPERM':
      return `cannot write to ${folder}: permission denied`;
    case 'EFBIG':
      return `cannot write to ${folder}: the file is too large for this disk`;
    default:
      return `cannot write to ${folder}: ${err.message}`;
  }
}

/** Smallest tile core a memory retry goes down to. */
export const MIN_RETRY_TILE = 32;
