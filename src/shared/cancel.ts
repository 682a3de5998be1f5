import { msg } from './engine-message';
import { UpresError } from './errors';

/** The error of a stage stopped by its AbortSignal (code `cancelled`, naming what stopped). */
export function cancelledError(what: string): UpresError {
  return new UpresError('cancelled', msg('batch.cancelled', { what }));
}

/**
 * Checked between the steps of a long stage (decode, model load, tiles, encode, previews): throws
 * `cancelled` once the signal has fired. A step in flight is never interrupted, only the next one.
 */
export function throwIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw cancelledError(what);
}
