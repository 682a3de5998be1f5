import { resolve } from 'node:path';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Command, Option } from 'commander';
import { connectRedis } from '../main/engine/farm/farm-connection';
import {
  batchStatus,
  cancelBatch,
  listBatches,
  type BatchStatus,
} from '../main/engine/farm/farm-status';
import { submitBatch } from '../main/engine/farm/farm-submit';
import { DEFAULT_POLICY, FARM_QUEUE } from '../main/engine/farm/farm-types';
import { redact, type RedisTarget } from '../main/engine/farm/redis-url';
import { isError } from '../shared/errors';
import { EXIT } from './exit-codes';
import { intInRange } from './options';
import { chainId } from '../main/engine/models/chain-id';
import { settingsFrom, type UpscaleCliOptions } from './upscale-command';
import { UsageError } from './usage-error';
import { redisTarget, withRedisOptions, type RedisCliOptions } from './worker-command';

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const json = (v: unknown): void => void process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);

/** A connection to the farm for one command; `close` lets the process exit. */
async function openFarm(
  target: RedisTarget,
): Promise<{ queue: Queue; redis: Redis; close(): Promise<void> }> {
  const redis = await connectRedis(target, (line) => log(`! ${line}`));
  // Loaded here, not at start: every `upres` command would pay ~0.5 s for it.
  const { Queue } = await import('bullmq');
  const queue = new Queue(FARM_QUEUE, { connection: redis });
  queue.on('error', (err: Error) => log(redact(`! ${err.message}`, target.secrets)));
  return {
    queue,
    redis,
    close: async () => {
      await queue.close().catch(() => undefined);
      redis.disconnect();
    },
  };
}

const fmtEta = (s?: number): string =>
  s === undefined ? '…' : s < 90 ? `${Math.ceil(s)} s left` : `${Math.ceil(s / 60)} min left`;

/** One line on a batch: counts, rate, ETA. */
function summary(s: BatchStatus): string {
  const c = s.counts;
  const parts = [`${c.done + c.skipped}/${s.total} done`];
  if (c.running) parts.push(`${c.running} running`);
  if (c.retrying) parts.push(`${c.retrying} to retry`);
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c.cancelled) parts.push(`${c.cancelled} cancelled`);
  const rate = s.photosPerSecond ? `, ${s.photosPerSecond.toFixed(2)} photos/s` : '';
  return `${s.batch}: ${parts.join(', ')}${rate}${s.finished ? '' : `, ${fmtEta(s.eta)}`}${s.cancelled ? ' (cancelled)' : ''}`;
}

function printItems(s: BatchStatus): void {
  for (const i of s.items) {
    const who = i.worker ? ` [${i.worker}]` : '';
    if (i.state === 'running') log(`  ▶ ${i.input}${who} tile ${i.tile ?? 0}/${i.tiles ?? '?'}`);
    else if (i.state === 'failed') log(`  ✗ ${i.error}${who}`);
    else if (i.state === 'done') log(`  ✓ ${i.input} → ${i.output}${who}`);
    else if (i.state === 'retrying') log(`  ↻ ${i.input}: ${i.error ?? 'to be retried'}`);
  }
}

/** Follows a batch until every photo has ended, a line whenever its counts change. */
async function follow(queue: Queue, redis: Redis, batch: string): Promise<BatchStatus> {
  let last = '';
  for (;;) {
    let s: BatchStatus;
    try {
      s = await batchStatus(queue, redis, batch);
    } catch (err) {
      if (isError(err, 'not-found')) throw err;
      // Redis restarting: the client reconnects by itself; look again shortly.
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    // A line when the counts change (not for every new rate estimate).
    const key = JSON.stringify(s.counts);
    if (key !== last) log(summary(s));
    last = key;
    if (s.finished) return s;
    await new Promise((r) => setTimeout(r, Math.max(250, s.total * 2)));
  }
}

interface SubmitCliOptions extends UpscaleCliOptions, RedisCliOptions {
  attempts: number;
  wait: boolean;
}

/** The chain id of `--chain a,b` (two or more ids; which exist is the workers' to say). */
function chainOf(list: string): string {
  const ids = list.split(',').map((s) => s.trim());
  if (ids.length < 2 || ids.some((s) => s === ''))
    throw new UsageError(`--chain takes two or more model ids separated by commas, got "${list}"`);
  return chainId(ids);
}

async function runSubmit(inputs: string[], opt: SubmitCliOptions): Promise<number> {
  if (inputs.length === 0) throw new UsageError('give at least one file or folder to submit');
  if (!opt.output)
    throw new UsageError('give an output folder on the shared storage with -o <dir>');
  if (opt.scale !== undefined && (opt.width !== undefined || opt.height !== undefined))
    throw new UsageError('give either --scale or --width / --height, not both');
  // The workers resolve the stages (a stage a worker lacks fails that photo, naming it).
  if (opt.chain !== undefined) opt.model = chainOf(opt.chain);
  const farm = await openFarm(redisTarget(opt));
  try {
    const sub = await submitBatch(farm.queue, farm.redis, {
      inputs,
      recursive: opt.recursive,
      outDir: resolve(opt.output),
      nameTemplate: opt.name,
      onExists: opt.onExists,
      settings: settingsFrom(opt),
      policy: { attempts: opt.attempts },
    });
    for (const p of sub.problems) log(`✗ ${p.error}`);
    if (sub.jobs === 0) {
      log('nothing to submit');
      return EXIT.failed;
    }
    log(
      `batch ${sub.batch}: ${sub.jobs} photo(s) submitted (${opt.model}) → ${resolve(opt.output)}`,
    );
    if (!opt.wait) {
      if (opt.json) json(sub);
      else process.stdout.write(`${sub.batch}\n`);
      return sub.problems.length === 0 ? EXIT.ok : EXIT.failed;
    }
    const s = await follow(farm.queue, farm.redis, sub.batch);
    printItems(s);
    if (opt.json) json(s);
    return s.counts.failed === 0 && s.counts.cancelled === 0 && sub.problems.length === 0
      ? EXIT.ok
      : EXIT.failed;
  } finally {
    await farm.close();
  }
}

async function runStatus(
  batch: string | undefined,
  opt: RedisCliOptions & { json: boolean },
): Promise<number> {
  const farm = await openFarm(redisTarget(opt));
  try {
    if (batch) {
      const s = await batchStatus(farm.queue, farm.redis, batch);
      if (opt.json) json(s);
      else {
        log(summary(s));
        printItems(s);
      }
      return EXIT.ok;
    }
    const all = [];
    for (const b of await listBatches(farm.redis))
      all.push(await batchStatus(farm.queue, farm.redis, b));
    if (opt.json) json(all.map(({ items: _items, ...rest }) => rest));
    else if (all.length === 0) log('no batches');
    else for (const s of all) log(summary(s));
    return EXIT.ok;
  } finally {
    await farm.close();
  }
}

async function runCancel(batch: string, opt: RedisCliOptions & { json: boolean }): Promise<number> {
  const farm = await openFarm(redisTarget(opt));
  try {
    const r = await cancelBatch(farm.queue, farm.redis, batch);
    if (opt.json) json({ batch, ...r });
    else
      log(`${batch}: ${r.removed} waiting photo(s) removed, ${r.stopping} running one(s) stopping`);
    return EXIT.ok;
  } finally {
    await farm.close();
  }
}

/** Options of `upscale` that `farm submit` takes as they are (the settings of every photo). */
const SHARED = new Set([
  'output',
  'recursive',
  'model',
  'chain',
  'alpha',
  'scale',
  'width',
  'height',
  'format',
  'quality',
  'name',
  'on-exists',
  'transparency',
  'keep-metadata',
  'tile',
  'device',
  'precision',
  'tta',
  // Output options other commands may add; a name that upscale lacks is simply not added.
  'compression',
  'bit-depth',
  'effort',
  'keep-print-size',
]);

/** Registers `upres farm submit | status | cancel` (after `upscale`, whose options submit takes). */
export function addFarmCommands(program: Command, result: { code: number }): void {
  const upscale = program.commands.find((c) => c.name() === 'upscale');
  const farm = program
    .command('farm')
    .description('send photos to a render farm of `upres worker`s and follow them');
  const submit = withRedisOptions(
    farm
      .command('submit')
      .description('submit photos to the farm as one batch (paths on storage every worker mounts)')
      .argument('[inputs...]', 'image files or folders'),
  );
  for (const o of upscale?.options ?? []) if (SHARED.has(o.name())) submit.addOption(o);
  submit
    .option(
      '--attempts <n>',
      'tries per photo before it fails',
      intInRange('attempts', 1, 100),
      DEFAULT_POLICY.attempts,
    )
    .option('--wait', 'follow the batch until every photo has ended (exit 1 if any failed)', false)
    .addOption(new Option('--json', 'print a JSON report on stdout').default(false))
    .action(async (inputs: string[], opt: SubmitCliOptions) => {
      result.code = await runSubmit(inputs, opt);
    });
  withRedisOptions(
    farm
      .command('status')
      .description('the batches, or one batch photo by photo (worker, tile, output, error)')
      .argument('[batch]', 'batch id (as submit printed it)'),
  )
    .option('--json', 'print JSON', false)
    .action(async (batch: string | undefined, opt: RedisCliOptions & { json: boolean }) => {
      result.code = await runStatus(batch, opt);
    });
  withRedisOptions(
    farm
      .command('cancel')
      .description('cancel a batch: waiting photos removed, running ones stopped')
      .argument('<batch>'),
  )
    .option('--json', 'print JSON', false)
    .action(async (batch: string, opt: RedisCliOptions & { json: boolean }) => {
      result.code = await runCancel(batch, opt);
    });
}
