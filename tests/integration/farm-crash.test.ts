// The farm's crash limit (issue 16, point 3): a photo that takes its worker down with it (here a
// real SIGKILL of whichever worker is on that photo, each time it is on it) is given to another
// worker up to `--max-stalls` times, then failed with a reason that says so, while the other
// photos of the batch complete; nothing partial or temporary is left in the output folder.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchStatus } from '../../src/main/engine/farm/farm-status';
import { batchWorld, photo, startCli, until, type BatchWorld } from './batch-world';
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
const workers: Cli[] = [];

beforeAll(async () => {
  if (!HAVE_REDIS)
    throw new Error('redis-server is not installed (apt-get install redis-server; .ci/run does)');
  w = await batchWorld('upres-farm-crash-');
  mkdirSync(join(w.dir, 'redis'));
  redis = await startRedis(join(w.dir, 'redis'));
  view = farmView(redis.url);
});
afterAll(async () => {
  await killAll(...workers);
  await view?.close();
  await redis?.stop();
  w?.cleanup();
});

const MAX_STALLS = 1;

describe.runIf(HAVE_REDIS)('the crash limit', () => {
  it(
    'a photo that kills its worker each time is failed after --max-stalls, with its reason; the rest complete',
    { timeout: 120_000 },
    async () => {
      const dir = join(w.dir, 'in');
      // 96 × 64 in 16 px tiles: 24 tiles, long enough to be killed on; the others are quick.
      await photo(join(dir, 'a-poison.png'), 96, 64, 1);
      for (const n of ['b.png', 'c.png', 'd.png']) await photo(join(dir, n), 32, 24, 2);
      const out = join(w.dir, 'out');
      let n = 0;
      const spawnWorker = (): Cli => {
        const c = startWorker(w.env, redis.url, `k${n++}`, ['--max-stalls', String(MAX_STALLS)]);
        workers.push(c);
        return c;
      };
      const live = [spawnWorker(), spawnWorker()];
      await Promise.all(live.map((c) => workerReady(c)));
      const sub = startCli(
        [
          'farm',
          'submit',
          dir,
          '-o',
          out,
          '-m',
          'tiny',
          '--tile',
          '16',
          '--attempts',
          '3',
          '--redis',
          redis.url,
          '--wait',
          '--json',
        ],
        w.env,
      );
      let stdout = '';
      sub.child.stdout!.removeAllListeners('data');
      sub.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      await until(() => /batch \S+:/.test(sub.stderr()), `the batch id: ${sub.stderr()}`);
      const batch = /batch (\S+):/.exec(sub.stderr())![1];

      // Each time a worker is inside the poison photo, it is killed (and replaced): one kill more
      // than the limit allows.
      const killed: string[] = [];
      for (let k = 0; k <= MAX_STALLS; k++) {
        const st = await untilStatus(
          view,
          batch,
          (x) =>
            x.items.some(
              (i) =>
                i.input.endsWith('a-poison.png') &&
                i.state === 'running' &&
                (i.tile ?? 0) >= 1 &&
                !killed.includes(i.worker ?? '') &&
                i.tile! < i.tiles!,
            ),
          `a worker inside the poison photo (kill ${k + 1})`,
        );
        const name = st.items.find((i) => i.input.endsWith('a-poison.png'))!.worker!;
        const victim = workers.find((c) => c.child.spawnargs.includes(name))!;
        victim.child.kill('SIGKILL');
        await victim.exited;
        killed.push(name);
        // Replaced while its lock runs out (no wait for the new one to be ready).
        live.splice(live.indexOf(victim), 1, spawnWorker());
      }
      await Promise.all(live.map((c) => workerReady(c)));

      expect(await sub.exited, sub.stderr()).toBe(1);
      const status = JSON.parse(stdout) as BatchStatus;
      const by = Object.fromEntries(status.items.map((i) => [i.input.split('/').pop()!, i]));
      expect(by['a-poison.png']).toMatchObject({ state: 'failed', errorCode: 'engine.stopped' });
      expect(by['a-poison.png'].error).toMatch(
        /a-poison\.png: its worker stopped \(killed or crashed\) while on this photo more times than the farm allows/,
      );
      expect(killed).toHaveLength(MAX_STALLS + 1);
      for (const n of ['b.png', 'c.png', 'd.png']) expect(by[n].state).toBe('done');
      // The others' outputs only: none of the poison photo, and no temp file of its killed tries.
      expect(tree(out)).toEqual(['b_x4.png', 'c_x4.png', 'd_x4.png']);
      for (const f of tree(out)) {
        const m = await sharp(join(out, f)).metadata();
        expect([m.width, m.height]).toEqual([128, 96]);
      }
      // The live workers are still up: the limit cost two workers, not the farm.
      for (const c of live) expect(c.child.exitCode).toBeNull();
    },
  );
});
