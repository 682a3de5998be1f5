import { dirname, resolve } from 'node:path';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ApiRequest, ApiResponse, EngineEvent } from '../../../shared/api';
import { msg } from '../../../shared/engine-message';
import { isError, toErrorPayload, UpresError } from '../../../shared/errors';
import type { FarmBatchView, FarmSettingsView, FarmTestResult } from '../../../shared/farm';
import type { QueueItem } from '../../../shared/queue';
import { connectRedis } from '../farm/farm-connection';
import { batchStatus, cancelBatch, type BatchStatus } from '../farm/farm-status';
import { enqueueBatch, newBatchId } from '../farm/farm-submit';
import { FARM_QUEUE, type FarmJobData } from '../farm/farm-types';
import {
  parseRedisUrl,
  redact,
  redactMessage,
  redactUrl,
  type RedisTarget,
} from '../farm/redis-url';
import { FarmStore } from './farm-store';

/** The local queue as the farm link uses it: its items, and taking one out. */
export interface LocalQueue {
  queueList(): ApiResponse<'queueList'>;
  queueControl(req: ApiRequest<'queueControl'>): Promise<ApiResponse<'queueControl'>>;
  queueAdd(req: ApiRequest<'queueAdd'>): Promise<ApiResponse<'queueAdd'>>;
}

/** Milliseconds between two reads of the sent batches while one of them is unfinished. */
const POLL_MS = 1000;

/** The folder the user added an item from: its input's folder less the item's `relDir`. */
function rootOf(item: QueueItem): string {
  const up = item.relDir
    ? item.relDir
        .split(/[\\/]+/)
        .filter(Boolean)
        .map(() => '..')
    : [];
  return resolve(dirname(item.input), ...up);
}

/** A farm job for a waiting item: its own resolved settings and placement. */
export function jobOf(batch: string, item: QueueItem): FarmJobData {
  return {
    v: 1,
    batch,
    input: item.input,
    root: rootOf(item),
    relDir: item.relDir,
    outDir: item.placement.outDir,
    nameTemplate: item.placement.nameTemplate,
    onExists: item.placement.onExists,
    settings: item.settings,
  };
}

function viewOf(s: BatchStatus): FarmBatchView {
  return {
    batch: s.batch,
    total: s.total,
    fraction: s.fraction,
    eta: s.eta,
    finished: s.finished,
    cancelled: s.cancelled,
    counts: s.counts,
    items: s.items.map((i) => ({
      id: i.id,
      input: i.input,
      state: i.state,
      worker: i.worker,
      tile: i.tile,
      tiles: i.tiles,
      fraction: i.fraction,
      attempts: i.attempts,
      output: i.output,
      error: i.error,
      errorCode: i.errorCode,
      errorDetail: i.errorDetail,
    })),
  };
}

/**
 * The app's side of a render farm: the Redis settings (the password kept in the engine, never
 * sent back or logged), *Test connection*, *Send to farm* (waiting items leave the local queue as
 * one batch) and the sent batches followed photo by photo, pushed as `farm` events. Without a
 * farm set, nothing here connects or runs.
 */
export class FarmLink {
  private conn: Promise<{ queue: Queue; redis: Redis }> | undefined;
  private views = new Map<string, FarmBatchView>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private lastSent = '';
  private closed = false;

  private constructor(
    private readonly store: FarmStore,
    private readonly local: LocalQueue,
    private readonly send: (e: EngineEvent) => void,
    private readonly log: (line: string) => void,
  ) {}

  static async open(opt: {
    userData: string;
    local: LocalQueue;
    send: (e: EngineEvent) => void;
    log: (line: string) => void;
  }): Promise<FarmLink> {
    const store = await FarmStore.open(opt.userData, opt.log);
    const link = new FarmLink(store, opt.local, opt.send, opt.log);
    // Batches sent before the app last closed are followed again (they ran on meanwhile).
    if (store.get().url && store.get().batches.length > 0) link.schedule(0);
    return link;
  }

  get(): FarmSettingsView {
    const s = this.store.get();
    // The stored address holds no password (`set` takes it out); redacted all the same.
    return { url: redactUrl(s.url), hasPassword: !!s.password };
  }

  private targetOf(url: string, password?: string): RedisTarget {
    return parseRedisUrl(url, { password });
  }

  /** Saves the settings (a password inside the URL is moved out of it) and drops the connection. */
  async set(req: ApiRequest<'farmSet'>): Promise<FarmSettingsView> {
    const cur = this.store.get();
    let url = cur.url;
    let password = cur.password;
    if (req.url !== undefined) {
      url = req.url.trim();
      if (url === '') password = undefined;
      else {
        const u = new URL(this.targetOf(url).url);
        if (u.password) {
          // `***` is the hidden password shown back: it keeps the saved one.
          if (decodeURIComponent(u.password) !== '***') password = decodeURIComponent(u.password);
          u.password = '';
          url = u.toString();
        }
      }
    }
    if (req.password === null) password = undefined;
    else if (req.password !== undefined) password = req.password;
    await this.store.set({ url, password });
    await this.disconnect();
    if (url && this.store.get().batches.length > 0) this.schedule(0);
    return this.get();
  }

  /** Connects to the given (or saved) farm and answers in one sentence; saves nothing. */
  async test(req: ApiRequest<'farmTest'>): Promise<FarmTestResult> {
    const saved = this.store.get();
    const url = req.url?.trim() || saved.url;
    if (!url) {
      const said = msg('batch.farmTestNotSet');
      return { ok: false, message: said.text, detail: said, shown: '', workers: [] };
    }
    const target = this.targetOf(url, req.password ?? saved.password);
    let redis: Redis | undefined;
    let queue: Queue | undefined;
    try {
      redis = await connectRedis(target, () => undefined);
      const { Queue } = await import('bullmq');
      queue = new Queue(FARM_QUEUE, { connection: redis });
      queue.on('error', () => undefined);
      const clients = await queue.getWorkers();
      const names = [
        ...new Set(
          clients.map((c) => {
            const raw = String((c as { rawname?: string }).rawname ?? '');
            const at = raw.indexOf(':w:');
            return at >= 0 ? raw.slice(at + 3) : raw;
          }),
        ),
      ].sort();
      const waiting = await queue.getWaitingCount();
      const said =
        names.length === 0
          ? msg('batch.farmTestNoWorkers', { address: target.shown, waiting })
          : msg('batch.farmTestWorkers', {
              address: target.shown,
              count: names.length,
              names: names.join(', '),
              waiting,
            });
      return {
        ok: true,
        message: said.text,
        detail: said,
        shown: target.shown,
        workers: names,
      };
    } catch (err) {
      const payload = toErrorPayload(err);
      const message = redact(payload.message, target.secrets);
      const detail = payload.detail && redactMessage(payload.detail, target.secrets);
      return detail
        ? { ok: false, message, detail, shown: target.shown, workers: [] }
        : { ok: false, message, shown: target.shown, workers: [] };
    } finally {
      await queue?.close().catch(() => undefined);
      redis?.disconnect();
    }
  }

  private connect(): Promise<{ queue: Queue; redis: Redis }> {
    const s = this.store.get();
    if (!s.url) return Promise.reject(new UpresError('request.invalid', msg('batch.farmNotSet')));
    const target = this.targetOf(s.url, s.password);
    this.conn ??= (async () => {
      const redis = await connectRedis(target, (line) => this.log(`farm: ${line}`));
      // Loaded on first use: the app and `upres serve` start without it when no farm is set.
      const { Queue } = await import('bullmq');
      const queue = new Queue(FARM_QUEUE, { connection: redis });
      queue.on('error', (err: Error) => this.log(redact(`farm: ${err.message}`, target.secrets)));
      return { queue, redis };
    })();
    // A failed connection is tried afresh next time, not kept.
    this.conn.catch(() => (this.conn = undefined));
    return this.conn;
  }

  private async disconnect(): Promise<void> {
    const c = await this.conn?.catch(() => undefined);
    this.conn = undefined;
    await c?.queue.close().catch(() => undefined);
    c?.redis.disconnect();
  }

  /**
   * Sends waiting items (those among `ids`, or all) as one batch. They leave the local queue first
   * (so the local engine cannot start one meanwhile); if the farm then refuses the batch they are
   * put back as new waiting rows with the same settings and placement.
   */
  async sendItems(req: ApiRequest<'farmSend'>): Promise<ApiResponse<'farmSend'>> {
    const { queue, redis } = await this.connect();
    const wanted = req.ids ? new Set(req.ids) : undefined;
    const items = this.local
      .queueList()
      .items.filter((i) => i.state === 'waiting' && (!wanted || wanted.has(i.id)));
    if (items.length === 0)
      throw new UpresError('request.invalid', msg('batch.farmNothingWaiting'));
    const taken: QueueItem[] = [];
    for (const item of items) {
      // One the local queue started meanwhile stays local.
      const ok = await this.local.queueControl({ action: 'remove', id: item.id }).then(
        () => true,
        () => false,
      );
      if (ok) taken.push(item);
    }
    const batch = newBatchId();
    try {
      await enqueueBatch(
        queue,
        redis,
        batch,
        taken.map((i) => jobOf(batch, i)),
        { outDir: taken[0]?.placement.outDir ?? '', model: taken[0]?.settings.model ?? '' },
      );
    } catch (err) {
      await this.putBack(taken);
      throw new UpresError(
        'farm.unreachable',
        msg('batch.farmRefused', { reason: redact(toErrorPayload(err).message) }),
      );
    }
    await this.store.track(batch);
    this.schedule(0);
    return { batch, sent: taken.length };
  }

  private async putBack(items: QueueItem[]): Promise<void> {
    for (const i of items)
      await this.local
        .queueAdd({
          paths: [i.input],
          settings: i.settings,
          outDir: i.placement.outDir,
          nameTemplate: i.placement.nameTemplate,
          onExists: i.placement.onExists,
          recursive: false,
        })
        .catch(() => undefined);
  }

  /** The sent batches as last read (reads them now when none was read yet). */
  async status(): Promise<ApiResponse<'farmStatus'>> {
    if (this.views.size === 0 && this.store.get().batches.length > 0) await this.poll();
    return { batches: this.ordered() };
  }

  async cancel(batch: string): Promise<ApiResponse<'farmCancel'>> {
    const { queue, redis } = await this.connect();
    const r = await cancelBatch(queue, redis, batch);
    this.schedule(0);
    return r;
  }

  /** Forgets a batch here (the farm keeps it for `upres farm status`). */
  async forget(batch: string): Promise<void> {
    await this.store.untrack(batch);
    this.views.delete(batch);
    this.emit();
  }

  private ordered(): FarmBatchView[] {
    return this.store
      .get()
      .batches.map((b) => this.views.get(b))
      .filter((v): v is FarmBatchView => v !== undefined);
  }

  private emit(): void {
    const batches = this.ordered();
    const key = JSON.stringify(batches);
    if (key === this.lastSent) return;
    this.lastSent = key;
    this.send({ kind: 'farm', batches });
  }

  private schedule(ms: number): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll().then((more) => {
        if (more) this.schedule(POLL_MS);
      });
    }, ms);
    this.timer.unref();
  }

  /** Reads every unfinished sent batch; true while one of them is still unfinished. */
  private async poll(): Promise<boolean> {
    if (this.polling) return true;
    this.polling = true;
    let unfinished = false;
    try {
      const { queue, redis } = await this.connect();
      for (const batch of this.store.get().batches) {
        const last = this.views.get(batch);
        if (last?.finished && !last.error) continue;
        try {
          this.views.set(batch, viewOf(await batchStatus(queue, redis, batch)));
        } catch (err) {
          // A batch Redis forgot (kept 7 days) is forgotten here too.
          if (isError(err, 'not-found')) await this.store.untrack(batch);
          else throw err;
        }
        if (!this.views.get(batch)?.finished) unfinished = true;
      }
    } catch (err) {
      const error = redact(toErrorPayload(err).message, this.secrets());
      for (const [b, v] of this.views) this.views.set(b, { ...v, error });
      unfinished = true;
    } finally {
      this.polling = false;
    }
    this.emit();
    return unfinished && !this.closed;
  }

  private secrets(): string[] {
    const p = this.store.get().password;
    return p ? [p] : [];
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.disconnect();
  }
}
