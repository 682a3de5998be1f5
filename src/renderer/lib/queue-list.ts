import type { QueueItem } from '../../shared/queue';

// The three changes a queue list receives from the engine, applied in place (the list may be a
// `$state` proxy: only what changed is touched). Each does what the engine did to its own list.

/** An item was added (it goes last, as the engine appends) or changed (it keeps its place). */
export function upsertItem(items: QueueItem[], item: QueueItem): void {
  const i = items.findIndex((x) => x.id === item.id);
  if (i >= 0) items[i] = item;
  else items.push(item);
}

/** Items left the queue; returns whether any of them was in the list. */
export function removeItems(items: QueueItem[], ids: readonly string[]): boolean {
  const gone = new Set(ids);
  let removed = false;
  for (let i = items.length - 1; i >= 0; i--)
    if (gone.has(items[i].id)) {
      items.splice(i, 1);
      removed = true;
    }
  return removed;
}

/**
 * An item moved to `index` (its position after the move: taken out, then put back at `index`
 * clamped to the list, as the engine's queue does); false when the list does not hold it.
 */
export function moveItem(items: QueueItem[], id: string, index: number): boolean {
  const from = items.findIndex((x) => x.id === id);
  if (from < 0) return false;
  const to = Math.max(0, Math.min(index, items.length - 1));
  if (to === from) return true;
  const [item] = items.splice(from, 1);
  items.splice(to, 0, item);
  return true;
}
