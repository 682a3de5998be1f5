import type { DeviceRequest } from '../../../shared/device';
import { classifyFault, MIN_RETRY_TILE } from './fault-policy';

/** The overrides one render of an item runs with (none on the first try). */
export interface Attempt {
  tile?: number;
  device?: DeviceRequest;
}

/**
 * What to try after a failed render, or undefined to give up: out of memory → half the tile size
 * (down to MIN_RETRY_TILE), then the CPU; a GPU provider error → the CPU. A note says what was
 * done. Disk faults and everything else are not retried.
 */
export function nextAttempt(
  err: unknown,
  tried: Attempt & { lastTile: number; requested: DeviceRequest },
): { attempt: Attempt; note: string } | undefined {
  const kind = classifyFault(err);
  const { lastTile } = tried;
  if (kind === 'memory' && lastTile > MIN_RETRY_TILE) {
    const tile = Math.max(MIN_RETRY_TILE, Math.floor(lastTile / 2 / 16) * 16);
    return {
      attempt: { tile, device: tried.device },
      note: `out of memory with ${lastTile} px tiles; retried with ${tile} px`,
    };
  }
  const onCpu = tried.device === 'cpu' || tried.requested === 'cpu';
  if ((kind === 'memory' || kind === 'provider') && !onCpu) {
    const what = kind === 'memory' ? 'out of memory' : 'provider error';
    return {
      attempt: { tile: tried.tile, device: 'cpu' },
      note: `${what} (${(err as Error).message}); retried on the CPU`,
    };
  }
  return undefined;
}
