import type { Redis, RedisOptions } from 'ioredis';
import { msg } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';
import { redact, type RedisTarget } from './redis-url';

/** How long a first connection may take before the farm is called unreachable. */
const CONNECT_MS = 5000;

/**
 * The client options of a farm connection: reconnect for ever with a capped back-off (a Redis
 * restart must cost a few seconds, not the batch), commands wait while disconnected (BullMQ's
 * requirement for workers), TLS with the given CA for `rediss://`.
 */
export function redisOptions(target: RedisTarget): RedisOptions {
  return {
    maxRetriesPerRequest: null,
    enableAutoPipelining: true,
    lazyConnect: true,
    connectTimeout: CONNECT_MS,
    retryStrategy: (times) => Math.min(100 * times, 2000),
    ...(target.tls ? { tls: target.ca ? { ca: target.ca } : {} } : {}),
  };
}

/**
 * Connects to the farm's Redis; fails with `farm.unreachable` and a message that names the address
 * (password hidden) and the cause. Later connection errors are reported once per kind through
 * `warn`, redacted; the client reconnects by itself.
 */
export async function connectRedis(
  target: RedisTarget,
  warn: (line: string) => void,
): Promise<Redis> {
  // Loaded on first use: every `upres` command would pay for it otherwise (~0.2 s).
  const { Redis } = await import('ioredis');
  const client = new Redis(target.url, redisOptions(target));
  let first: Error | undefined;
  const seen = new Set<string>();
  client.on('error', (err: Error) => {
    first ??= err;
    const line = redact(`Redis ${target.shown}: ${err.message}`, target.secrets);
    if (seen.has(line)) return;
    seen.add(line);
    if (client.status === 'ready' || seen.size > 1) warn(line);
  });
  client.on('ready', () => seen.clear());
  try {
    await withTimeout(client.connect(), CONNECT_MS);
    await client.ping();
  } catch (err) {
    client.disconnect();
    const cause = first ?? (err as Error);
    throw new UpresError(
      'farm.unreachable',
      cause instanceof NoAnswer
        ? msg('batch.farmNoAnswer', { address: target.shown, seconds: cause.seconds })
        : // The client library's own words (a socket error): a value here.
          msg('batch.farmUnreachable', {
            address: target.shown,
            reason: redact(cause.message, target.secrets),
          }),
    );
  }
  return client;
}

/** A connection that did not answer in time. */
class NoAnswer extends Error {
  constructor(readonly seconds: number) {
    super(`no answer within ${seconds} s`);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new NoAnswer(ms / 1000)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e as Error);
      },
    );
  });
}
