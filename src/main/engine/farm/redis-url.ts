import { readFileSync } from 'node:fs';
import { msg, type EngineMessage } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';

/** A farm's Redis address, checked, with what must never be printed. */
export interface RedisTarget {
  url: string;
  /** The address with any password replaced by `***` (what logs and messages show). */
  shown: string;
  tls: boolean;
  /** Secrets to scrub from any text that leaves the process (see `redact`). */
  secrets: string[];
  /** A CA certificate (PEM) to trust for `rediss://` (a self-signed or private CA). */
  ca?: Buffer;
}

/**
 * Parses `redis://[user:password@]host[:port][/db]` or `rediss://…` (TLS). The password may also
 * come from `UPRES_REDIS_PASSWORD`, so it need not appear on a command line (which every local user
 * can read in the process list). `caFile`: a PEM to trust for TLS.
 */
export function parseRedisUrl(
  raw: string,
  opt: { password?: string; caFile?: string } = {},
): RedisTarget {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UpresError('request.invalid', msg('batch.redisUrlInvalid', { url: redactUrl(raw) }));
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new UpresError('request.invalid', msg('batch.redisUrlScheme', { url: redactUrl(raw) }));
  if (opt.password && !u.password) u.password = encodeURIComponent(opt.password);
  const secrets = [u.password, decodeURIComponent(u.password), opt.password ?? ''].filter(
    (s) => s.length > 0,
  );
  let ca: Buffer | undefined;
  if (opt.caFile) {
    try {
      ca = readFileSync(opt.caFile);
    } catch (err) {
      throw new UpresError(
        'input.unreadable',
        msg('batch.caUnreadable', {
          file: opt.caFile,
          reason: (err as NodeJS.ErrnoException).code ?? (err as Error).message,
        }),
      );
    }
  }
  const url = u.toString();
  return { url, shown: redactUrl(url), tls: u.protocol === 'rediss:', secrets, ca };
}

/** A URL (of any scheme) with its password, if any, replaced by `***`. */
export function redactUrl(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}

/**
 * Removes secrets from a text: every Redis URL's password, and each given secret wherever it
 * appears (an error message from a library may quote it).
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:@/\s]*:)[^@/\s]*@/gi, '$1***@');
  for (const s of secrets) if (s.length >= 1) out = out.split(s).join('***');
  return out;
}

/** `redact` over a keyed message: its text and every text value it carries. */
export function redactMessage(m: EngineMessage, secrets: readonly string[] = []): EngineMessage {
  const params = m.params
    ? Object.fromEntries(
        Object.entries(m.params).map(([k, v]) => [
          k,
          typeof v === 'string' ? redact(v, secrets) : v,
        ]),
      )
    : undefined;
  return { ...m, text: redact(m.text, secrets), ...(params ? { params } : {}) };
}
