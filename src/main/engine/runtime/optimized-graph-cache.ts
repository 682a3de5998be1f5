// onnxruntime's graph optimisation of a large model (x4plus: ~1.7 s of a ~3 s start on a CPU) is
// the same every time for one graph, provider and onnxruntime. The optimised graph it can write
// (`optimizedModelFilePath`) is kept here and loaded with optimisation off, so a later start skips
// building the graph and optimising it. It is only ever our own output: an entry is named by the
// hash of everything it depends on, and any change to one of them is a different name.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { resolveUserDirs } from '../storage/user-dirs';
import { dropInputShape } from './saved-graph-shapes';

/** How entries are written (part of every key): 2 = the input's shape dropped (saved-graph-shapes). */
const FORMAT = 2;

/** Entries beyond this many bytes in all are removed, least recently used first. */
const DEFAULT_MAX_BYTES = 2 * 1024 ** 3;

/** A cache entry: load from `path` when `hit`, else write the optimised graph to `tmp`. */
export interface GraphCacheSlot {
  key: string;
  path: string;
  hit: boolean;
  tmp: string;
}

export class OptimizedGraphCache {
  constructor(
    readonly dir: string,
    /** The code that builds graphs (a build id): a new build never reads an older build's graphs. */
    private readonly codeId: string,
    private readonly maxBytes = DEFAULT_MAX_BYTES,
  ) {}

  /**
   * The slot for a graph described by `identity` (model, weights file, architecture, precision,
   * provider…), on this machine's CPU and onnxruntime: optimised graphs can hold CPU-specific layouts.
   */
  async slot(identity: unknown): Promise<GraphCacheSlot> {
    const key = createHash('sha256')
      .update(
        JSON.stringify({
          identity,
          format: FORMAT,
          code: this.codeId,
          ort: ort.env.versions.common,
          platform: `${process.platform}-${process.arch}`,
          cpu: cpus()[0]?.model ?? '',
        }),
      )
      .digest('hex')
      .slice(0, 40);
    const path = join(this.dir, `${key}.onnx`);
    const hit = await stat(path).then(
      (st) => st.isFile(),
      () => false,
    );
    if (hit) {
      // Recently used entries are kept when the cache is trimmed.
      const now = new Date();
      await utimes(path, now, now).catch(() => undefined);
    }
    const tmp = join(this.dir, `${key}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    return { key, path, hit, tmp };
  }

  /** Where onnxruntime may write the temporary file of a slot. */
  async prepare(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  /**
   * Moves a written optimised graph into place, its input's shape dropped first (it then loads
   * several times faster: see saved-graph-shapes.ts), and trims the cache.
   */
  async commit(slot: GraphCacheSlot): Promise<void> {
    try {
      // A file the edit cannot read is kept as onnxruntime wrote it (it loads, only slower).
      const bytes = await readFile(slot.tmp);
      let edited: Uint8Array | undefined;
      try {
        edited = dropInputShape(bytes);
      } catch {
        edited = undefined;
      }
      if (edited && edited !== bytes) await writeFile(slot.tmp, edited);
      await rename(slot.tmp, slot.path);
    } catch {
      await rm(slot.tmp, { force: true });
      return;
    }
    await this.trim().catch(() => undefined);
  }

  /** Forgets an entry that failed to load (a torn or foreign file), so the next start rebuilds it. */
  async drop(slot: GraphCacheSlot): Promise<void> {
    await rm(slot.path, { force: true });
  }

  /** Removes a temporary file a failed write left. */
  async discard(slot: GraphCacheSlot): Promise<void> {
    await rm(slot.tmp, { force: true });
  }

  private async trim(): Promise<void> {
    const entries = [];
    for (const name of await readdir(this.dir)) {
      const path = join(this.dir, name);
      const st = await stat(path).catch(() => undefined);
      if (!st?.isFile()) continue;
      // A temporary file older than an hour belongs to a process that died while writing it.
      if (name.endsWith('.tmp')) {
        if (Date.now() - st.mtimeMs > 3600_000) await rm(path, { force: true });
        continue;
      }
      if (name.endsWith('.onnx')) entries.push({ path, size: st.size, used: st.mtimeMs });
    }
    entries.sort((a, b) => b.used - a.used);
    let total = 0;
    for (const e of entries) {
      total += e.size;
      if (total > this.maxBytes) await rm(e.path, { force: true });
    }
  }
}

/** The id of the JavaScript build this code runs from (`build.json` beside it), if any. */
export function buildId(): string | undefined {
  try {
    const stamp = JSON.parse(
      readFileSync(fileURLToPath(new URL('./build.json', import.meta.url)), 'utf8'),
    ) as { buildId?: unknown };
    return typeof stamp.buildId === 'string' ? stamp.buildId : undefined;
  } catch {
    return undefined;
  }
}

let shared: OptimizedGraphCache | null | undefined;

/**
 * The cache in the user data folder (`cache/graphs`), for code run from a build (the CLI's
 * out/cli): from source, nothing names the code, so nothing is cached. `UPRES_GRAPH_CACHE=off`
 * turns it off.
 */
export function userGraphCache(): OptimizedGraphCache | undefined {
  if (shared === undefined) {
    const id = buildId();
    shared =
      id && process.env.UPRES_GRAPH_CACHE !== 'off'
        ? new OptimizedGraphCache(join(resolveUserDirs().userData, 'cache', 'graphs'), id)
        : null;
  }
  return shared ?? undefined;
}
