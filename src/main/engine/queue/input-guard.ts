import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { msg } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';

/** What makes two paths one file: the real path after symlinks, and the inode for hard links. */
interface Identity {
  real: string;
  node?: string;
}

async function identityOf(path: string, dirs: Map<string, Promise<string>>): Promise<Identity> {
  const abs = resolve(path);
  const info = await stat(abs, { bigint: true }).catch(() => undefined);
  const node = info ? `${info.dev}:${info.ino}` : undefined;
  const real = await realpath(abs).catch(async () => {
    // Not there (the usual case for an output): the real folder plus the name.
    const dir = dirname(abs);
    if (!dirs.has(dir))
      dirs.set(
        dir,
        realpath(dir).catch(() => dir),
      );
    return join(await dirs.get(dir)!, basename(abs));
  });
  return { real, node };
}

/** Runs `fn` over `items` with at most `limit` at a time, results in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const k = next++;
      out[k] = await fn(items[k]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * The inputs of a batch as files, to refuse any output that is one of them: an output that
 * replaced its own input (or another item's, before its turn) would destroy a photo. Inputs are
 * compared by real path (symlinks) and by device + inode (hard links, case-insensitive names).
 */
export class InputGuard {
  private readonly byReal = new Map<string, string>();
  private readonly byNode = new Map<string, string>();
  private readonly known = new Set<string>();
  private readonly dirs = new Map<string, Promise<string>>();

  /** Adds inputs (each file is looked at once per guard). */
  async addInputs(paths: readonly string[]): Promise<void> {
    const fresh = [...new Set(paths)].filter((p) => !this.known.has(p));
    const ids = await mapLimit(fresh, 16, (p) => identityOf(p, this.dirs));
    fresh.forEach((p, k) => {
      this.known.add(p);
      this.byReal.set(ids[k].real, p);
      if (ids[k].node) this.byNode.set(ids[k].node, p);
    });
  }

  /** Throws `output.invalid` naming both files when an item's planned output is an input. */
  async check(outputs: readonly { input: string; output: string }[]): Promise<void> {
    const ids = await mapLimit(outputs, 16, (o) => identityOf(o.output, this.dirs));
    outputs.forEach((o, k) => {
      const hit =
        this.byReal.get(ids[k].real) ?? (ids[k].node ? this.byNode.get(ids[k].node) : undefined);
      if (hit === undefined) return;
      throw new UpresError(
        'output.invalid',
        hit === o.input
          ? msg('batch.outputIsOwnInput', { file: o.input, output: o.output })
          : msg('batch.outputIsInput', { file: o.input, output: o.output, other: hit }),
      );
    });
  }
}
