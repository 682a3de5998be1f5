// Shared storage mounted in different places (issue 16): the submitter sees the share under one
// path, the worker under another, and `--map` rewrites the jobs' paths. The submitter's path is
// removed before the worker starts, so the worker can only succeed through its map. A job outside
// the map, and jobs crafted to escape their folders, are refused with their messages.
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchKey, type FarmJobData } from '../../src/main/engine/farm/farm-types';
import { ItemSettings } from '../../src/shared/queue';
import { runCli } from '../helpers/run-cli';
import { batchWorld, photo, type BatchWorld } from './batch-world';
import {
  farmView,
  HAVE_REDIS,
  killAll,
  startRedis,
  startWorker,
  tree,
  untilStatus,
  workerReady,
  type Cli,
  type RedisServer,
} from './farm-world';

let w: BatchWorld;
let redis: RedisServer;
let view: ReturnType<typeof farmView>;
let worker: Cli | undefined;

beforeAll(async () => {
  if (!HAVE_REDIS)
    throw new Error('redis-server is not installed (apt-get install redis-server; .ci/run does)');
  w = await batchWorld('upres-farm-map-');
  mkdirSync(join(w.dir, 'redis'));
  redis = await startRedis(join(w.dir, 'redis'));
  view = farmView(redis.url);
});
afterAll(async () => {
  await killAll(worker);
  await view?.close();
  await redis?.stop();
  w?.cleanup();
});

describe.runIf(HAVE_REDIS)('--map', () => {
  it(
    "rewrites the submitter's paths to the worker's mount; a job outside the maps is refused",
    { timeout: 120_000 },
    async () => {
      // The submitter's view of the share: <dir>/mac/Photos (later moved away).
      const mac = join(w.dir, 'mac', 'Photos');
      for (const n of ['x.png', 'y.png']) await photo(join(mac, 'shoot', n), 32, 24, 3);
      await photo(join(w.dir, 'elsewhere', 'z.png'), 32, 24, 1);
      const sub = await runCli(
        [
          'farm',
          'submit',
          join(mac, 'shoot'),
          '-o',
          join(mac, 'out'),
          '-m',
          'tiny',
          '--redis',
          redis.url,
          '--json',
        ],
        w.env,
      );
      expect(sub.code, sub.stderr).toBe(0);
      const { batch } = JSON.parse(sub.stdout) as { batch: string };
      const far = await runCli(
        [
          'farm',
          'submit',
          join(w.dir, 'elsewhere'),
          '-o',
          join(mac, 'out'),
          '-m',
          'tiny',
          '--attempts',
          '1',
          '--redis',
          redis.url,
          '--json',
        ],
        w.env,
      );
      const outside = (JSON.parse(far.stdout) as { batch: string }).batch;
      // The share as the worker mounts it: the same files, now only under <dir>/linux/photos.
      mkdirSync(join(w.dir, 'linux'));
      renameSync(mac, join(w.dir, 'linux', 'photos'));
      worker = startWorker(w.env, redis.url, 'wm', [
        '--map',
        `${mac}=${join(w.dir, 'linux', 'photos')}`,
      ]);
      await workerReady(worker);
      const done = await untilStatus(view, batch, (s) => s.finished, 'the mapped batch');
      expect(done.counts.done).toBe(2);
      expect(done.items.map((i) => i.output).sort()).toEqual(
        ['x_x4.png', 'y_x4.png'].map((n) => join(w.dir, 'linux', 'photos', 'out', n)),
      );
      expect(tree(join(w.dir, 'linux', 'photos', 'out'))).toEqual(['x_x4.png', 'y_x4.png']);
      const m = await sharp(join(w.dir, 'linux', 'photos', 'out', 'x_x4.png')).metadata();
      expect([m.width, m.height]).toEqual([128, 96]);

      const refused = await untilStatus(
        view,
        outside,
        (s) => s.finished,
        'the batch outside the maps',
      );
      expect(refused.items[0]).toMatchObject({ state: 'failed', errorCode: 'request.refused' });
      expect(refused.items[0].error).toMatch(
        /z\.png: the input folder .*elsewhere is outside the paths this worker maps/,
      );
      // Its key came through Redis beside the text, for the app to word it in its language.
      expect(refused.items[0].errorDetail).toMatchObject({
        key: 'batch.confineUnmapped',
        params: { what: 'inputFolder' },
      });
    },
  );

  it(
    'refuses jobs that escape their folders by `..` or by a symbolic link',
    { timeout: 60_000 },
    async () => {
      const share = join(w.dir, 'linux', 'photos');
      const mac = join(w.dir, 'mac', 'Photos');
      writeFileSync(
        join(w.dir, 'secret.png'),
        await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
          .png()
          .toBuffer(),
      );
      symlinkSync(join(w.dir, 'secret.png'), join(share, 'shoot', 'link.png'));
      const batch = 'crafted';
      await view.redis.hset(batchKey(batch), {
        created: String(Date.now()),
        total: '3',
        outDir: join(mac, 'out'),
        model: 'tiny',
        problems: '[]',
      });
      const base: FarmJobData = {
        v: 1,
        batch,
        input: join(mac, 'shoot', 'x.png'),
        root: join(mac, 'shoot'),
        relDir: '',
        outDir: join(mac, 'out'),
        nameTemplate: '{name}_crafted',
        onExists: 'suffix',
        settings: ItemSettings.parse({ model: 'tiny' }),
      };
      const crafted: FarmJobData[] = [
        { ...base, input: `${mac}/shoot/../../../secret.png` }, // join() would drop the `..`
        { ...base, input: join(mac, 'shoot', 'link.png') },
        { ...base, relDir: '../../..' },
      ];
      await view.queue.addBulk(
        crafted.map((data, n) => ({
          name: 'photo',
          data,
          opts: { jobId: `${batch}-${n}`, attempts: 1 },
        })),
      );
      const s = await untilStatus(view, batch, (st) => st.finished, 'the crafted jobs');
      expect(s.items.map((i) => i.state)).toEqual(['failed', 'failed', 'failed']);
      expect(s.items.every((i) => i.errorCode === 'request.refused')).toBe(true);
      expect(s.items[0].error).toMatch(/outside its folder/);
      expect(s.items[1].error).toMatch(
        /a symbolic link to .*secret\.png, outside the job's folder/,
      );
      expect(s.items[2].error).toMatch(/leaves its folder; refused/);
      // Nothing was written for them.
      expect(tree(join(share, 'out'))).toEqual(['x_x4.png', 'y_x4.png']);
    },
  );
});
