import { Command, InvalidArgumentError, Option } from 'commander';
import { openModelRegistry } from '../main/engine';
import { FarmWorker } from '../main/engine/farm/farm-worker';
import { parseMapRule, type PathRule } from '../main/engine/farm/path-map';
import { parseRedisUrl, type RedisTarget } from '../main/engine/farm/redis-url';
import type { DeviceRequest } from '../shared/device';
import { EXIT } from './exit-codes';
import { intInRange, parseDevice } from './options';
import { UsageError } from './usage-error';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** The options every farm command takes to reach Redis. */
export interface RedisCliOptions {
  redis?: string;
  redisCa?: string;
}

/** Adds `--redis` and `--redis-ca` to a farm command. */
export function withRedisOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--redis <url>',
        "the farm's Redis: redis://[:password@]host:port or rediss://… for TLS (or set UPRES_REDIS_URL; the password can come from UPRES_REDIS_PASSWORD)",
      ),
    )
    .option(
      '--redis-ca <pem>',
      'CA certificate to trust for rediss:// (a private or self-signed CA)',
    );
}

/** The Redis address from the options or the environment; a usage error when there is none. */
export function redisTarget(opt: RedisCliOptions): RedisTarget {
  const url = opt.redis ?? process.env.UPRES_REDIS_URL;
  if (!url) throw new UsageError("give the farm's Redis with --redis <url> (or UPRES_REDIS_URL)");
  return parseRedisUrl(url, {
    password: process.env.UPRES_REDIS_PASSWORD,
    caFile: opt.redisCa ?? process.env.UPRES_REDIS_CA,
  });
}

interface WorkerCliOptions extends RedisCliOptions {
  device?: DeviceRequest;
  concurrency: number;
  name?: string;
  map: PathRule[];
  lockSeconds: number;
  maxStalls: number;
  logTiles: boolean;
}

/**
 * Runs `upres worker` until SIGTERM / SIGINT: then it takes no new photo, stops the running ones
 * within their tile, hands them back to the farm and exits 0; a second signal exits at once.
 */
async function runWorker(opt: WorkerCliOptions): Promise<number> {
  const target = redisTarget(opt);
  const worker = await FarmWorker.start(await openModelRegistry(), {
    target,
    name: opt.name,
    concurrency: opt.concurrency,
    rules: opt.map,
    device: opt.device,
    lockSeconds: opt.lockSeconds,
    maxStalls: opt.maxStalls,
    logTiles: opt.logTiles,
    log,
  });
  const maps = opt.map.map((r) => ` ${r.from}=${r.to}`).join('');
  log(
    `worker ${worker.name}: taking photos from ${target.shown} (concurrency ${opt.concurrency}${maps ? `; maps${maps}` : ''})`,
  );
  await new Promise<void>((resolve) => {
    let stopping = false;
    const on = (signal: NodeJS.Signals): void => {
      if (stopping) process.exit(EXIT.cancelled);
      stopping = true;
      log(`${signal}: handing the running photos back to the farm, then stopping`);
      void worker.stop().finally(resolve);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
  log(`worker ${worker.name}: stopped`);
  return EXIT.ok;
}

const collectMap = (v: string, prev: PathRule[]): PathRule[] => {
  try {
    return [...prev, parseMapRule(v)];
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};

/** Registers `upres worker`. */
export function addWorkerCommand(program: Command, result: { code: number }): void {
  withRedisOptions(
    program
      .command('worker')
      .description(
        'render photos for a farm: take jobs from its Redis queue until stopped (models never downloaded; paths from --map)',
      ),
  )
    .addOption(
      new Option(
        '-d, --device <device>',
        "this box's device for every job: auto | cpu | cuda | dml | coreml | webgpu (default: the job's)",
      ).argParser(parseDevice),
    )
    .option(
      '-c, --concurrency <n>',
      'photos at once (1 per GPU is right)',
      intInRange('concurrency', 1, 64),
      1,
    )
    .option('--name <name>', 'name shown in `farm status` (default: host-pid)')
    .option(
      '--map <from=to>',
      'rewrite a path prefix of the jobs to where this box mounts it (repeatable), e.g. /Volumes/Photos=/mnt/photos; with maps, jobs outside them are refused',
      collectMap,
      [] as PathRule[],
    )
    .option(
      '--lock-seconds <s>',
      'how long a job survives this worker going silent before another takes it over',
      intInRange('lock-seconds', 1, 3600),
      30,
    )
    .option(
      '--max-stalls <n>',
      'times a photo may stop a worker (crash, kill) before it is failed',
      intInRange('max-stalls', 0, 100),
      1,
    )
    .option('--log-tiles', 'print one line per finished tile (`tile 3/8 photo.png`)', false)
    .action(async (opt: WorkerCliOptions) => {
      result.code = await runWorker(opt);
    });
}
