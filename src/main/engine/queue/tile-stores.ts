import type { QueueItem } from '../../../shared/queue';
import { TileStore, tileStoreDirFor } from '../pipeline/tile-store';

/**
 * The folder of an item's tile store: beside its planned output, named for the output and the
 * item (two items that plan one path never share tiles). Undefined without a plan, or when the
 * queue keeps no tiles. The journal covers it: the item's id and plan are all it takes.
 */
export function itemTileStore(
  item: Pick<QueueItem, 'id' | 'plan'>,
  opt: { tileStores?: boolean },
): string | undefined {
  if (opt.tileStores === false || !item.plan) return undefined;
  return tileStoreDirFor(`${item.plan.path}.${item.id}`);
}

/** Deletes the tile stores of items whose tiles are no longer wanted (removed, re-planned). */
export async function discardTileStores(
  items: Pick<QueueItem, 'id' | 'plan'>[],
  opt: { tileStores?: boolean },
): Promise<void> {
  for (const item of items) {
    const dir = itemTileStore(item, opt);
    if (dir) await TileStore.discardAt(dir).catch(() => undefined);
  }
}
