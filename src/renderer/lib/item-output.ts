// What an item will produce, as the engine planned it (QueueItem.plan), and what it did produce:
// the renderer shows these and derives nothing of its own.

import type { OutputPlan, QueueItem } from '../../shared/queue';
import type { Size } from './view-transform';

/** The facts of a queue item that say its output size. */
export type SizedItem = Pick<QueueItem, 'plan' | 'outWidth' | 'outHeight'>;

/** An item's output size: the real one once rendered, else the planned one; undefined if unknown. */
export function itemOutputSize(item: SizedItem): Size | undefined {
  if (item.outWidth !== undefined && item.outHeight !== undefined)
    return { width: item.outWidth, height: item.outHeight };
  return item.plan ? { width: item.plan.width, height: item.plan.height } : undefined;
}

/** The input's size from its header, when it could be read. */
export function itemInputSize(item: Pick<QueueItem, 'width' | 'height'>): Size | undefined {
  return item.width !== undefined && item.height !== undefined
    ? { width: item.width, height: item.height }
    : undefined;
}

/**
 * The folder a plan writes into: its path without the file name and the separator the engine put
 * before it (a root folder keeps its separator).
 */
export function planFolder(plan: Pick<OutputPlan, 'path' | 'fileName'>): string {
  if (!plan.path.endsWith(plan.fileName)) return plan.path;
  const withSep = plan.path.slice(0, plan.path.length - plan.fileName.length);
  const bare = withSep.slice(0, -1);
  return bare === '' || bare.endsWith(':') ? withSep : bare;
}

/** "png" → "PNG", "jpeg" → "JPEG", "webp" → "WebP". */
export function formatLabel(format: OutputPlan['format']): string {
  return format === 'webp' ? 'WebP' : format.toUpperCase();
}
