import type { UpresApi } from '../../shared/api';
import type { Region } from './compare-geometry';
import { renderOrder, roundAlpha, sameAlpha, type PaneKind } from './compare-strip';
import { STRIP_TEXT } from './compare-text';

export type StripApi = Pick<UpresApi, 'preview' | 'imageUrl'>;

/** The item facts the strip needs. */
export interface StripTarget {
  id: string;
  /** The model it renders with: another one makes every render so far stale. */
  model?: string;
  /** A pair: the strip applies. */
  pair: boolean;
}

/** An exact network-interpolation render of one region at one α. */
export interface StripRender {
  region: Region;
  alpha: number;
  url: string;
  /** The engine's time for it. */
  seconds: number;
}

/** What the strip is asked to show: all of it changes together, from the view's effect. */
export interface StripWish {
  active: boolean;
  target: StripTarget | undefined;
  region: Region | undefined;
  alphas: readonly number[];
  /** α on the dial: its pane is rendered first. */
  current: number | undefined;
}

/** Renders kept for going back to a view (each a PNG the page has decoded). */
const KEEP = 48;

const regionKey = (r: Region): string => `${r.x},${r.y},${r.w},${r.h}`;

/**
 * The exact renders of the α strip. The engine renders previews one at a time and cannot stop one
 * it has started, so the strip asks for one at a time, in `renderOrder`, and after each answer asks
 * for the next render the view still needs: a view that moved on, a new set or another photo
 * supersede what was not asked yet, and at most the one render in flight is wasted (it is kept, in
 * case the view comes back). Renders of an earlier region stay on screen at their own place until
 * the new ones arrive.
 */
export class StripState {
  #wish = $state.raw<StripWish>({
    active: false,
    target: undefined,
    region: undefined,
    alphas: [],
    current: undefined,
  });
  // Plain records replaced whole (a change is one assignment the panes follow), in insertion order.
  #renders = $state.raw<Readonly<Record<string, StripRender>>>({});
  /** The newest render of each α of the target, of whatever region. */
  #latest = $state.raw<Readonly<Record<string, StripRender>>>({});
  #failed = $state.raw<Readonly<Record<string, string>>>({});
  #inFlight = $state<string | undefined>(undefined);
  /** Seconds from the first request of the view's set to its last answer. */
  #seconds = $state<number | undefined>(undefined);
  #round: { key: string; started: number; finished: boolean } | undefined;
  #disposed = false;

  readonly #api: StripApi;
  readonly #decode: (url: string) => Promise<void>;
  readonly #now: () => number;

  constructor(opts: {
    api: StripApi;
    /** Resolves once an image is decoded, so a pane never shows a half-loaded picture. */
    decode: (url: string) => Promise<void>;
    now?: () => number;
  }) {
    this.#api = opts.api;
    this.#decode = opts.decode;
    this.#now = opts.now ?? (() => performance.now());
  }

  /** Shows another view, set, α or photo; asks for what it lacks. */
  update(wish: StripWish): void {
    this.#wish = { ...wish, alphas: wish.alphas.map(roundAlpha) };
    this.#pump();
  }

  get alphas(): readonly number[] {
    return this.#wish.alphas;
  }

  /** The exact render of the region on screen at α, if in. */
  exact(alpha: number): StripRender | undefined {
    const k = this.#key(alpha);
    return k ? this.#renders[k] : undefined;
  }

  /** The render a pane shows at α (exact, or an earlier region's), if any. */
  shown(alpha: number): StripRender | undefined {
    const t = this.#wish.target;
    return this.exact(alpha) ?? (t ? this.#latest[this.#latestKey(t, alpha)] : undefined);
  }

  kind(alpha: number): PaneKind {
    const k = this.#key(alpha);
    if (k && k in this.#renders) return 'exact';
    if (k && k in this.#failed) return 'failed';
    if (this.shown(alpha)) return 'stale';
    return k && this.#inFlight === k ? 'rendering' : 'waiting';
  }

  /** Why the render at α failed. */
  error(alpha: number): string | undefined {
    const k = this.#key(alpha);
    return k ? this.#failed[k] : undefined;
  }

  /** How many panes show their exact render of the region on screen. */
  get done(): number {
    return this.#wish.alphas.filter((a) => this.exact(a)).length;
  }

  get total(): number {
    return this.#wish.alphas.length;
  }

  /**
   * Seconds the view's set took, from its first request to its last answer (undefined while it
   * renders, and for a view whose renders were all in already).
   */
  get seconds(): number | undefined {
    return this.#seconds;
  }

  /** The toolbar's words ('' when the strip is off or has no region). */
  get label(): string {
    const w = this.#wish;
    if (!w.active || !w.target?.pair) return '';
    if (!w.region) return STRIP_TEXT.zoomIn;
    if (w.alphas.some((a) => this.kind(a) === 'failed')) return STRIP_TEXT.failed;
    const done = this.done;
    if (done < this.total) return STRIP_TEXT.progress(done, this.total);
    return STRIP_TEXT.finished(this.total, this.#seconds);
  }

  /** Stops asking (a render in flight is let go of when it answers). */
  dispose(): void {
    this.#disposed = true;
  }

  #key(alpha: number): string | undefined {
    const { target: t, region: r } = this.#wish;
    return t && r ? `${this.#latestKey(t, alpha)}|${regionKey(r)}` : undefined;
  }

  #latestKey(t: StripTarget, alpha: number): string {
    return `${t.id}|${t.model ?? ''}|${roundAlpha(alpha).toFixed(2)}`;
  }

  /** The next α to render for the wish, undefined when all are in (or failed). */
  #next(): number | undefined {
    const w = this.#wish;
    if (!w.active || !w.target?.pair || !w.region) return undefined;
    for (const i of renderOrder(w.alphas, w.current)) {
      const k = this.#key(w.alphas[i])!;
      if (!(k in this.#renders) && !(k in this.#failed)) return w.alphas[i];
    }
    return undefined;
  }

  #pump(): void {
    if (this.#disposed || this.#inFlight !== undefined) return;
    const w = this.#wish;
    const round = w.target && w.region ? `${this.#key(0)}|${w.alphas.join(',')}` : '';
    const alpha = this.#next();
    // A new view (or set) starts the clock; one found all rendered already has no time to tell.
    if (this.#round?.key !== round) {
      this.#round = { key: round, started: this.#now(), finished: alpha === undefined };
      this.#seconds = undefined;
    }
    if (alpha === undefined) {
      if (!this.#round.finished) {
        this.#round.finished = true;
        this.#seconds = (this.#now() - this.#round.started) / 1000;
      }
      return;
    }
    const target = w.target!;
    const region = w.region!;
    const key = this.#key(alpha)!;
    this.#inFlight = key;
    void this.#fetch(target, region, alpha, key).finally(() => {
      this.#inFlight = undefined;
      this.#pump();
    });
  }

  async #fetch(target: StripTarget, region: Region, alpha: number, key: string): Promise<void> {
    try {
      const r = await this.#api.preview({ id: target.id, region, alpha });
      if (!r.exact) throw new Error('the engine sent no render');
      const url = this.#api.imageUrl(r.exact);
      await this.#decode(url);
      const render: StripRender = { region, alpha, url, seconds: r.seconds };
      this.#renders = trimmed({ ...this.#renders, [key]: render });
      this.#latest = trimmed({ ...this.#latest, [this.#latestKey(target, alpha)]: render });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      this.#failed = { ...this.#failed, [key]: why };
    }
  }
}

/** The newest KEEP entries (keys are never integers, so insertion order holds). */
function trimmed<V>(r: Record<string, V>): Record<string, V> {
  const keys = Object.keys(r);
  if (keys.length <= KEEP) return r;
  return Object.fromEntries(keys.slice(keys.length - KEEP).map((k) => [k, r[k]]));
}

/** Whether `alpha` is the dial's (at the dial's step). */
export function isCurrent(alpha: number, dial: number | undefined): boolean {
  return dial !== undefined && sameAlpha(alpha, dial);
}
