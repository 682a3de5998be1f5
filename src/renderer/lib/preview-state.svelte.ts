import type { UpresApi } from '../../shared/api';
import { sameRegion, type Region } from './compare-geometry';
import { formatAlpha } from './format';

export type PreviewApi = Pick<UpresApi, 'preview' | 'imageUrl'>;

/** The item facts the preview needs. */
export interface PreviewTarget {
  id: string;
  /** The item's output exists and is shown under the preview. */
  done: boolean;
  /** A pair: the dial applies. */
  pair: boolean;
  /** α the export uses (the item's, or the pair's default); undefined for single models. */
  exportAlpha: number | undefined;
}

/** α = 0 and α = 1 renders of one region, decoded for the pixel blend. */
export interface Ends {
  region: Region;
  fidelity: ImageBitmap;
  perceptual: ImageBitmap;
}

/** A render through the network of one region (at one α for pairs). */
export interface ExactRender {
  region: Region;
  alpha: number | undefined;
  url: string;
}

/** How long α must rest before the exact render is asked for. */
export const SETTLE_MS = 250;

const same = (a: number | undefined, b: number | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && Math.abs(a - b) < 1e-6);

/**
 * The dial and the preview of the visible region. While α moves, the α = 0 / α = 1 renders of the
 * region (fetched once per region) are blended pixel by pixel; when α rests, the exact network
 * interpolation for the region is rendered and swapped in. Items not rendered yet show the
 * preview render of the region. One request runs at a time and only the newest wish is asked.
 */
export class PreviewState {
  #target = $state.raw<PreviewTarget | undefined>(undefined);
  /** The input region on screen, once the view has settled. */
  #region = $state.raw<Region | undefined>(undefined);
  /** The view shows too much of the photo for a preview: the user is asked to zoom in. */
  #zoomedOut = $state(false);
  #alpha = $state(0);
  /** α is moving (the blend is on screen until it settles). */
  #moving = $state(false);
  #ends = $state.raw<Ends | undefined>(undefined);
  #exact = $state.raw<ExactRender | undefined>(undefined);
  #busy = $state<'ends' | 'exact' | undefined>(undefined);
  #error = $state<string | undefined>(undefined);

  readonly #api: PreviewApi;
  readonly #loadBitmap: (url: string) => Promise<ImageBitmap>;
  readonly #decode: (url: string) => Promise<void>;
  readonly #onSettle: (alpha: number, id: string) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running = false;
  #failed: string | undefined;

  constructor(opts: {
    api: PreviewApi;
    /** Fetches and decodes an image for the pixel blend. */
    loadBitmap: (url: string) => Promise<ImageBitmap>;
    /** Resolves once an image is decoded, so a swap never shows a half-loaded picture. */
    decode: (url: string) => Promise<void>;
    /** Called with α once it rests (the item's settings follow it). */
    onSettle: (alpha: number, id: string) => void;
  }) {
    this.#api = opts.api;
    this.#loadBitmap = opts.loadBitmap;
    this.#decode = opts.decode;
    this.#onSettle = opts.onSettle;
  }

  /** The item previewed. */
  get target(): PreviewTarget | undefined {
    return this.#target;
  }
  /** The input region on screen, once the view has settled. */
  get region(): Region | undefined {
    return this.#region;
  }
  /** The view shows too much of the photo for a preview: the user is asked to zoom in. */
  get zoomedOut(): boolean {
    return this.#zoomedOut;
  }
  /** α on the dial. */
  get alpha(): number {
    return this.#alpha;
  }
  /** α is moving (the blend is on screen until it settles). */
  get moving(): boolean {
    return this.#moving;
  }
  /** The α = 0 / 1 renders of the region, for the blend. */
  get ends(): Ends | undefined {
    return this.#ends;
  }
  /** The last exact render. */
  get exact(): ExactRender | undefined {
    return this.#exact;
  }
  /** The request in flight, if any. */
  get busy(): 'ends' | 'exact' | undefined {
    return this.#busy;
  }
  /** Why the last preview failed. */
  get error(): string | undefined {
    return this.#error;
  }

  /** Whether anything is drawn over the base image. */
  get wanted(): boolean {
    const t = this.#target;
    if (!t || !this.#region) return false;
    if (!t.done) return true;
    return t.pair && !same(this.#alpha, t.exportAlpha);
  }

  /** The alpha a render must have to be exact now (undefined for single models). */
  get renderAlpha(): number | undefined {
    return this.#target?.pair ? this.#alpha : undefined;
  }

  /** The exact render for the current region and α, when there is one. */
  get exactNow(): ExactRender | undefined {
    const e = this.#exact;
    return e && sameRegion(e.region, this.#region) && same(e.alpha, this.renderAlpha)
      ? e
      : undefined;
  }

  get endsNow(): Ends | undefined {
    return this.#ends && sameRegion(this.#ends.region, this.#region) ? this.#ends : undefined;
  }

  /** What is on screen over the base image. */
  get shown(): 'none' | 'blend' | 'exact' | 'stale' {
    if (!this.wanted) return 'none';
    if (this.exactNow && !this.#moving) return 'exact';
    if (this.#target?.pair && this.endsNow && (this.#moving || !this.exactNow)) return 'blend';
    return this.#exact && sameRegion(this.#exact.region, this.#region) ? 'stale' : 'none';
  }

  /** The words beside the view saying what it shows. */
  get label(): string {
    const t = this.#target;
    if (!t) return '';
    const a = formatAlpha(this.#alpha);
    const differs = t.pair && !same(this.#alpha, t.exportAlpha);
    if (this.#zoomedOut && (!t.done || differs))
      return t.done || t.pair ? `Zoom in to preview α ${a}` : 'Zoom in to preview';
    switch (this.shown) {
      case 'blend':
        return `Blend preview at α ${a}`;
      case 'exact':
        return t.pair ? `Exact render at α ${a}` : 'Exact render of the visible region';
      case 'stale':
      case 'none':
        if (this.#error && this.wanted) return 'Preview failed';
        if (this.wanted && this.#busy === 'ends') return 'Loading the blend preview…';
        if (this.wanted) return t.pair ? `Rendering α ${a}…` : 'Rendering preview…';
        return t.done
          ? t.pair
            ? `Exported output at α ${formatAlpha(t.exportAlpha ?? this.#alpha)}`
            : 'Exported output'
          : '';
    }
  }

  /** Shows another item (or the same item with new facts); keeps renders that still apply. */
  setTarget(target: PreviewTarget | undefined): void {
    const prev = this.#target;
    this.#target = target;
    if (!target) return this.#reset();
    if (!prev || prev.id !== target.id) {
      this.#reset();
      this.#alpha = target.exportAlpha ?? 0;
    } else if (!this.#moving && prev.exportAlpha !== target.exportAlpha && !this.#timer) {
      this.#alpha = target.exportAlpha ?? 0;
    }
    this.#pump();
  }

  /** The view settled on a new region (none, `zoomedOut`, when it shows too much to preview). */
  setRegion(region: Region | undefined, zoomedOut = false): void {
    this.#zoomedOut = !region && zoomedOut;
    if (sameRegion(region, this.#region) || (!region && !this.#region)) return;
    this.#region = region;
    this.#error = undefined;
    this.#failed = undefined;
    this.#pump();
  }

  /** The dial was grabbed: make sure the ends of this region are on their way. */
  grab(): void {
    if (!this.#target?.pair) return;
    this.#moving = true;
    this.#pump();
  }

  /** The dial moved: blend now, render exactly once α rests. */
  setAlpha(alpha: number): void {
    this.#alpha = Math.min(1, Math.max(0, alpha));
    if (!this.#target?.pair) return;
    this.#moving = true;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#settle(), SETTLE_MS);
    this.#pump();
  }

  /** The dial was let go: settle at once. */
  release(): void {
    if (!this.#moving) return;
    clearTimeout(this.#timer);
    this.#settle();
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#target = undefined;
  }

  #settle(): void {
    this.#timer = undefined;
    this.#moving = false;
    if (this.#target) this.#onSettle(this.#alpha, this.#target.id);
    this.#pump();
  }

  #reset(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#moving = false;
    this.#ends = undefined;
    this.#exact = undefined;
    this.#error = undefined;
    this.#failed = undefined;
  }

  /** The next request worth making, as a key and a runner; undefined when all is in hand. */
  #next(): { key: string; run: () => Promise<void> } | undefined {
    const t = this.#target;
    const region = this.#region;
    if (!t || !region) return undefined;
    if (t.pair && this.#moving && !this.endsNow) {
      const key = `ends:${t.id}:${JSON.stringify(region)}`;
      return { key, run: () => this.#fetchEnds(t.id, region) };
    }
    if (this.wanted && !this.#moving && !this.exactNow) {
      const alpha = this.renderAlpha;
      const key = `exact:${t.id}:${JSON.stringify(region)}:${alpha}`;
      return { key, run: () => this.#fetchExact(t.id, region, alpha) };
    }
    return undefined;
  }

  #pump(): void {
    if (this.#running) return;
    const job = this.#next();
    if (!job || job.key === this.#failed) return;
    this.#running = true;
    this.#busy = job.key.startsWith('ends') ? 'ends' : 'exact';
    job
      .run()
      .then(
        () => {
          this.#error = undefined;
        },
        (err: unknown) => {
          this.#failed = job.key;
          this.#error = err instanceof Error ? err.message : String(err);
        },
      )
      .finally(() => {
        this.#running = false;
        this.#busy = undefined;
        this.#pump();
      });
  }

  async #fetchEnds(id: string, region: Region): Promise<void> {
    const r = await this.#api.preview({ id, region, ends: true });
    if (!r.fidelity || !r.perceptual) throw new Error('the engine sent no α = 0 / α = 1 renders');
    const [fidelity, perceptual] = await Promise.all([
      this.#loadBitmap(this.#api.imageUrl(r.fidelity)),
      this.#loadBitmap(this.#api.imageUrl(r.perceptual)),
    ]);
    if (this.#target?.id === id) this.#ends = { region, fidelity, perceptual };
  }

  async #fetchExact(id: string, region: Region, alpha: number | undefined): Promise<void> {
    const r = await this.#api.preview(alpha === undefined ? { id, region } : { id, region, alpha });
    if (!r.exact) throw new Error('the engine sent no render');
    const url = this.#api.imageUrl(r.exact);
    await this.#decode(url);
    if (this.#target?.id === id) this.#exact = { region, alpha, url };
  }
}
