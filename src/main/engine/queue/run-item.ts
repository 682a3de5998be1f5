import { errorCode, UpresError } from '../../../shared/errors';
import { asMessage } from '../../../shared/engine-message';
import type { OutputPlan, QueueItem, QueueProgress } from '../../../shared/queue';
import { inspectImage, type ImageHeader } from '../pipeline/decode';
import { finishCommit, tempPathFor } from '../pipeline/safe-write';
import { TileStore } from '../pipeline/tile-store';
import { nextAttempt, type Attempt } from './attempt-policy';
import { commitItem, prepareOutput } from './commit';
import type { EtaEstimator, RenderClock } from './eta';
import type { HeaderCache } from './header-cache';
import type { InputGuard } from './input-guard';
import type { ItemStore } from './item-store';
import { planOutput } from './output-plan';
import { Stop, type QueueOptions } from './queue-types';
import { itemTileStore } from './tile-stores';

/** What running an item needs of the queue. */
export interface RunContext {
  store: ItemStore;
  opt: QueueOptions;
  headers: HeaderCache;
  eta: EtaEstimator;
  guard: () => Promise<InputGuard>;
  progress: (p: QueueProgress) => void;
}

const stopOf = (signal: AbortSignal, err: unknown): unknown =>
  signal.reason instanceof Stop ? signal.reason : err;

/**
 * Runs one item to its end state: done (committed), skipped, failed (with its code), back to
 * waiting (paused) or cancelled. Its tile store is discarded once the output is committed; a pause
 * or cancel keeps it, so a resume or retry continues from the next unfinished tile.
 */
export async function runItem(
  ctx: RunContext,
  item: QueueItem,
  abort: AbortController,
): Promise<void> {
  const t0 = performance.now();
  // On disk before the first tile: a crash from here on is counted against this item.
  await ctx.store.change(item, {
    state: 'running',
    error: undefined,
    errorCode: undefined,
    errorDetail: undefined,
  });
  try {
    const { patch, cleanup } = await attempts(ctx, item, abort.signal);
    // The output has its final name: its kept tiles go before the item is journaled done, so a
    // kill in between leaves a `committing` item, whose recovery discards them too (a kill after
    // the journal could otherwise leave a done item's tiles behind for ever).
    const dir = itemTileStore(item, ctx.opt);
    if (dir) await TileStore.discardAt(dir).catch(() => undefined);
    await ctx.store.change(item, { ...patch, seconds: (performance.now() - t0) / 1000 });
    if (cleanup) await finishCommit(cleanup);
  } catch (err) {
    const seconds = (performance.now() - t0) / 1000;
    if (err instanceof Stop || abort.signal.aborted) {
      const reason = (abort.signal.reason as Stop | undefined)?.reason ?? 'cancel';
      await ctx.store.change(item, { state: reason === 'pause' ? 'waiting' : 'cancelled' });
    } else {
      const message = (err as Error).message;
      const error = message.includes(item.input) ? message : `${item.input}: ${message}`;
      // The detail (the UI's translation of the message) is kept as the error worded it.
      const errorDetail = err instanceof UpresError ? err.detail : undefined;
      await ctx.store.change(item, {
        state: 'failed',
        error,
        errorCode: errorCode(err),
        errorDetail,
        seconds,
      });
    }
  }
}

/** The item's plan, reading its header now if it could not be read when it was added. */
async function planNow(
  ctx: RunContext,
  item: QueueItem,
): Promise<{ plan: OutputPlan; header?: ImageHeader }> {
  const header = await ctx.headers.take(item.id, item.input);
  if (item.plan) return { plan: item.plan, header };
  const h = await inspectImage(item.input); // throws "<file>: <the problem>"
  const plan = planOutput(
    { ...item, width: h.width, height: h.height },
    ctx.opt.modelScale(item.settings.model),
  );
  await (await ctx.guard()).check([{ input: item.input, output: plan.path }]);
  await ctx.store.change(item, { width: h.width, height: h.height, plan }, false);
  return { plan, header: h };
}

/** Emits estimated progress between tiles, so it moves at least every `tickMs`. */
function ticker(ctx: RunContext, item: QueueItem, clock: RenderClock): () => void {
  const timer = setInterval(() => {
    if (!clock.isPlanned || clock.tileCount === 0 || clock.tilesDone >= clock.tileCount) return;
    ctx.progress({
      id: item.id,
      tile: clock.tilesDone,
      tiles: clock.tileCount,
      estimated: true,
      ...clock.reading(ctx.store.waitingWork, true),
    });
  }, ctx.opt.tickMs ?? 1000);
  timer.unref();
  return () => clearInterval(timer);
}

/** Renders under the attempt policy (smaller tiles, then CPU), then commits the output. */
async function attempts(
  ctx: RunContext,
  item: QueueItem,
  signal: AbortSignal,
): Promise<{ patch: Partial<QueueItem>; cleanup?: string }> {
  const { plan, header } = await planNow(ctx, item);
  const target = plan.path;
  if ((await prepareOutput(target, item.placement.onExists)) === 'skipped')
    return { patch: { state: 'skipped', output: target } };
  let attempt: Attempt = { tile: item.settings.tile };
  const notes = [...item.notes];
  for (;;) {
    const tmp = tempPathFor(target);
    let lastTile = attempt.tile ?? 0;
    const clock = ctx.eta.begin(item);
    const stopTicking = ticker(ctx, item, clock);
    try {
      const rendered = await ctx.opt.render({
        item,
        plan,
        header,
        tmp,
        signal,
        tile: attempt.tile,
        device: attempt.device,
        tileStore: itemTileStore(item, ctx.opt),
        onPlan: (size, tiles) => {
          lastTile = size;
          clock.planned(tiles);
        },
        onTile: (p) => {
          lastTile = p.tileSize;
          clock.tile(p.tile, p.tiles, p.restored);
          ctx.progress({
            id: item.id,
            tile: p.tile,
            tiles: p.tiles,
            ...(p.restored ? { restored: true } : {}),
            ...clock.reading(ctx.store.waitingWork),
          });
        },
      });
      stopTicking();
      clock.finish();
      // A cancel or pause during the last tile lands here: never commit an output then.
      if (signal.aborted) throw stopOf(signal, new Stop('cancel'));
      notes.push(...(rendered.notes ?? []).map(asMessage));
      await ctx.store.change(item, { committing: tmp, notes }, false);
      const result = await commitItem(tmp, target, item.placement.onExists);
      return {
        patch: {
          state: result.state,
          output: result.output,
          outWidth: plan.width,
          outHeight: plan.height,
          committing: undefined,
          notes,
        },
        cleanup: tmp,
      };
    } catch (err) {
      stopTicking();
      await finishCommit(tmp);
      if (signal.aborted) throw stopOf(signal, err);
      const next = nextAttempt(err, { ...attempt, lastTile, requested: item.settings.device });
      if (!next) {
        item.notes = notes;
        throw err;
      }
      attempt = next.attempt;
      notes.push(asMessage(next.note));
    }
  }
}
