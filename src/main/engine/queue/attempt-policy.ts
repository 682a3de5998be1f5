import type { DeviceRequest } from '../../../shared/device';
import { msg, type EngineMessage } from '../../../shared/engine-message';
import { DeviceError } from '../runtime/runtime-errors';
import { nextDevice } from '../runtime/provider-select';
import { classifyFault, MIN_RETRY_TILE } from './fault-policy';

/** The overrides one render of an item runs with (none on the first try). */
export interface Attempt {
  tile?: number;
  device?: DeviceRequest;
}

/**
 * What to try after a failed render, or undefined to give up: out of memory → half the tile size
 * (down to MIN_RETRY_TILE), then one step down the provider list; a GPU provider error → one step
 * down the provider list (e.g. CUDA → WebGPU → CPU). A note says what was done. Disk faults and
 * everything else are not retried.
 */
export function nextAttempt(
  err: unknown,
  tried: Attempt & { lastTile: number; requested: DeviceRequest },
): { attempt: Attempt; note: EngineMessage } | undefined {
  const kind = classifyFault(err);
  const { lastTile } = tried;
  if (kind === 'memory' && lastTile > MIN_RETRY_TILE) {
    const tile = Math.max(MIN_RETRY_TILE, Math.floor(lastTile / 2 / 16) * 16);
    return {
      attempt: { tile, device: tried.device },
      note: msg('runtime.retriedSmallerTile', { lastTile, tile }),
    };
  }
  const onCpu = tried.device === 'cpu' || tried.requested === 'cpu';
  const failedOn = err instanceof DeviceError ? err.device : tried.device;
  if ((kind === 'memory' || kind === 'provider') && !onCpu && failedOn !== 'cpu') {
    const device = failedOn && failedOn !== 'auto' ? nextDevice(failedOn) : 'cpu';
    return {
      attempt: { tile: tried.tile, device },
      note: msg('runtime.retriedOn', { fault: kind, error: (err as Error).message, device }),
    };
  }
  return undefined;
}
