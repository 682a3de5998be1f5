// `upres farm submit --preset`: the jobs in Redis carry the preset's settings and naming, with the
// options given on the command line winning; an unknown preset submits nothing.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FarmJobData } from '../../src/main/engine/farm/farm-types';
import { runCli } from '../helpers/run-cli';
import { batchWorld, photo, type BatchWorld } from './batch-world';
import { farmView, HAVE_REDIS, startRedis, type RedisServer } from './farm-world';

let w: BatchWorld;
let redis: RedisServer;
let view: ReturnType<typeof farmView>;

beforeAll(async () => {
  if (!HAVE_REDIS)
    throw new Error('redis-server is not installed (apt-get install redis-server; .ci/run does)');
  w = await batchWorld('upres-farm-preset-');
  mkdirSync(join(w.dir, 'redis'));
  redis = await startRedis(join(w.dir, 'redis'));
  view = farmView(redis.url);
  mkdirSync(join(w.dir, 'user'), { recursive: true });
  writeFileSync(
    join(w.dir, 'user', 'presets.json'),
    JSON.stringify({
      version: 1,
      presets: [
        {
          name: 'print',
          settings: {
            model: 'tiny',
            scale: 2,
            format: 'tiff',
            compression: 'lzw',
            bitDepth: 16,
            keepMetadata: 'none',
            nameTemplate: '{name}_print',
            onExists: 'skip',
          },
        },
      ],
    }),
  );
  await photo(join(w.dir, 'in', 'p.png'), 16, 12, 1);
});
afterAll(async () => {
  await view?.close();
  await redis?.stop();
  w?.cleanup();
});

describe.runIf(HAVE_REDIS)('farm submit --preset', () => {
  it(
    'submits jobs with the preset settings; explicit options win',
    { timeout: 60_000 },
    async () => {
      const sub = await runCli(
        [
          'farm',
          'submit',
          join(w.dir, 'in'),
          '-o',
          join(w.dir, 'out'),
          '--preset',
          'print',
          '--scale',
          '3',
          '--redis',
          redis.url,
          '--json',
        ],
        w.env,
      );
      expect(sub.code, sub.stderr).toBe(0);
      const { batch } = JSON.parse(sub.stdout) as { batch: string };
      const jobs = await view.queue.getJobs(['waiting', 'prioritized', 'delayed']);
      const data = jobs.map((j) => j.data as FarmJobData).filter((d) => d.batch === batch);
      expect(data).toHaveLength(1);
      expect(data[0].nameTemplate).toBe('{name}_print');
      expect(data[0].onExists).toBe('skip');
      expect(data[0].settings).toMatchObject({
        model: 'tiny',
        scale: 3,
        format: 'tiff',
        compression: 'lzw',
        bitDepth: 16,
        keepMetadata: 'none',
      });
      const unknown = await runCli(
        ['farm', 'submit', join(w.dir, 'in'), '-o', join(w.dir, 'out'), '--preset', 'nope'].concat([
          '--redis',
          redis.url,
        ]),
        w.env,
      );
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain(
        `no preset "nope" in ${join(w.dir, 'user', 'presets.json')}`,
      );
      expect(await view.queue.getJobCounts()).toMatchObject({ waiting: 1 });
    },
  );
});
