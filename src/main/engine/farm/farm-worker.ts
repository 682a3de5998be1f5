import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import type {
  Job,
  UnrecoverableError as Unrecoverable,
  WaitingError as Waiting,
  Worker,
} from 'bullmq';
import type { Redis } from 'ioredis';
import type { DeviceRequest } from '../../../shared/device';
import { UpresError } from '../../../shared/errors';
import type { ModelRegistry } from '../models/model-registry';
import { resolveUserDirs } from '../storage/user-dirs';
import { CommitRecords } from './commit-records';
import { confineJob } from './confine';
import { connectRedis } from './farm-connection';
import { FarmLane, removeStaleLanes, type LaneOutcome } from './farm-lane';
import {
  batchKey,
  FARM_QUEUE,
  FarmJobData,
  type FarmProgress,
  type FarmResult,
} from './farm-types';
import type { PathRule } from './path-map';
import { redact, redactMessage, type RedisTarget } from './redis-url';

export interface FarmWorkerOptions {
  target: RedisTarget;
  /** Shown in `farm status` beside each photo it runs (default: host-pid). */
  name?: string;
  /** Jobs run at once, each in its own lane (one is right for one GPU). */
  concurrency?: number;
  rules?: PathRule[];
  /** This box's device for every job (else each job's own setting). */
  device?: DeviceRequest;
  /**
   * Seconds a job's lock lasts without a heartbeat (renewed at half of it): how long a killed
   * worker's job waits before another worker takes it over. Default 30.
   */
  lockSeconds?: number;
  /** Times a photo may stop its worker (crash, kill) before it is failed. Default 1. */
  maxStalls?: number;
  /** Logs every finished tile (`tile 3/8 photo.png`), for scripts and tests. */
  logTiles?: boolean;
  log?: (line: string) => void;
}

// BullMQ's error classes, set when the first worker starts (see `start`).
let UnrecoverableError: typeof Unrecoverable;
let WaitingError: typeof Waiting;

/** Milliseconds between checks whether a running job's batch was cancelled. */
const CANCEL_POLL_MS = 1000;
/** Least milliseconds between two progress writes of one job (the last tile is always written). */
const PROGRESS_MS = 250;

/**
 * `upres worker`: takes photos from the farm's queue and renders each through a lane (the local
 * engine path, see farm-lane.ts), with its models loaded once and kept. BullMQ renews each job's
 * lock while it runs (the heartbeat) and gives the job of a worker that stopped renewing to another
 * one; a photo that failed is retried up to its batch's `attempts`, then failed with its error.
 */
export class FarmWorker {
  private stopping = false;
  private readonly free: FarmLane[];
  private readonly stops = new Map<string, AbortController>();

  private constructor(
    private readonly worker: Worker<FarmJobData, FarmResult>,
    private readonly redis: Redis,
    private readonly lanes: FarmLane[],
    readonly name: string,
    private readonly opt: FarmWorkerOptions,
  ) {
    this.free = [...lanes];
  }

  /** Connects, opens the lanes and starts taking jobs. */
  static async start(registry: ModelRegistry, opt: FarmWorkerOptions): Promise<FarmWorker> {
    const log = opt.log ?? (() => undefined);
    // Loaded on first use: every `upres` command would pay for it otherwise (~0.5 s).
    ({ UnrecoverableError, WaitingError } = await import('bullmq'));
    const { Worker } = await import('bullmq');
    const redis = await connectRedis(opt.target, log);
    const concurrency = opt.concurrency ?? 1;
    const lanes: FarmLane[] = [];
    // Each lane's private queue journal lives in the user folder, beside the CLI's batches.
    const base = join(resolveUserDirs().queue, 'farm-lanes');
    await removeStaleLanes(base);
    for (let i = 0; i < concurrency; i++) lanes.push(await FarmLane.open(registry, log, base));
    const name = opt.name ?? `${hostname()}-${process.pid}`;
    const lockMs = (opt.lockSeconds ?? 30) * 1000;
    const ref: { self?: FarmWorker } = {};
    const worker = new Worker<FarmJobData, FarmResult>(
      FARM_QUEUE,
      (job, token, signal) => ref.self!.process(job, token, signal),
      {
        connection: redis,
        concurrency,
        autorun: false,
        lockDuration: lockMs,
        stalledInterval: lockMs,
        maxStalledCount: opt.maxStalls ?? 1,
        name,
      },
    );
    // Once per kind of error in a row: a Redis outage must not print a line per reconnect.
    let lastError = '';
    worker.on('error', (err) => {
      const line = redact(`! ${err.message}`, opt.target.secrets);
      if (line !== lastError) log(line);
      lastError = line;
    });
    worker.on('completed', () => (lastError = ''));
    // A photo that stopped its worker more than `maxStalls` times is failed by BullMQ without
    // running it again (a deferred failure): what its last try left is cleaned here.
    worker.on('failed', (job) => {
      if (job?.deferredFailure) void ref.self?.crashedOut(job);
    });
    const self = new FarmWorker(worker, redis, lanes, name, opt);
    ref.self = self;
    void worker
      .run()
      .catch((err: unknown) => log(redact(`! ${(err as Error).message}`, opt.target.secrets)));
    await worker.waitUntilReady();
    return self;
  }

  private log(line: string): void {
    this.opt.log?.(redact(line, this.opt.target.secrets));
  }

  private async process(
    job: Job<FarmJobData, FarmResult>,
    token: string | undefined,
    signal?: AbortSignal,
  ): Promise<FarmResult> {
    const parsed = FarmJobData.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(
        `job ${job.id}: not an Upres farm job (${parsed.error.issues[0]?.message})`,
      );
    const data = parsed.data;
    if (this.opt.device) data.settings = { ...data.settings, device: this.opt.device };
    if (this.stopping) return this.handBack(job, token);
    if ((await this.redis.hget(batchKey(data.batch), 'cancelled')) === '1')
      throw new UnrecoverableError(`${data.input}: cancelled`);
    const lane = this.free.pop();
    if (!lane) throw new Error(`worker ${this.name}: no free lane (concurrency mismatch)`);
    const stop = new AbortController();
    this.stops.set(job.id!, stop);
    const poll = setInterval(() => {
      void this.redis.hget(batchKey(data.batch), 'cancelled').then(
        (c) => c === '1' && stop.abort('cancel'),
        () => undefined,
      );
    }, CANCEL_POLL_MS);
    const onSignal = (): void => stop.abort('cancel');
    signal?.addEventListener('abort', onSignal, { once: true });
    const t0 = performance.now();
    try {
      const local = await confineJob(data, this.opt.rules ?? []).catch((err: unknown) =>
        this.fail(job, err),
      );
      const records = new CommitRecords(
        this.redis,
        job.id!,
        local.outFolder,
        `${this.name}:${token}`,
      );
      const committed = await records.recover();
      if (committed) {
        this.log(`✓ ${local.input} → ${committed} (committed by an earlier try)`);
        await records.finish();
        return {
          state: 'done',
          worker: this.name,
          output: committed,
          seconds: 0,
          notes: [],
          recovered: true,
        };
      }
      let last = 0;
      const outcome: LaneOutcome = await lane.run(local, data, records, {
        stop: stop.signal,
        progress: (p) => {
          if (this.opt.logTiles) this.log(`tile ${p.tile}/${p.tiles} ${basename(local.input)}`);
          const now = performance.now();
          if (now - last < PROGRESS_MS && p.tile < p.tiles) return;
          last = now;
          const progress: FarmProgress = {
            worker: this.name,
            tile: p.tile,
            tiles: p.tiles,
            fraction: p.fraction,
            ...(p.itemEta === undefined ? {} : { itemEta: p.itemEta }),
          };
          void job.updateProgress(progress).catch(() => undefined);
        },
      });
      switch (outcome.kind) {
        case 'done':
        case 'skipped': {
          await records.finish();
          const i = outcome.item;
          this.log(
            outcome.kind === 'done'
              ? `✓ ${local.input} → ${i.output} (${i.outWidth}×${i.outHeight}, ${(i.seconds ?? 0).toFixed(1)} s)`
              : `- ${local.input}: ${i.output} exists; skipped`,
          );
          return {
            state: outcome.kind,
            worker: this.name,
            output: i.output!,
            outWidth: i.outWidth,
            outHeight: i.outHeight,
            seconds: (performance.now() - t0) / 1000,
            notes: i.notes,
          };
        }
        case 'lost-race':
          this.log(`- ${local.input}: another worker committed it first`);
          throw new UnrecoverableError(`${data.input}: another worker committed this photo first`);
        case 'cancelled':
          if (stop.signal.reason === 'hand-back') return await this.handBack(job, token);
          await records.discard();
          this.log(`- ${local.input}: cancelled`);
          throw new UnrecoverableError(`${data.input}: cancelled`);
        case 'handed-back':
          return await this.handBack(job, token);
        case 'failed': {
          const lastTry = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
          if (lastTry) await records.discard();
          return await this.fail(job, outcome.error);
        }
      }
      throw new Error(`job ${job.id}: unknown outcome`);
    } finally {
      clearInterval(poll);
      signal?.removeEventListener('abort', onSignal);
      this.stops.delete(job.id!);
      this.free.push(lane);
    }
  }

  /**
   * After BullMQ failed a job for the crash limit: its temp files go (the try that wrote them was
   * killed), and the failure gets its code; the reason is worded by farm-status.ts.
   */
  async crashedOut(job: Job<FarmJobData, FarmResult>): Promise<void> {
    try {
      const data = FarmJobData.parse(job.data);
      const local = await confineJob(data, this.opt.rules ?? []);
      await new CommitRecords(this.redis, job.id!, local.outFolder, `${this.name}:-`).discard();
      const p = (typeof job.progress === 'object' ? job.progress : {}) as Partial<FarmProgress>;
      await job.updateProgress({
        ...p,
        worker: p.worker ?? this.name,
        tile: p.tile ?? 0,
        tiles: p.tiles ?? 0,
        fraction: 0,
        errorCode: 'engine.stopped',
      });
      this.log(`✗ ${local.input}: stopped its worker too many times; failed (crash limit)`);
    } catch (err) {
      this.log(`! job ${job.id}: cleaning after the crash limit failed: ${(err as Error).message}`);
    }
  }

  /** Fails this try of a job with its error (code kept in the job's progress), redacted. */
  private async fail(job: Job<FarmJobData, FarmResult>, err: unknown): Promise<never> {
    const code = err instanceof UpresError ? err.code : 'internal';
    const secrets = this.opt.target.secrets;
    const message = redact((err as Error).message, secrets);
    const detail = err instanceof UpresError && err.detail && redactMessage(err.detail, secrets);
    await job
      .updateProgress({
        worker: this.name,
        tile: 0,
        tiles: 0,
        fraction: 0,
        errorCode: code,
        ...(detail ? { errorDetail: detail } : {}),
      })
      .catch(() => undefined);
    this.log(
      `✗ ${message}${job.attemptsMade + 1 < (job.opts.attempts ?? 1) ? ' (to be retried)' : ''}`,
    );
    throw new Error(message);
  }

  /** Puts a job back in the waiting list untouched (no try counted) and ends its processing. */
  private async handBack(
    job: Job<FarmJobData, FarmResult>,
    token: string | undefined,
  ): Promise<never> {
    await job.moveToWait(token);
    this.log(`↩ ${basename(job.data.input)}: handed back to the farm`);
    throw new WaitingError();
  }

  /**
   * Stops: no new job is taken, the running ones stop within their tile and go back to the farm
   * for another worker, then everything is closed.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const closing = this.worker.close();
    for (const s of this.stops.values()) s.abort('hand-back');
    await closing;
    for (const lane of this.lanes) await lane.close();
    this.redis.disconnect();
  }
}
