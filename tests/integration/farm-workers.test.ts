// The render farm with real processes (issue 16): a redis-server started here, `upres worker`
// children with a tiny model, `upres farm submit --wait` as a user runs it. Faults are real: a
// worker killed with SIGKILL mid-photo, a non-image and a truncated JPEG, a SIGTERM mid-photo and
// a Redis restart mid-batch. Oracles: the files on disk (each output once, decodes, right size, no
// temp file left) and the jobs' records in Redis.
import { mkdirSync, writeFileSync } from 'node:fs';
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
  w = await batchWorld('upres-farm-');
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

const submit = (args: string[]): Cli =>
  startCli(
    [
      'farm',
      'submit',
      '-m',
      'tiny',
      '--tile',
      '16',
      ...args, // after the defaults, so a test can override them
      '--redis',
      redis.url,
      '--wait',
      '--json',
    ],
    w.env,
  );

/** The batch a running `submit --wait` announced on stderr. */
async function batchOf(s: Cli): Promise<string> {
  await until(
    () => /batch \S+:/.test(s.stderr()) || s.child.exitCode !== null,
    `the batch id: ${s.stderr()}`,
  );
  return /batch (\S+):/.exec(s.stderr())![1];
}

async function report(s: Cli): Promise<{ code: number | null; status: BatchStatus }> {
  let stdout = '';
  s.child.stdout!.removeAllListeners('data');
  s.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const code = await s.exited;
  return { code, status: JSON.parse(stdout) as BatchStatus };
}

async function expectOutputs(out: string, names: string[], size: [number, number]): Promise<void> {
  // Exactly these files: each output once (no `_1` copy from a race), no hidden temp file.
  expect(tree(out)).toEqual([...names].sort());
  for (const n of names) {
    const m = await sharp(join(out, n)).metadata();
    expect([m.width, m.height]).toEqual(size);
    await sharp(join(out, n)).raw().toBuffer(); // decodes completely
  }
}

describe.runIf(HAVE_REDIS)('a render farm of two workers', () => {
  it(
    'a worker killed with SIGKILL mid-photo loses it to the other: 12 outputs, each once, no temp file',
    { timeout: 120_000 },
    async () => {
      const names = Array.from({ length: 12 }, (_, i) => `p${String(i).padStart(2, '0')}.png`);
      for (const [i, n] of names.entries()) await photo(join(w.dir, 'in12', n), 64, 48, i % 8);
      const out = join(w.dir, 'out12');
      const a = startWorker(w.env, redis.url, 'wa');
      const b = startWorker(w.env, redis.url, 'wb');
      workers.push(a, b);
      await Promise.all([workerReady(a), workerReady(b)]);
      const s = submit([join(w.dir, 'in12'), '-o', out]);
      const rep = report(s);
      const batch = await batchOf(s);
      // Kill `wa` once it is inside a photo (a tile done, the photo not finished).
      const running = await untilStatus(
        view,
        batch,
        (st) =>
          st.items.some(
            (i) =>
              i.state === 'running' &&
              i.worker === 'wa' &&
              (i.tile ?? 0) >= 1 &&
              i.tile! < i.tiles!,
          ),
        'wa to be mid-photo',
      );
      const victim = running.items.find((i) => i.state === 'running' && i.worker === 'wa')!;
      a.child.kill('SIGKILL');
      await a.exited;
      const { code, status } = await rep;
      expect(code, s.stderr()).toBe(0);
      expect(status.counts.done).toBe(12);
      const again = status.items.find((i) => i.id === victim.id)!;
      expect(again.state).toBe('done');
      expect(again.worker).toBe('wb');
      expect(again.attempts).toBeGreaterThanOrEqual(2);
      await expectOutputs(
        out,
        names.map((n) => n.replace('.png', '_x4.png')),
        [256, 192],
      );
    },
  );

  it(
    'a non-image and a truncated JPEG fail with their messages after their retries; the rest complete',
    { timeout: 120_000 },
    async () => {
      const dir = join(w.dir, 'inbad');
      for (const n of ['a.png', 'b.png', 'c.png']) await photo(join(dir, n), 32, 24, 2);
      writeFileSync(join(dir, 'notes.png'), 'this is a text file, not a photo\n');
      const jpeg = await sharp({
        create: { width: 64, height: 64, channels: 3, background: '#468' },
      })
        .jpeg()
        .toBuffer();
      writeFileSync(join(dir, 'cut.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
      const out = join(w.dir, 'outbad');
      const s = submit([dir, '-o', out, '--attempts', '2']);
      const { code, status } = await report(s);
      expect(code).toBe(1);
      const by = Object.fromEntries(status.items.map((i) => [i.input.split('/').pop()!, i]));
      for (const n of ['a.png', 'b.png', 'c.png']) expect(by[n].state).toBe('done');
      expect(by['notes.png']).toMatchObject({
        state: 'failed',
        errorCode: 'input.unsupported',
        attempts: 2,
      });
      expect(by['notes.png'].error).toMatch(/notes\.png: not a readable image/);
      expect(by['cut.jpg']).toMatchObject({ state: 'failed', attempts: 2 });
      expect(by['cut.jpg'].error).toMatch(/cut\.jpg: .*(truncated|damaged|premature)/i);
      // `farm status --json` reports the same, from Redis alone.
      const st = await runStatus(status.batch);
      expect(st.counts).toMatchObject({ done: 3, failed: 2 });
      expect(
        st.items
          .filter((i) => i.state === 'failed')
          .map((i) => i.input.split('/').pop())
          .sort(),
      ).toEqual(['cut.jpg', 'notes.png']);
      await expectOutputs(out, ['a_x4.png', 'b_x4.png', 'c_x4.png'], [128, 96]);

      // A model the workers lack fails with that reason; nothing is downloaded.
      const lacking = submit([join(dir, 'a.png'), '-o', out, '--attempts', '1', '-m', 'not-here']);
      const missing = await report(lacking);
      expect(missing.code).toBe(1);
      expect(missing.status.items[0]).toMatchObject({
        state: 'failed',
        errorCode: 'model.unknown',
      });
      expect(missing.status.items[0].error).toMatch(/a\.png: this worker has no model not-here/);
    },
  );

  it(
    'SIGTERM mid-photo: the worker hands the photo back and exits 0; the photo completes elsewhere',
    { timeout: 120_000 },
    async () => {
      await photo(join(w.dir, 'inslow', 'slow.png'), 96, 64, 1); // 24 tiles of 16 px
      const out = join(w.dir, 'outslow');
      // Only `wc` runs (wb is stopped), so the photo is certainly its.
      const b = workers[1];
      b.child.kill('SIGKILL');
      await b.exited;
      const c = startWorker(w.env, redis.url, 'wc', ['--log-tiles']);
      workers.push(c);
      await workerReady(c);
      const s = submit([join(w.dir, 'inslow'), '-o', out]);
      const rep = report(s);
      const batch = await batchOf(s);
      await until(() => /tile 2\/\d+ slow\.png/.test(c.stderr()), `wc mid-photo: ${c.stderr()}`);
      c.child.kill('SIGTERM');
      expect(await c.exited).toBe(0);
      const log = c.stderr();
      expect(log).toMatch(/slow\.png: handed back to the farm/);
      // It stopped within the tile it was on: at most that one tile finished after the signal.
      const after = log.slice(log.indexOf('SIGTERM:'));
      expect((after.match(/^tile \d+\/\d+ slow\.png$/gm) ?? []).length).toBeLessThanOrEqual(1);
      expect(log).not.toMatch(/tile (\d+)\/\1 slow\.png/); // never reached its last tile
      const back = await view.status(batch);
      expect(back.items[0].state).toBe('waiting'); // handed back: not failed, no try counted
      expect(tree(out)).toEqual([]); // nothing committed, no temp file left
      const d = startWorker(w.env, redis.url, 'wd');
      workers.push(d);
      const { code, status } = await rep;
      expect(code).toBe(0);
      expect(status.items[0]).toMatchObject({ state: 'done', worker: 'wd' });
      await expectOutputs(out, ['slow_x4.png'], [384, 256]);
    },
  );

  it(
    'Redis restarted mid-batch (append-only): workers and the submitter reconnect, the batch completes',
    { timeout: 120_000 },
    async () => {
      const names = Array.from({ length: 8 }, (_, i) => `r${i}.png`);
      for (const [i, n] of names.entries()) await photo(join(w.dir, 'inr', n), 64, 48, i);
      const out = join(w.dir, 'outr');
      const s = submit([join(w.dir, 'inr'), '-o', out]);
      const rep = report(s);
      const batch = await batchOf(s);
      await untilStatus(view, batch, (st) => st.counts.done >= 2, 'two photos done');
      await redis.restart();
      // Restarted mid-batch: photos were left for after the restart (the test would mean little otherwise).
      expect((await view.status(batch)).counts.done).toBeLessThan(8);
      const { code, status } = await rep;
      expect(code, s.stderr()).toBe(0);
      expect(status.counts.done).toBe(8);
      await expectOutputs(
        out,
        names.map((n) => n.replace('.png', '_x4.png')),
        [256, 192],
      );
    },
  );

  it(
    '`farm cancel` removes the waiting photos and stops the running one within its tile',
    { timeout: 120_000 },
    async () => {
      const names = ['k0.png', 'k1.png', 'k2.png', 'k3.png'];
      for (const [i, n] of names.entries()) await photo(join(w.dir, 'ink', n), 128, 96, i);
      const out = join(w.dir, 'outk');
      const s = submit([join(w.dir, 'ink'), '-o', out]);
      const rep = report(s);
      const batch = await batchOf(s);
      await untilStatus(
        view,
        batch,
        (st) => st.items.some((i) => i.state === 'running' && (i.tile ?? 0) >= 2),
        'a photo mid-way',
      );
      const doneBefore = (await view.status(batch)).counts.done;
      const c = startCli(['farm', 'cancel', batch, '--json', '--redis', redis.url], w.env);
      let stdout = '';
      c.child.stdout!.removeAllListeners('data');
      c.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      expect(await c.exited).toBe(0);
      const r = JSON.parse(stdout) as { removed: number; stopping: number };
      // Every photo not done when the cancel came was removed or told to stop. A stopping photo
      // in its last tile may still finish (its output whole), so the count is bounded by the done
      // photos before and after the cancel.
      const { code, status } = await rep;
      expect(r.removed + r.stopping).toBeLessThanOrEqual(4 - doneBefore);
      expect(r.removed + r.stopping).toBeGreaterThanOrEqual(4 - status.counts.done);
      expect(code).toBe(1);
      expect(status.cancelled).toBe(true);
      expect(status.counts.cancelled + status.counts.done).toBe(4);
      expect(status.counts.cancelled).toBeGreaterThanOrEqual(3);
      // Only photos finished before the cancel have outputs; nothing partial, no temp file.
      expect(tree(out)).toEqual(
        status.items
          .filter((i) => i.state === 'done')
          .map((i) => i.output!.split('/').pop()!)
          .sort(),
      );
    },
  );
});

async function runStatus(batch: string): Promise<BatchStatus> {
  const st = startCli(['farm', 'status', batch, '--json', '--redis', redis.url], w.env);
  let stdout = '';
  st.child.stdout!.removeAllListeners('data');
  st.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  expect(await st.exited).toBe(0);
  return JSON.parse(stdout) as BatchStatus;
}
