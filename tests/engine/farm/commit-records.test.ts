// The farm's side of the temp-file-and-link rule against a real redis-server: what a worker that
// died left behind is told apart (a committed output is kept and reported, a partial temp file is
// deleted), and of two workers racing on one job only one may link its output.
import { existsSync, linkSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommitRecords } from '../../../src/main/engine/farm/commit-records';
import { HAVE_REDIS, startRedis, type RedisServer } from '../../integration/farm-world';

let dir: string;
let server: RedisServer;
let redis: Redis;

beforeAll(async () => {
  if (!HAVE_REDIS)
    throw new Error('redis-server is not installed (apt-get install redis-server; .ci/run does)');
  dir = mkdtempSync(join(tmpdir(), 'upres-records-'));
  server = await startRedis(dir);
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.runIf(HAVE_REDIS)('commit records', () => {
  it('a worker killed before its link: the partial temp file is deleted, the job renders again', async () => {
    const tmp = join(dir, '.a.png.1111.upres-tmp');
    const dead = new CommitRecords(redis, 'job-1', dir, 'dead:t1');
    await dead.noteTemp(tmp, join(dir, 'a.png'));
    writeFileSync(tmp, 'half a png');
    const next = new CommitRecords(redis, 'job-1', dir, 'next:t2');
    expect(await next.recover()).toBeUndefined();
    expect(existsSync(tmp)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.includes('a.png'))).toEqual([]);
  });

  it('a worker killed after its link: its output is recognised, not rendered or written again', async () => {
    const target = join(dir, 'b.png');
    const tmp = join(dir, '.b.png.2222.upres-tmp');
    const dead = new CommitRecords(redis, 'job-2', dir, 'dead:t1');
    await dead.noteTemp(tmp, target);
    writeFileSync(tmp, 'a whole png');
    expect(await dead.claim()).toBe(true);
    linkSync(tmp, target); // the commit, then the kill before the temp file was removed
    const next = new CommitRecords(redis, 'job-2', dir, 'next:t2');
    expect(await next.recover()).toBe(target);
    expect(readdirSync(dir).filter((n) => n.includes('b.png'))).toEqual(['b.png']);
  });

  it('of two workers racing on one job, only the first to claim may link', async () => {
    const a = new CommitRecords(redis, 'job-3', dir, 'a:t1');
    const b = new CommitRecords(redis, 'job-3', dir, 'b:t2');
    expect(await a.claim()).toBe(true);
    expect(await b.claim()).toBe(false);
    expect(await a.claim()).toBe(true); // its own claim again (a retry of the same render)
    await a.finish();
    expect(await b.claim()).toBe(false); // the claim outlives the job
  });

  it('a job failed for good leaves none of its temp files', async () => {
    const r = new CommitRecords(redis, 'job-4', dir, 'w:t');
    const tmps = [join(dir, '.c.png.1.upres-tmp'), join(dir, '.c.png.2.upres-tmp')];
    for (const t of tmps) {
      await r.noteTemp(t, join(dir, 'c.png'));
      writeFileSync(t, 'x');
    }
    await r.discard();
    expect(tmps.filter((t) => existsSync(t))).toEqual([]);
    expect(await redis.exists('upres-farm:temps:job-4')).toBe(0);
  });
});
