import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import type { RrdbNetSpec } from '../../../shared/architecture';
import { connectRedis } from '../farm/farm-connection';
import { batchStatus } from '../farm/farm-status';
import { jobIdOf, submitBatch } from '../farm/farm-submit';
import { FARM_QUEUE, type FarmJobData, type FarmResult } from '../farm/farm-types';
import { parseRedisUrl } from '../farm/redis-url';
import { architectureTensors } from '../models/architecture-tensors';
import { elementCount } from '../models/state-dict';
import { writeModel } from '../models/write-model';
import { median } from './median';

/** The tests' tiny RRDBNet: milliseconds a photo, so the queue's own costs show. */
const TINY: RrdbNetSpec = {
  kind: 'rrdbnet',
  inChannels: 3,
  outChannels: 3,
  features: 8,
  blocks: 1,
  growth: 4,
  scale: 4,
};

async function tinyModel(dir: string): Promise<void> {
  let a = 7;
  const r = (): number => ((a = (a * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const weights = new Map(
    architectureTensors(TINY).map((t) => [
      t.name,
      Float32Array.from({ length: elementCount(t.shape) }, () => r() * 0.1),
    ]),
  );
  await writeModel(dir, {
    id: 'tiny',
    name: 'tiny',
    role: 'general',
    spec: TINY,
    weights,
    provenance: { source: 'bench', sourceFiles: [], licence: 'CC0-1.0', credit: 'bench' },
    dtype: 'float32',
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function waitFor(child: ChildProcess, pattern: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    const on = (d: Buffer): void => {
      text += d.toString();
      if (pattern.test(text)) resolve();
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
    child.once('exit', () => reject(new Error(`${what} exited: ${text}`)));
  });
}

const ended = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));

/**
 * Counts the commands clients send to Redis (MONITOR; commands run inside BullMQ's Lua scripts are
 * not round trips and are left out), except those of the bench's own connection.
 */
async function countCommands(
  url: string,
  own: string,
): Promise<{ count(): { sent: number; scripts: number }; stop(): void }> {
  const client = new Redis(url);
  const monitor = await client.monitor();
  let sent = 0;
  let scripts = 0;
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source === 'lua' || source === own) return;
    sent++;
    if (/^eval/i.test(args[0] ?? '')) scripts++;
  });
  return {
    count: () => ({ sent, scripts }),
    stop: () => {
      monitor.disconnect();
      client.disconnect();
    },
  };
}

/**
 * `npm run bench -- farm`: the same small photos through the local `upres upscale` and through a
 * farm of 1 and 2 local `upres worker`s on a redis-server started here (tiny model, so what is
 * measured is mostly the queue's own cost): photos/s, submit → start latency and Redis commands
 * per photo.
 */
export async function benchFarm(opt: {
  cli: string;
  photos: number;
  size: [number, number];
  workers: number[];
}): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'upres-bench-farm-'));
  const lines: string[] = [];
  const children: ChildProcess[] = [];
  try {
    await tinyModel(join(dir, 'models'));
    const input = join(dir, 'in');
    await mkdir(input);
    for (let i = 0; i < opt.photos; i++)
      await sharp({
        create: {
          width: opt.size[0],
          height: opt.size[1],
          channels: 3,
          background: { r: (i * 37) % 256, g: 90, b: 200 },
        },
      })
        .png()
        .toFile(join(input, `p${String(i).padStart(3, '0')}.png`));
    const env = {
      ...process.env,
      UPRES_MODELS_DIR: join(dir, 'models'),
      UPRES_USER_DIR: join(dir, 'user'),
    };
    const run = (args: string[]): ChildProcess => {
      const c = spawn(process.execPath, [opt.cli, ...args], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(c);
      return c;
    };
    lines.push(
      `${opt.photos} photos of ${opt.size[0]}×${opt.size[1]}, tiny RRDBNet ×4, one tile each, CPU`,
    );

    // Local: one `upres upscale` process (its start-up — tsx, imports, model load — reported apart).
    const t0 = performance.now();
    const local = run(['upscale', input, '-o', join(dir, 'out-local'), '-m', 'tiny', '--json']);
    let stdout = '';
    local.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    await ended(local);
    const wall = (performance.now() - t0) / 1000;
    const rep = JSON.parse(stdout) as {
      items: { seconds?: number }[];
      startup?: { readySeconds: number };
    };
    const ready = rep.startup?.readySeconds ?? 0;
    const perPhoto = median(rep.items.map((i) => i.seconds ?? 0));
    lines.push(
      `local upscale:  ${(opt.photos / (wall - ready)).toFixed(1)} photos/s after start-up (${ready.toFixed(1)} s), ${(perPhoto * 1000).toFixed(0)} ms per photo (median)`,
    );

    const port = await freePort();
    const server = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--save',
        '',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(server);
    await waitFor(server, /Ready to accept connections/, 'redis-server');
    const target = parseRedisUrl(`redis://127.0.0.1:${port}`);
    const redis = await connectRedis(target, () => undefined);
    const queue = new Queue<FarmJobData, FarmResult>(FARM_QUEUE, { connection: redis });
    try {
      for (const n of opt.workers) {
        const workers = Array.from({ length: n }, (_, k) =>
          run(['worker', '--redis', target.url, '--name', `bench-${n}-${k}`]),
        );
        await Promise.all(workers.map((w) => waitFor(w, /taking photos from/, 'worker')));
        // One photo first: the models load on the first job, which is not the queue's cost.
        const warm = await submitBatch(queue, redis, {
          inputs: [join(input, 'p000.png')],
          recursive: false,
          outDir: join(dir, `warm-${n}`),
          nameTemplate: '{name}',
          onExists: 'overwrite',
          settings: { model: 'tiny' },
        });
        while (!(await batchStatus(queue, redis, warm.batch)).finished)
          await new Promise((r) => setTimeout(r, 100));
        const base = await queue.getJobCounts('completed', 'failed');
        const own = /addr=(\S+)/.exec(String(await redis.client('INFO')))?.[1] ?? '';
        const counter = await countCommands(target.url, own);
        const t = Date.now();
        const sub = await submitBatch(queue, redis, {
          inputs: [input],
          recursive: false,
          outDir: join(dir, `out-farm-${n}`),
          nameTemplate: '{name}_x{scale}',
          onExists: 'suffix',
          settings: { model: 'tiny' },
        });
        const submitted = (Date.now() - t) / 1000;
        for (;;) {
          const c = await queue.getJobCounts('completed', 'failed');
          if (c.completed + c.failed - base.completed - base.failed >= sub.jobs) break;
          await new Promise((r) => setTimeout(r, 200));
        }
        const { sent, scripts } = counter.count();
        counter.stop();
        const jobs = await Promise.all(
          Array.from({ length: sub.jobs }, (_, k) => queue.getJob(jobIdOf(sub.batch, k))),
        );
        const first = Math.min(...jobs.map((j) => j!.processedOn!));
        const last = Math.max(...jobs.map((j) => j!.finishedOn!));
        const latency = median(jobs.map((j) => j!.processedOn! - j!.timestamp));
        const lane = jobs.reduce((s, j) => s + (j!.returnvalue?.seconds ?? 0), 0);
        const span = (last - t) / 1000;
        // What the farm adds per photo beyond rendering it: the span of the batch on its workers
        // minus the photos' own render time, shared by the workers.
        const overhead = ((last - first) / 1000 - lane / n) / sub.jobs;
        lines.push(
          `farm, ${n} worker${n > 1 ? 's' : ' '}: ${(sub.jobs / span).toFixed(1)} photos/s (submit of ${sub.jobs} jobs ${(submitted * 1000).toFixed(0)} ms; ` +
            `first start ${first - t} ms after submit; queue overhead ${(overhead * 1000).toFixed(1)} ms/photo; ` +
            `${(sent / sub.jobs).toFixed(1)} Redis commands/photo, ${(scripts / sub.jobs).toFixed(1)} of them scripts; median wait in queue ${(latency / 1000).toFixed(2)} s)`,
        );
        for (const w of workers) w.kill('SIGTERM');
        await Promise.all(workers.map(ended));
      }
    } finally {
      await queue.close();
      redis.disconnect();
    }
    return lines;
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await Promise.all(children.map(ended));
    await rm(dir, { recursive: true, force: true });
  }
}
