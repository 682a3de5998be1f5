import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { msg, type EngineMessage } from '../../../shared/engine-message';
import { UpresError, type ErrorCode } from '../../../shared/errors';
import type { InputProblem } from '../queue/collect-inputs';
import { jobIdOf } from './farm-submit';
import {
  batchesKey,
  batchKey,
  type FarmItemState,
  type FarmJobData,
  type FarmProgress,
  type FarmResult,
} from './farm-types';

/** One photo of a batch as `farm status` reports it. */
export interface FarmItemStatus {
  id: string;
  input: string;
  state: FarmItemState;
  /** The worker running it, or that ran it last. */
  worker?: string;
  tile?: number;
  tiles?: number;
  fraction: number;
  /** Tries made so far (a failed try, or a worker that stopped while running it). */
  attempts: number;
  output?: string;
  outWidth?: number;
  outHeight?: number;
  seconds?: number;
  error?: string;
  errorCode?: ErrorCode;
  /** `error` as a catalogue key and its values, for the app to say in its language. */
  errorDetail?: EngineMessage;
}

export type FarmCounts = Record<FarmItemState, number>;

export interface BatchStatus {
  batch: string;
  created: string;
  total: number;
  outDir: string;
  model: string;
  cancelled: boolean;
  counts: FarmCounts;
  /** Finished share of the batch, 0–1 (running photos by their tiles). */
  fraction: number;
  /** Photos finished per second since the first one started (undefined before one finished). */
  photosPerSecond?: number;
  /** Seconds left at that rate. */
  eta?: number;
  /** Every photo ended (done, skipped, failed or cancelled). */
  finished: boolean;
  items: FarmItemStatus[];
  /** Inputs refused when the batch was submitted. */
  problems: InputProblem[];
}

/** BullMQ's reason for a job failed at the crash limit (`maxStalledCount`). */
const STALL_REASON = 'job stalled more than allowable limit';

const ENDED: FarmItemState[] = ['done', 'skipped', 'failed', 'cancelled'];

function itemOf(
  id: string,
  job: Job<FarmJobData, FarmResult> | undefined,
  state: string,
  cancelled: boolean,
): FarmItemStatus {
  if (!job) {
    const gone = cancelled ? undefined : msg('batch.farmJobGone', { id });
    return {
      id,
      input: '',
      state: cancelled ? 'cancelled' : 'failed',
      fraction: 0,
      attempts: 0,
      ...(gone ? { error: gone.text, errorDetail: gone } : {}),
    };
  }
  const p = (typeof job.progress === 'object' ? job.progress : {}) as Partial<FarmProgress>;
  const base = {
    id,
    input: job.data.input,
    worker: job.returnvalue?.worker ?? p.worker,
    attempts: job.attemptsStarted ?? job.attemptsMade,
  };
  switch (state) {
    case 'active':
      return { ...base, state: 'running', tile: p.tile, tiles: p.tiles, fraction: p.fraction ?? 0 };
    case 'completed': {
      const r = job.returnvalue;
      return {
        ...base,
        state: r.state,
        fraction: 1,
        output: r.output,
        outWidth: r.outWidth,
        outHeight: r.outHeight,
        seconds: r.seconds,
      };
    }
    case 'failed': {
      const reason = job.failedReason ?? '';
      const wasCancelled = cancelled && reason.endsWith(': cancelled');
      if (wasCancelled) return { ...base, state: 'cancelled', fraction: 0 };
      // The worker kept the message's key beside its code (BullMQ keeps only the text).
      const stall =
        reason === STALL_REASON && !reason.startsWith(job.data.input)
          ? msg('batch.farmStalled', { file: job.data.input })
          : undefined;
      const detail = stall ?? p.errorDetail;
      const error = reason.startsWith(job.data.input)
        ? reason
        : (stall?.text ?? `${job.data.input}: ${reason}`);
      return {
        ...base,
        state: 'failed',
        fraction: 0,
        error,
        errorCode: p.errorCode ?? 'internal',
        ...(detail ? { errorDetail: detail } : {}),
      };
    }
    default:
      // waiting, delayed (a retry's back-off), prioritized
      return {
        ...base,
        state: job.attemptsMade > 0 ? 'retrying' : 'waiting',
        fraction: 0,
        ...(job.attemptsMade > 0 && job.failedReason ? { error: job.failedReason } : {}),
        ...(job.attemptsMade > 0 && job.failedReason && p.errorDetail
          ? { errorDetail: p.errorDetail }
          : {}),
      };
  }
}

/** The status of one batch, every photo read from Redis (pipelined: one round trip per chunk). */
export async function batchStatus(queue: Queue, redis: Redis, batch: string): Promise<BatchStatus> {
  const meta = await redis.hgetall(batchKey(batch));
  if (!meta.total) throw new UpresError('not-found', msg('batch.farmNoBatch', { batch }));
  const total = Number(meta.total);
  const cancelled = meta.cancelled === '1';
  const items: FarmItemStatus[] = [];
  let firstStart = Infinity;
  for (let at = 0; at < total; at += 500) {
    const ids = Array.from({ length: Math.min(500, total - at) }, (_, k) => jobIdOf(batch, at + k));
    // The state before the record: a job read first could have ended in between, and show
    // `failed` with the reason it did not have yet when it was read.
    const states = await Promise.all(ids.map((id) => queue.getJobState(id)));
    const jobs = await Promise.all(
      ids.map((id) => queue.getJob(id) as Promise<Job<FarmJobData, FarmResult> | undefined>),
    );
    for (const [k, id] of ids.entries()) {
      const j = jobs[k];
      if (j?.processedOn) firstStart = Math.min(firstStart, j.processedOn);
      items.push(itemOf(id, j, states[k], cancelled));
    }
  }
  const counts: FarmCounts = {
    waiting: 0,
    retrying: 0,
    running: 0,
    done: 0,
    skipped: 0,
    failed: 0,
    cancelled: 0,
  };
  for (const i of items) counts[i.state]++;
  const ended = ENDED.reduce((n, s) => n + counts[s], 0);
  const fraction =
    items.reduce((f, i) => f + (ENDED.includes(i.state) ? 1 : i.fraction), 0) / total;
  const elapsed = (Date.now() - firstStart) / 1000;
  const photosPerSecond =
    ended > 0 && Number.isFinite(elapsed) && elapsed > 0 ? ended / elapsed : undefined;
  return {
    batch,
    created: new Date(Number(meta.created)).toISOString(),
    total,
    outDir: meta.outDir ?? '',
    model: meta.model ?? '',
    cancelled,
    counts,
    fraction,
    photosPerSecond,
    eta: photosPerSecond ? (total - ended) / photosPerSecond : undefined,
    finished: ended === total,
    items,
    problems: JSON.parse(meta.problems ?? '[]') as InputProblem[],
  };
}

/** The batches Redis knows, newest first. */
export async function listBatches(redis: Redis, limit = 50): Promise<string[]> {
  return redis.zrevrange(batchesKey, 0, limit - 1);
}

/**
 * Cancels a batch: its waiting photos are removed, running ones stop within their tile (workers
 * watch the batch's flag), finished outputs stay. Returns how many were removed and stopped.
 */
export async function cancelBatch(
  queue: Queue,
  redis: Redis,
  batch: string,
): Promise<{ removed: number; stopping: number }> {
  const meta = await redis.hgetall(batchKey(batch));
  if (!meta.total) throw new UpresError('not-found', msg('batch.farmNoBatchShort', { batch }));
  await redis.hset(batchKey(batch), 'cancelled', '1');
  let removed = 0;
  let stopping = 0;
  for (let n = 0; n < Number(meta.total); n++) {
    const job = await queue.getJob(jobIdOf(batch, n));
    if (!job) continue;
    const state = await job.getState();
    if (state === 'active') stopping++;
    else if (state === 'waiting' || state === 'delayed' || state === 'prioritized') {
      // Taken by a worker just now: that worker sees the flag and stops it.
      await job.remove().then(
        () => removed++,
        () => stopping++,
      );
    }
  }
  return { removed, stopping };
}
