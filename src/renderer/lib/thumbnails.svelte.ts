import { SvelteMap } from 'svelte/reactivity';
import type { UpresApi } from '../../shared/api';

export type ThumbnailApi = Pick<UpresApi, 'itemImage' | 'imageUrl'>;

export type Thumbnail =
  { status: 'loading' } | { status: 'ready'; url: string } | { status: 'error' };

/** Longest side of a queue thumbnail, device px (rows show them at 48 CSS px). */
export const THUMB_SIDE = 96;

/**
 * Thumbnails of queue items, asked for when a row scrolls into view, a few at a time so a folder
 * of a thousand photos does not ask the engine to shrink them all at once.
 */
export class Thumbnails {
  readonly #api: ThumbnailApi;
  readonly #map = new SvelteMap<string, Thumbnail>();
  readonly #pending: string[] = [];
  #active = 0;
  readonly #parallel: number;

  constructor(api: ThumbnailApi, parallel = 3) {
    this.#api = api;
    this.#parallel = parallel;
  }

  get(id: string): Thumbnail | undefined {
    return this.#map.get(id);
  }

  /** Asks for the thumbnail of an item unless it is known or on its way. */
  want(id: string): void {
    if (this.#map.has(id)) return;
    this.#map.set(id, { status: 'loading' });
    this.#pending.push(id);
    this.#pump();
  }

  /** The thumbnail's image could not be shown: show none. */
  broken(id: string): void {
    this.#map.set(id, { status: 'error' });
  }

  /** Forgets a thumbnail (e.g. to retry one that failed). */
  forget(id: string): void {
    this.#map.delete(id);
  }

  #pump(): void {
    while (this.#active < this.#parallel && this.#pending.length > 0) {
      const id = this.#pending.shift()!;
      this.#active++;
      this.#api
        .itemImage({ id, which: 'input', maxSide: THUMB_SIDE })
        .then(
          (r) => this.#map.set(id, { status: 'ready', url: this.#api.imageUrl(r.token) }),
          () => this.#map.set(id, { status: 'error' }),
        )
        .finally(() => {
          this.#active--;
          this.#pump();
        });
    }
  }
}
