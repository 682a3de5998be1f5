import { UpresError } from '../../../shared/errors';

/** What kind of failure an item hit, which decides whether it is retried and how. */
export type FaultKind = 'memory' | 'provider' | 'disk' | 'other';

/**
 * The kind of a failure, from its code alone: the runtime turns onnxruntime's messages into
 * `device.*` codes and the writers turn errno codes into `disk.*`, where each fault arises.
 */
export function classifyFault(err: unknown): FaultKind {
  if (!(err instanceof UpresError)) return 'other';
  if (err.code === 'device.out-of-memory') return 'memory';
  if (err.code === 'device.provider') return 'provider';
  if (err.code.startsWith('disk.')) return 'disk';
  return 'other';
}

/** Smallest tile core a memory retry goes down to. */
export const MIN_RETRY_TILE = 32;
