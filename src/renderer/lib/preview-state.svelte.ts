import type { UpresApi } from '../../shared/api';
import { sameRegion, type Region } from './compare-geometry';
import { EndsJob } from './ends-job.svelte';
import { formatAlpha } from './format';
import { errorMessage } from '../i18n/errors';
import { t } from '../i18n/translate';

export type PreviewApi = Pick<
  UpresApi,
  'preview' | 'previewEnds' | 'previewCancel' | 'imageUrl' | 'onEvent'
>;

/** The item facts the preview needs. */
export interface PreviewTarget {
  id: string;
  /** The item's output exists and is shown under the preview. */
  done: boolean;
  /** A pair: the dial applies. */
  pair: boolean;
  /** α the export uses (the item's, or the pair's default); undefined for single models. */
  exportAlpha: number | undefined;
  /** The model it renders with: another one makes every render so far stale. */
  model?: string;
}

/** A render through the network of one region (at one α for pairs). */
export interface ExactRender {
  region: Region;
  alpha: number | undefined;
  url: string;
}

/**
 * The ends calls of every preview, one after another (see `EndsJob`): the compare view is made anew
 * when the user comes back from the settings, and its first start must not overtake the cancel of
 * the last view's job.
 */
let endsCalls: Promise<unknown> = Promise.resolve();
const endsInOrder = <T>(call: () => Promise<T>): Promise<T> => {
  const next = endsCalls.catch(() => undefined).then(call);
  endsCalls = next;
  return next;
};

/** How long α must rest before the exact render is asked for. */
export const SETTLE_MS = 250;

const same = (a: number | undefined, b: number | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && Math.abs(a - b) < 1e-6);

/**
 * The dial and the preview of the visible region. For a pair, once the view settles, both ends
 * (α 0 and α 1) of the region are rendered in the background in small pieces, centre first
 * (`EndsJob`); while α moves, and until the exact render is in, what is ready of them is blended
 * pixel by pixel. When α rests the exact network interpolation for the region is rendered and
 * swapped in. Moving the view stops the ends job; the next settled view starts another. Items not
 * rendered yet show the exact render of the region. One exact request runs at a time and only the
 * newest wish is asked.
 */
export class PreviewState {
  #target = $state.raw<PreviewTarget | undefined>(undefined);
  /** The input region on screen, once the view has settled. */
  #region = $state.raw<Region | undefined>(undefined);
  /** The view shows too much of the photo for a preview: the user is asked to zoom in. */
  #zoomedOut = $state(false);
  /** The view is moving (between a pan or zoom and its settling). */
  #viewMoving = false;
  #alpha = $state(0);
  /** α is moving (the blend is on screen until it settles). */
  #moving = $state(false);
  /** α was let go on this view: its exact render is wanted now, before the ends are done. */
  #dialled = $state(false);
  #ends = $state.raw<EndsJob | undefined>(undefined);
  #exact = $state.raw<ExactRender | undefined>(undefined);
  #busy = $state(false);
  #error = $state<string | undefined>(undefined);
  /** The α strip is on show and renders its own exact panes: none is asked for here. */
  #exactHeld = false;

  readonly #api: PreviewApi;
  readonly #loadBitmap: (url: string) => Promise<ImageBitmap>;
  readonly #decode: (url: string) => Promise<void>;
  readonly #onSettle: (alpha: number, id: string) => void;
  readonly #off: () => void;
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
    this.#off = opts.api.onEvent((e) => this.#ends?.accept(e));
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
  /** The ends job of the latest settled view (pairs only). */
  get ends(): EndsJob | undefined {
    return this.#ends;
  }
  /** The last exact render. */
  get exact(): ExactRender | undefined {
    return this.#exact;
  }
  /** An exact render is in flight. */
  get busy(): boolean {
    return this.#busy;
  }
  /** Why the last preview failed. */
  get error(): string | undefined {
    return this.#error ?? (this.endsNow?.state === 'failed' ? this.endsNow.error : undefined);
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

  /** The ends job of the region on screen, in whatever state. */
  get endsNow(): EndsJob | undefined {
    const j = this.#ends;
    return j && j.id === this.#target?.id && sameRegion(j.region, this.#region) ? j : undefined;
  }

  /** What is on screen over the base image. */
  get shown(): 'none' | 'blend' | 'exact' | 'stale' {
    if (!this.wanted) return 'none';
    if (this.exactNow && !this.#moving) return 'exact';
    const ends = this.endsNow;
    if (this.#target?.pair && ends && ends.both > 0 && (this.#moving || !this.exactNow))
      return 'blend';
    return this.#exact && sameRegion(this.#exact.region, this.#region) ? 'stale' : 'none';
  }

  /** How far the ends of the view have got, while they are on their way ('' otherwise). */
  get endsProgress(): string {
    const j = this.endsNow;
    if (!j || !j.loading) return '';
    if (j.state === 'planning') return t('compare.endsPreparing');
    return t('compare.endsPieces', { both: j.both, total: j.total });
  }

  /** The ends of the view so far as `both/total` pieces ('' before the plan, or for none). */
  get endsCount(): string {
    const j = this.endsNow;
    return j && j.total > 0 ? `${j.both}/${j.total}` : '';
  }

  /** The words beside the view saying what it shows. */
  get label(): string {
    const target = this.#target;
    if (!target) return '';
    const alpha = formatAlpha(this.#alpha);
    const differs = target.pair && !same(this.#alpha, target.exportAlpha);
    if (this.#zoomedOut && (!target.done || differs))
      return target.done || target.pair
        ? t('compare.zoomInAlpha', { alpha })
        : t('compare.zoomInPreview');
    const progress = this.endsProgress;
    const withProgress = (words: string): string =>
      !progress
        ? words
        : words
          ? t('compare.withProgress', { words, progress })
          : capitalised(progress);
    switch (this.shown) {
      case 'blend':
        return withProgress(t('compare.blendAt', { alpha }));
      case 'exact':
        return target.pair ? t('compare.exactAt', { alpha }) : t('compare.exactRegion');
      case 'stale':
      case 'none':
        if (this.error && this.wanted) return t('compare.previewFailed');
        // Nothing to blend yet: the pieces' progress is the news.
        if (this.wanted && progress && (this.#moving || this.#exactWaits))
          return capitalised(progress);
        if (this.wanted)
          return withProgress(
            target.pair ? t('compare.renderingAlpha', { alpha }) : t('compare.renderingPreview'),
          );
        return withProgress(
          target.done
            ? target.pair
              ? t('compare.exportedAt', { alpha: formatAlpha(target.exportAlpha ?? this.#alpha) })
              : t('compare.exported')
            : '',
        );
    }
  }

  /** Shows another item (or the same item with new facts); keeps renders that still apply. */
  setTarget(target: PreviewTarget | undefined): void {
    const prev = this.#target;
    this.#target = target;
    if (!target) return this.#reset();
    if (!prev || prev.id !== target.id || prev.model !== target.model) {
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
    this.#viewMoving = false;
    if (sameRegion(region, this.#region) || (!region && !this.#region)) return this.#pump();
    this.#region = region;
    this.#dialled = false;
    this.#error = undefined;
    this.#failed = undefined;
    this.#pump();
  }

  /** The view is moving (pan, zoom): the ends of the last view stop; the next settle asks again. */
  viewMoved(): void {
    this.#viewMoving = true;
    if (this.#ends?.active) this.#ends.cancel();
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

  /**
   * Holds back (or lets go of) this view's exact render while the α strip renders its own: the
   * ends (the strip's blend) still come.
   */
  holdExact(held: boolean): void {
    if (held === this.#exactHeld) return;
    this.#exactHeld = held;
    this.#pump();
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#off();
    this.#closeEnds();
    this.#target = undefined;
  }

  #settle(): void {
    this.#timer = undefined;
    this.#moving = false;
    this.#dialled = true;
    if (this.#target) this.#onSettle(this.#alpha, this.#target.id);
    this.#pump();
  }

  #reset(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#moving = false;
    this.#dialled = false;
    this.#closeEnds();
    this.#exact = undefined;
    this.#error = undefined;
    this.#failed = undefined;
  }

  #closeEnds(tell = true): void {
    this.#ends?.close(tell);
    this.#ends = undefined;
  }

  /**
   * The first exact render of a pair's view waits for its ends (rendering both is what makes the
   * dial answer at once, and the blend of what is ready is on screen meanwhile); once α is let go
   * its exact render is asked at once (the engine lets it pass after the piece in flight).
   */
  get #exactWaits(): boolean {
    return !!this.#target?.pair && !this.#dialled && !!this.endsNow?.loading;
  }

  /** Starts the ends job of the settled view of a pair, unless it has one already. */
  #pumpEnds(): void {
    const t = this.#target;
    const region = this.#region;
    if (!t?.pair || !region || this.#viewMoving) return;
    const j = this.endsNow;
    // A job stopped by a view that moved and came back is asked again; a failed one is not.
    if (j && j.state !== 'cancelled') return;
    // The new job supersedes the item's last one in the engine.
    this.#closeEnds(this.#ends?.id !== t.id);
    const job = new EndsJob({
      api: this.#api,
      loadBitmap: this.#loadBitmap,
      id: t.id,
      region,
      onChange: () => {
        if (this.#ends === job) this.#pump();
      },
      inOrder: endsInOrder,
    });
    this.#ends = job;
    void job.start();
  }

  /** The next exact request worth making, as a key and a runner; undefined when all is in hand. */
  #next(): { key: string; run: () => Promise<void> } | undefined {
    const t = this.#target;
    const region = this.#region;
    if (!t || !region || this.#exactHeld) return undefined;
    if (this.wanted && !this.#moving && !this.exactNow && !this.#exactWaits) {
      const alpha = this.renderAlpha;
      const key = `exact:${t.id}:${JSON.stringify(region)}:${alpha}`;
      return { key, run: () => this.#fetchExact(t.id, region, alpha) };
    }
    return undefined;
  }

  #pump(): void {
    // A region that is gone (zoomed out) or another item has no use for the last view's ends.
    const j = this.#ends;
    if (j && (j.id !== this.#target?.id || !this.#region)) this.#closeEnds();
    this.#pumpEnds();
    if (this.#running) return;
    const job = this.#next();
    if (!job || job.key === this.#failed) return;
    this.#running = true;
    this.#busy = true;
    job
      .run()
      .then(
        () => {
          this.#error = undefined;
        },
        (err: unknown) => {
          this.#failed = job.key;
          this.#error = errorMessage(err);
        },
      )
      .finally(() => {
        this.#running = false;
        this.#busy = false;
        this.#pump();
      });
  }

  async #fetchExact(id: string, region: Region, alpha: number | undefined): Promise<void> {
    const r = await this.#api.preview(alpha === undefined ? { id, region } : { id, region, alpha });
    if (!r.exact) throw new Error('the engine sent no render');
    const url = this.#api.imageUrl(r.exact);
    await this.#decode(url);
    if (this.#target?.id === id) this.#exact = { region, alpha, url };
  }
}

function capitalised(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
