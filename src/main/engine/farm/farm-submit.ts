import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { ItemSettings, type ItemSettingsInput, type OnExists } from '../../../shared/queue';
import { collectInputs, type InputProblem } from '../queue/collect-inputs';
import { checkNameTemplate } from '../queue/output-plan';
import {
  batchesKey,
  batchKey,
  DEFAULT_POLICY,
  type FarmJobData,
  type JobPolicy,
} from './farm-types';

export interface SubmitRequest {
  inputs: string[];
  recursive: boolean;
  outDir: string;
  nameTemplate: string;
  onExists: OnExists;
  settings: ItemSettingsInput;
  policy?: Partial<JobPolicy>;
}

export interface Submitted {
  batch: string;
  jobs: number;
  /** Inputs that could not be submitted (missing, a folder without images), one message each. */
  problems: InputProblem[];
}

/** Days a finished job stays readable by `farm status` before Redis forgets it. */
const KEEP_DAYS = 7;

/** A batch id: sortable by time, unique across submitters. */
export function newBatchId(): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${t}-${randomBytes(3).toString('hex')}`;
}

/** The id of a batch's n-th job (so a batch's jobs are known from its size alone). */
export const jobIdOf = (batch: string, n: number): string => `${batch}-${n}`;

/**
 * Submits one job per photo (files as given; folders expanded as `upres upscale` does, with their
 * structure kept below `outDir`), all with the same resolved settings, as one batch. Photos are
 * not opened here: each is read by the worker that runs it, on its own mount of the shared storage,
 * and a bad one fails there with its message (after its retries) without holding up the others.
 */
export async function submitBatch(
  queue: Queue,
  redis: Redis,
  req: SubmitRequest,
): Promise<Submitted> {
  const settings = ItemSettings.parse(req.settings);
  checkNameTemplate(req.nameTemplate);
  const policy = req.policy;
  const outDir = resolve(req.outDir);
  const batch = newBatchId();
  const jobs: FarmJobData[] = [];
  const problems: InputProblem[] = [];
  const seen = new Set<string>();
  for (const arg of req.inputs) {
    const path = resolve(arg);
    const isDir = (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
    const found = await collectInputs([path], { recursive: req.recursive, exclude: [outDir] });
    problems.push(...found.problems);
    for (const i of found.inputs) {
      if (seen.has(i.path)) continue;
      seen.add(i.path);
      jobs.push({
        v: 1,
        batch,
        input: i.path,
        root: isDir ? path : dirname(path),
        relDir: i.relDir,
        outDir,
        nameTemplate: req.nameTemplate,
        onExists: req.onExists,
        settings,
      });
    }
  }
  if (jobs.length === 0) return { batch, jobs: 0, problems };
  await enqueueBatch(queue, redis, batch, jobs, {
    outDir,
    model: settings.model,
    problems,
    policy,
  });
  return { batch, jobs: jobs.length, problems };
}

/**
 * Records a batch and adds its jobs (ids `jobIdOf(batch, n)`): what `submitBatch` and the app's
 * *Send to farm* (photos with their own settings each) both do once their jobs are built.
 */
export async function enqueueBatch(
  queue: Queue,
  redis: Redis,
  batch: string,
  jobs: FarmJobData[],
  meta: { outDir: string; model: string; problems?: InputProblem[]; policy?: Partial<JobPolicy> },
): Promise<void> {
  const policy = { ...DEFAULT_POLICY, ...meta.policy };
  const created = Date.now();
  // The batch is recorded before its jobs, so a worker or `status` never meets a job without one.
  await redis.hset(batchKey(batch), {
    created: String(created),
    total: String(jobs.length),
    outDir: meta.outDir,
    model: meta.model,
    problems: JSON.stringify(meta.problems ?? []),
  });
  await redis.zadd(batchesKey, created, batch);
  const keep = { age: KEEP_DAYS * 24 * 3600 };
  // In chunks: an archive of 50 000 photos is one batch, not one 50 000-job Redis command.
  for (let at = 0; at < jobs.length; at += 1000)
    await queue.addBulk(
      jobs.slice(at, at + 1000).map((data, k) => ({
        name: 'photo',
        data,
        opts: {
          jobId: jobIdOf(batch, at + k),
          attempts: policy.attempts,
          backoff: { type: 'fixed', delay: policy.backoffMs },
          removeOnComplete: keep,
          removeOnFail: keep,
        },
      })),
    );
}
