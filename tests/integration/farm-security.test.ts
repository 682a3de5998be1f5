// A farm behind a password, and over TLS with a self-signed certificate (issue 16, point 4): the
// workers and the submitter connect, and the password appears nowhere: not in their output, not
// in error messages, not in what Redis holds about the jobs.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli';
import { batchWorld, photo, type BatchWorld } from './batch-world';
import {
  HAVE_REDIS,
  killAll,
  redisHasTls,
  startRedis,
  startWorker,
  tree,
  workerReady,
  type Cli,
  type RedisServer,
} from './farm-world';

const PASSWORD = 'Sekr3t-Farm-Pw-9341';
let w: BatchWorld;
const servers: RedisServer[] = [];
const workers: Cli[] = [];

beforeAll(async () => {
  if (!HAVE_REDIS)
    throw new Error('redis-server is not installed (apt-get install redis-server; .ci/run does)');
  w = await batchWorld('upres-farm-sec-');
  for (const n of ['a.png', 'b.png']) await photo(join(w.dir, 'in', n), 32, 24, 4);
});
afterAll(async () => {
  await killAll(...workers);
  for (const s of servers) await s.stop();
  w?.cleanup();
});

/** Everything Redis holds, as text (to prove the password was never stored). */
async function dumpRedis(url: string, tls?: { ca: Buffer }): Promise<string> {
  const r = new Redis(url, tls ? { tls: { ca: tls.ca } } : {});
  try {
    const parts: string[] = [];
    for (const k of await r.keys('*')) {
      const type = await r.type(k);
      if (type === 'hash') parts.push(JSON.stringify(await r.hgetall(k)));
      else if (type === 'string') parts.push((await r.get(k)) ?? '');
      else if (type === 'list') parts.push(...(await r.lrange(k, 0, -1)));
      else if (type === 'set') parts.push(...(await r.smembers(k)));
      else if (type === 'zset') parts.push(...(await r.zrange(k, '0', '-1')));
      else if (type === 'stream') parts.push(JSON.stringify(await r.call('XRANGE', k, '-', '+')));
    }
    return parts.join('\n');
  } finally {
    r.disconnect();
  }
}

describe.runIf(HAVE_REDIS)('a farm with a password', () => {
  it(
    'works with the password in the URL or the environment, and never shows it',
    { timeout: 120_000 },
    async () => {
      mkdirSync(join(w.dir, 'redis-pw'));
      const redis = await startRedis(join(w.dir, 'redis-pw'), ['--requirepass', PASSWORD]);
      servers.push(redis);
      const plain = `redis://127.0.0.1:${redis.port}`;
      const withPw = `redis://:${PASSWORD}@127.0.0.1:${redis.port}`;

      const wrong = await runCli(
        ['farm', 'status', '--redis', `redis://:Wr0ng-Guess-77@127.0.0.1:${redis.port}`],
        w.env,
      );
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(
        /cannot reach the farm's Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: .*(WRONGPASS|invalid|auth)/i,
      );
      expect(wrong.stderr).not.toContain('Wr0ng-Guess-77');

      // The worker gets its password from the environment, so not even its command line holds it.
      const worker = startWorker({ ...w.env, UPRES_REDIS_PASSWORD: PASSWORD }, plain, 'wp');
      workers.push(worker);
      await workerReady(worker);
      const sub = await runCli(
        [
          'farm',
          'submit',
          join(w.dir, 'in'),
          '-o',
          join(w.dir, 'out-pw'),
          '-m',
          'tiny',
          '--redis',
          withPw,
          '--wait',
          '--json',
        ],
        w.env,
      );
      expect(sub.code, sub.stderr).toBe(0);
      expect(tree(join(w.dir, 'out-pw'))).toEqual(['a_x4.png', 'b_x4.png']);
      const status = await runCli(['farm', 'status', '--json', '--redis', withPw], w.env);
      expect(status.code).toBe(0);
      for (const text of [
        sub.stdout,
        sub.stderr,
        status.stdout,
        status.stderr,
        worker.stderr(),
        await dumpRedis(withPw),
      ])
        expect(text).not.toContain(PASSWORD);
      expect(worker.stderr()).toMatch(/taking photos from redis:\/\/:\*\*\*@127\.0\.0\.1/);
    },
  );
});

const TLS = HAVE_REDIS && redisHasTls();

describe.runIf(TLS)('a farm over TLS (rediss://) with a self-signed certificate', () => {
  it('connects with --redis-ca, and says why without it', { timeout: 120_000 }, async () => {
    const certs = join(w.dir, 'tls');
    mkdirSync(certs);
    const cert = join(certs, 'cert.pem');
    const key = join(certs, 'key.pem');
    const made = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { encoding: 'utf8' },
    );
    expect(made.status, made.stderr).toBe(0);
    mkdirSync(join(w.dir, 'redis-tls'));
    const redis = await startRedis(join(w.dir, 'redis-tls'), [
      '--tls-port',
      'x',
      '--tls-cert-file',
      cert,
      '--tls-key-file',
      key,
      '--tls-ca-cert-file',
      cert,
      '--tls-auth-clients',
      'no',
      '--requirepass',
      PASSWORD,
    ]);
    servers.push(redis);
    const url = `rediss://:${PASSWORD}@127.0.0.1:${redis.port}`;

    const untrusted = await runCli(['farm', 'status', '--redis', url], w.env);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(
      /cannot reach the farm's Redis at rediss:\/\/:\*\*\*@127\.0\.0\.1:\d+: .*(self.signed|certificate)/i,
    );

    const worker = startWorker(w.env, url, 'wt', ['--redis-ca', cert]);
    workers.push(worker);
    await workerReady(worker);
    const sub = await runCli(
      [
        'farm',
        'submit',
        join(w.dir, 'in'),
        '-o',
        join(w.dir, 'out-tls'),
        '-m',
        'tiny',
        '--redis',
        url,
        '--redis-ca',
        cert,
        '--wait',
        '--json',
      ],
      w.env,
    );
    expect(sub.code, sub.stderr).toBe(0);
    expect(tree(join(w.dir, 'out-tls'))).toEqual(['a_x4.png', 'b_x4.png']);
    for (const text of [sub.stdout, sub.stderr, untrusted.stderr, worker.stderr()])
      expect(text).not.toContain(PASSWORD);
  });
});
