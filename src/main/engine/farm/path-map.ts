import { isAbsolute, normalize, sep } from 'node:path';
import { msg } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';

/** One `--map <from>=<to>` rule: a path prefix as the submitter sees it, and as this worker does. */
export interface PathRule {
  from: string;
  to: string;
}

/** Slashes of either kind, a submitter may run on Windows and a worker on Linux. */
const SLASHES = /[\\/]+/g;

/** A prefix in one comparable form: forward slashes, no trailing slash (but `/` stays `/`). */
function canonical(p: string): string {
  const s = p.replace(SLASHES, '/');
  return s.length > 1 ? s.replace(/\/$/, '') : s;
}

/** Parses `from=to` (the first `=` splits; both sides must be absolute paths of their machines). */
export function parseMapRule(spec: string): PathRule {
  const at = spec.indexOf('=');
  const from = at > 0 ? spec.slice(0, at) : '';
  const to = at > 0 ? spec.slice(at + 1) : '';
  const absolute = (p: string) =>
    p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
  if (!from || !to || !absolute(from) || !isAbsolute(to))
    throw new UpresError(
      'request.invalid',
      msg('batch.mapInvalid', { spec, usage: '<from>=<to>' }),
    );
  return { from: canonical(from), to: normalize(to) };
}

/**
 * The path on this worker for a path as the job names it: the longest rule whose `from` is a whole
 * prefix of it (by path segments, `/a/b` does not match `/a/bc`) is swapped for its `to`. Returns
 * undefined when no rule matches. Without rules a path is taken as it is.
 */
export function mapPath(path: string, rules: readonly PathRule[]): string | undefined {
  if (rules.length === 0) return path;
  const p = canonical(path);
  let best: PathRule | undefined;
  for (const r of rules) {
    const match = p === r.from || p.startsWith(r.from === '/' ? '/' : `${r.from}/`);
    if (match && (!best || r.from.length > best.from.length)) best = r;
  }
  if (!best) return undefined;
  const rest = p.slice(best.from === '/' ? 1 : best.from.length).replace(/^\//, '');
  return rest ? normalize(`${best.to}${sep}${rest.split('/').join(sep)}`) : best.to;
}
