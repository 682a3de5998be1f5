import type { UpresApi } from '../../shared/api';
import { chooseLevel } from './compare-geometry';
import type { Size } from './view-transform';
import { errorMessage } from '../i18n/errors';

export type ImageLayerApi = Pick<UpresApi, 'itemImage' | 'imageUrl'>;

export interface LoadedImage {
  url: string;
  /** The copy's own pixel size. */
  width: number;
  height: number;
  /** The `maxSide` it was asked with; undefined for the full image. */
  level: number | undefined;
}

const sharpness = (level: number | undefined): number => level ?? Number.POSITIVE_INFINITY;

/**
 * One image of an item (input or output) in the compare view, from a pyramid of downsampled
 * copies: the view says how sharp it must be, the layer asks for the next sharper copy when the
 * one on screen falls short, and keeps showing the old one until the new one is decoded.
 */
export class ImageLayer {
  #image = $state.raw<LoadedImage | undefined>(undefined);
  #error = $state<string | undefined>(undefined);

  readonly #api: ImageLayerApi;
  readonly #decode: (url: string) => Promise<void>;
  readonly #id: string;
  readonly #which: 'input' | 'output';
  readonly #full: Size;
  #inFlight: number | undefined | null = null;
  /** Levels that failed to load, not asked for again. */
  readonly #failed: (number | undefined)[] = [];

  get image(): LoadedImage | undefined {
    return this.#image;
  }

  get error(): string | undefined {
    return this.#error;
  }

  constructor(
    api: ImageLayerApi,
    decode: (url: string) => Promise<void>,
    id: string,
    which: 'input' | 'output',
    full: Size,
  ) {
    this.#api = api;
    this.#decode = decode;
    this.#id = id;
    this.#which = which;
    this.#full = full;
  }

  /** Asks for a copy sharp enough to show the image's long side `displayedSide` device px long. */
  need(displayedSide: number): void {
    const level = chooseLevel(this.#full, displayedSide);
    const have = this.#image ? sharpness(this.#image.level) : 0;
    if (sharpness(level) <= have || this.#failed.includes(level)) return;
    if (this.#inFlight !== null && sharpness(this.#inFlight) >= sharpness(level)) return;
    this.#inFlight = level;
    void this.#load(level);
  }

  async #load(level: number | undefined): Promise<void> {
    try {
      const r = await this.#api.itemImage({
        id: this.#id,
        which: this.#which,
        ...(level === undefined ? {} : { maxSide: level }),
      });
      const url = this.#api.imageUrl(r.token);
      await this.#decode(url);
      if (!this.#image || sharpness(level) > sharpness(this.#image.level))
        this.#image = { url, width: r.width, height: r.height, level };
      this.#error = undefined;
    } catch (err) {
      this.#failed.push(level);
      this.#error = errorMessage(err);
    } finally {
      if (this.#inFlight === level) this.#inFlight = null;
    }
  }
}
