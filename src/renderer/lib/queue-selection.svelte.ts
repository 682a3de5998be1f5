import type { QueueItem } from '../../shared/queue';

/**
 * Which queue items are selected, in the order they were selected: the last is the one the compare
 * view and the inspector show. It reads the list it selects from and never changes it.
 */
export class QueueSelection {
  #ids = $state<string[]>([]);
  readonly #items: () => readonly QueueItem[];

  constructor(items: () => readonly QueueItem[]) {
    this.#items = items;
  }

  /** Selected ids, oldest first. */
  get ids(): readonly string[] {
    return this.#ids;
  }

  /** The id of the item shown (the last selected), if any. */
  get currentId(): string | undefined {
    return this.#ids[this.#ids.length - 1];
  }

  has(id: string): boolean {
    return this.#ids.includes(id);
  }

  /** Selects one item; `toggle` adds or removes it, `range` extends from the last selected. */
  select(id: string, how: 'only' | 'toggle' | 'range' = 'only'): void {
    if (how === 'toggle') {
      this.#ids = this.has(id) ? this.#ids.filter((x) => x !== id) : [...this.#ids, id];
      return;
    }
    if (how === 'range') {
      const items = this.#items();
      const a = items.findIndex((i) => i.id === this.currentId);
      const b = items.findIndex((i) => i.id === id);
      if (a >= 0 && b >= 0) {
        const [lo, hi] = a < b ? [a, b] : [b, a];
        const range = items.slice(lo, hi + 1).map((i) => i.id);
        // Keep the anchor's selection and end on the clicked item so it is the one compared.
        const rest = this.#ids.filter((x) => !range.includes(x));
        this.#ids = [...rest, ...range.filter((x) => x !== id), id];
        return;
      }
    }
    this.#ids = [id];
  }

  /** Selects every item, keeping the current one last (still the one shown). */
  selectAll(): void {
    const current = this.currentId;
    const ids = this.#items()
      .map((i) => i.id)
      .filter((id) => id !== current);
    this.#ids = current !== undefined ? [...ids, current] : ids;
  }

  /** Moves the selection to the item `delta` rows away from the current one; returns its id. */
  selectNeighbour(delta: number, extend = false): string | undefined {
    const items = this.#items();
    if (items.length === 0) return undefined;
    const i = items.findIndex((x) => x.id === this.currentId);
    const j = Math.max(0, Math.min(items.length - 1, i < 0 ? 0 : i + delta));
    const id = items[j].id;
    this.select(id, extend ? 'range' : 'only');
    return id;
  }

  /** Selects `id` when nothing is selected yet (the first photo added is shown at once). */
  selectIfNone(id: string): void {
    if (this.#ids.length === 0) this.#ids = [id];
  }

  /** Forgets ids that are no longer in the list. */
  prune(): void {
    const items = this.#items();
    const known = (id: string): boolean => items.some((i) => i.id === id);
    if (this.#ids.every(known)) return;
    this.#ids = this.#ids.filter(known);
  }
}
