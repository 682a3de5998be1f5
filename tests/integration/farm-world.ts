// A world for render-farm tests: a real redis-server on 127.0.0.1 (random port, data in a temp
// folder, append-only), `upres worker` child processes, and a BullMQ view of the farm's jobs.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { FARM_QUEUE } from '../../src/main/engine/farm/farm-types';
import { batchStatus, type BatchStatus } from '../../src/main/engine/farm/farm-status';
import { sleep, startCli, until } from './batch-world';

/** A free TCP port on 127.0.0.1 (released at once; redis-server takes it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  port: number;
  url: string;
  /** Extra redis-server arguments it was started with (password, TLS). */
  args: string[];
  stop(): Promise<void>;
  /** Stops it and starts it again on the same port and data folder (the append-only file). */
  restart(): Promise<void>;
}

/** Whether this machine has redis-server (CI installs it, see .ci/run). */
export const HAVE_REDIS = spawnSync('redis-server', ['--version']).status === 0;

/** Whether redis-server was built with TLS (Debian's is): one without says TLS is not supported. */
export function redisHasTls(): boolean {
  // Without a certificate a TLS build refuses to start at once, naming the missing file.
  const r = spawnSync('redis-server', ['--port', '0', '--tls-port', '1'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  return /tls-cert-file/i.test(`${r.stdout}${r.stderr}`);
}

/**
 * Starts redis-server with its data in `dir`, append-only with an fsync per write (what a farm
 * needs to lose no job in a restart, see docs/farm.md), nothing else saved.
 */
export async function startRedis(
  dir: string,
  extra: string[] = [],
  url?: (port: number) => string,
): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const tls = extra.includes('--tls-port');
  const args = [
    '--bind',
    '127.0.0.1',
    ...(tls ? ['--port', '0', '--tls-port', String(port)] : ['--port', String(port)]),
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    '--save',
    '',
    '--daemonize',
    'no',
    ...extra.filter((a, i, all) => a !== '--tls-port' && all[i - 1] !== '--tls-port'),
  ];
  const launch = async (): Promise<void> => {
    const c = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    let out = '';
    c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await until(
      () => /Ready to accept connections/.test(out) || c.exitCode !== null,
      'redis-server to start',
      20_000,
    );
    if (c.exitCode !== null) throw new Error(`redis-server did not start: ${out}`);
  };
  const stop = async (): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await gone;
  };
  await launch();
  return {
    port,
    url: url ? url(port) : `redis://127.0.0.1:${port}`,
    args,
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
  };
}

/** A BullMQ view of the farm (what `farm status` reads), for tests to watch jobs. */
export function farmView(redisUrl: string): {
  queue: Queue;
  redis: Redis;
  status(batch: string): Promise<BatchStatus>;
  close(): Promise<void>;
} {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
  const queue = new Queue(FARM_QUEUE, { connection: redis });
  queue.on('error', () => undefined);
  return {
    queue,
    redis,
    status: (batch) => batchStatus(queue, redis, batch),
    close: async () => {
      await queue.close();
      redis.disconnect();
    },
  };
}

export type Cli = ReturnType<typeof startCli>;

/** Starts `upres worker --name <name>` on the farm, with short locks (a killed worker's job moves on quickly). */
export function startWorker(
  env: NodeJS.ProcessEnv,
  redisUrl: string,
  name: string,
  extra: string[] = [],
): Cli {
  return startCli(
    ['worker', '--redis', redisUrl, '--name', name, '--lock-seconds', '2', ...extra],
    env,
  );
}

/** Resolves once a worker has printed that it takes photos. */
export async function workerReady(w: Cli): Promise<void> {
  await until(
    () => /taking photos from/.test(w.stderr()) || w.child.exitCode !== null,
    `the worker to start: ${w.stderr()}`,
    60_000,
  );
  if (w.child.exitCode !== null) throw new Error(`worker exited: ${w.stderr()}`);
}

/** Stops a child if it still runs (SIGKILL: tests end with no process left behind). */
export async function killAll(...children: (Cli | undefined)[]): Promise<void> {
  for (const c of children) {
    if (!c || c.child.exitCode !== null || c.child.signalCode !== null) continue;
    c.child.kill('SIGKILL');
    await c.exited;
  }
}

/** The files in a folder tree, relative, sorted (hidden ones too: temp files must not remain). */
export function tree(root: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else found.push(join(d, e.name).slice(root.length + 1));
    }
  };
  if (existsSync(root)) walk(root);
  return found.sort();
}

/** Polls a batch until `ready` holds for its status. */
export async function untilStatus(
  view: ReturnType<typeof farmView>,
  batch: string,
  ready: (s: BatchStatus) => boolean,
  what: string,
  ms = 120_000,
): Promise<BatchStatus> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = await view.status(batch).catch(() => undefined);
    if (s && ready(s)) return s;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(s?.counts)}`);
    await sleep(50);
  }
}
