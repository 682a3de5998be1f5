// `upres farm submit --chain a,b`: the jobs carry the chain id as their model (the workers resolve
// the stages); a chain of one id is a usage error before anything reaches Redis.
import { mkdirSync } from 'node:fs';
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
  w = await batchWorld('upres-farm-chain-');
  mkdirSync(join(w.dir, 'redis'));
  redis = await startRedis(join(w.dir, 'redis'));
  view = farmView(redis.url);
  await photo(join(w.dir, 'in', 'p.png'), 16, 12, 1);
});
afterAll(async () => {
  await view?.close();
  await redis?.stop();
  w?.cleanup();
});

describe.runIf(HAVE_REDIS)('farm submit --chain', () => {
  it(
    'submits the chain id as each job’s model; one id is refused',
    { timeout: 60_000 },
    async () => {
      const target = ['-o', join(w.dir, 'out'), '--redis', redis.url];
      const one = await runCli(
        ['farm', 'submit', join(w.dir, 'in'), '--chain', 'tiny', ...target],
        w.env,
      );
      expect(one.code).toBe(2);
      expect(one.stderr).toContain(
        '--chain takes two or more model ids separated by commas, got "tiny"',
      );
      expect(await view.queue.getJobCounts()).toMatchObject({ waiting: 0 });

      const sub = await runCli(
        ['farm', 'submit', join(w.dir, 'in'), '--chain', 'clean-1x, tiny', ...target, '--json'],
        w.env,
      );
      expect(sub.code, sub.stderr).toBe(0);
      const { batch } = JSON.parse(sub.stdout) as { batch: string };
      const jobs = await view.queue.getJobs(['waiting', 'prioritized', 'delayed']);
      const data = jobs.map((j) => j.data as FarmJobData).filter((d) => d.batch === batch);
      expect(data.map((d) => d.settings.model)).toEqual(['clean-1x,tiny']);
    },
  );
});
