import type { EngineEvent, UpresApi } from '../../shared/api';
import type { Region } from './compare-geometry';
import type { End } from './ends-pieces';
import { errorMessage } from '../i18n/errors';
import { t } from '../i18n/translate';

export type EndsApi = Pick<UpresApi, 'previewEnds' | 'previewCancel' | 'imageUrl'>;

/** One piece of the region: where its core lies (input px) and its ends, once decoded. */
export interface EndsPiece {
  index: number;
  core: Region;
  fidelity?: ImageBitmap;
  perceptual?: ImageBitmap;
}

/** `planning` until the engine answers with the pieces; `running` until its `previewEnds` event. */
export type EndsJobState = 'planning' | 'running' | 'done' | 'cancelled' | 'failed';

/** Runs calls one after another (see the constructor). */
export type InOrder = <T>(call: () => Promise<T>) => Promise<T>;

type PieceEvent = Extract<EngineEvent, { kind: 'previewPiece' }>;
type EndEvent = Extract<EngineEvent, { kind: 'previewEnds' }>;

/**
 * Both ends (α 0 and α 1) of one region of one item, rendered by the engine in small pieces,
 * centre first (`previewEnds`). The pieces come as events; those of another request (an earlier
 * job of the item, superseded) are dropped, and those that arrive before the engine's answer
 * names this job's request are held until it does.
 */
export class EndsJob {
  readonly id: string;
  /** The region asked for (input px). */
  readonly region: Region;
  #state = $state<EndsJobState>('planning');
  #plan = $state.raw<{ request: string; region: Region; scale: number } | undefined>(undefined);
  #pieces = $state.raw<readonly EndsPiece[]>([]);
  #error = $state<string | undefined>(undefined);

  readonly #api: EndsApi;
  readonly #loadBitmap: (url: string) => Promise<ImageBitmap>;
  readonly #onChange: () => void;
  readonly #inOrder: InOrder;
  /** Events seen before the answer named the request. */
  #early: EngineEvent[] | undefined = [];
  #closed = false;

  constructor(opts: {
    api: EndsApi;
    loadBitmap: (url: string) => Promise<ImageBitmap>;
    id: string;
    region: Region;
    /** Called when the job ends or a piece arrives (the preview decides what comes next). */
    onChange: () => void;
    /**
     * Runs the job's calls one after another with every other job's: a cancel then waits for the
     * answer to the start before it (a job stopped before its plan would fail the start), and the
     * next job's start for the cancel (which names the item, so it would stop that one too).
     */
    inOrder: InOrder;
  }) {
    this.#api = opts.api;
    this.#loadBitmap = opts.loadBitmap;
    this.id = opts.id;
    this.region = opts.region;
    this.#onChange = opts.onChange;
    this.#inOrder = opts.inOrder;
  }

  get state(): EndsJobState {
    return this.#state;
  }
  /** The engine is still working on it. */
  get active(): boolean {
    return this.#state === 'planning' || this.#state === 'running';
  }
  /** Names the job in the engine's events, once it has answered. */
  get request(): string | undefined {
    return this.#plan?.request;
  }
  /** The region the engine renders (the one asked for, clamped to the image). */
  get renderedRegion(): Region {
    return this.#plan?.region ?? this.region;
  }
  /** Output px per input px of the pieces (the model's scale). */
  get scale(): number {
    return this.#plan?.scale ?? 0;
  }
  /** Every piece of the plan, in render order, with the ends decoded so far. */
  get pieces(): readonly EndsPiece[] {
    return this.#pieces;
  }
  /** Pieces of which both ends are decoded. */
  get both(): number {
    return this.#pieces.reduce((n, p) => n + (p.fidelity && p.perceptual ? 1 : 0), 0);
  }
  get total(): number {
    return this.#pieces.length;
  }
  /** Pieces are still on their way (the engine works, or the last ones are decoding). */
  get loading(): boolean {
    return this.active || (this.#state === 'done' && !this.complete);
  }
  /** Every piece has both ends. */
  get complete(): boolean {
    return this.total > 0 && this.both === this.total;
  }
  get error(): string | undefined {
    return this.#error;
  }

  /** Asks the engine for the ends (a new job for the item supersedes its last one there). */
  async start(): Promise<void> {
    try {
      const r = await this.#inOrder(() =>
        this.#api.previewEnds({ id: this.id, region: this.region }),
      );
      if (this.#closed) return;
      this.#plan = { request: r.request, region: r.region, scale: r.scale };
      this.#pieces = r.pieces.map((core, index) => ({ index, core }));
      if (this.#state === 'planning') this.#state = 'running';
      const early = this.#early ?? [];
      this.#early = undefined;
      for (const e of early) this.accept(e);
    } catch (err) {
      if (this.#closed) return;
      this.#early = undefined;
      this.#fail(errorMessage(err));
    }
    this.#onChange();
  }

  /** Takes a pushed engine event; ignores what is not about this job. */
  accept(e: EngineEvent): void {
    if (this.#closed || (e.kind !== 'previewPiece' && e.kind !== 'previewEnds')) return;
    if (e.id !== this.id) return;
    if (this.#early) {
      this.#early.push(e);
      return;
    }
    if (e.request !== this.request) return;
    if (e.kind === 'previewPiece') void this.#piece(e);
    else this.#ended(e);
  }

  /**
   * Stops the engine's job before its next piece; what arrived stays. `tell: false` when a new job
   * for the item follows at once (the engine stops the old one itself, and a cancel sent now
   * could reach the new one).
   */
  cancel(tell = true): void {
    if (!this.active) return;
    this.#state = 'cancelled';
    if (tell)
      void this.#inOrder(() => this.#api.previewCancel({ id: this.id })).catch(() => undefined);
  }

  /** Stops it if needed (see `cancel`) and lets go of the decoded pieces. */
  close(tell = true): void {
    this.cancel(tell);
    this.#closed = true;
    for (const p of this.#pieces) {
      p.fidelity?.close();
      p.perceptual?.close();
    }
  }

  async #piece(e: PieceEvent): Promise<void> {
    let bitmap: ImageBitmap;
    try {
      bitmap = await this.#loadBitmap(this.#api.imageUrl(e.token));
    } catch (err) {
      if (!this.#closed) this.#fail(errorMessage(err));
      this.#onChange();
      return;
    }
    if (this.#closed) return bitmap.close();
    const at = this.#pieces.findIndex((p) => p.index === e.index);
    if (at < 0) return bitmap.close();
    const next = this.#pieces.slice();
    next[at] = { ...next[at], [e.end satisfies End]: bitmap };
    this.#pieces = next;
    this.#onChange();
  }

  #ended(e: EndEvent): void {
    if (e.state === 'failed') this.#fail(e.message ?? t('compare.endsFailed'));
    // Pieces decode after their events: `done` means every piece was sent, not yet shown.
    else if (this.active) this.#state = e.state;
    this.#onChange();
  }

  #fail(message: string): void {
    this.#state = 'failed';
    this.#error = message;
  }
}
