import { basename, dirname, join } from 'node:path';
import { mkdir, open, readFile, readdir, rename, rm, unlink } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import type { PackedTile } from './feather-compositor';

// Finished tiles of one render, kept on disk so a pause, a cancel-then-retry, a restart or a crash
// continues from the next unfinished tile. One file per tile, written to a `.part` name, fsynced and
// renamed: a tile file is whole or absent. Each carries the store's fingerprint and a CRC of its
// payload, so a torn or foreign file is ignored (and its tile computed again), never stitched.

const MAGIC = 0x4c545055; // 'UPTL'
const VERSION = 1;
const HEADER = 4 * 8 + 32;
const MANIFEST = 'store.json';
const TILE = /^(\d+)\.tile$/;

/** Suffix of a tile store's folder; the temp-file sweep (`cleanTempFiles`) must leave these alone. */
export const TILE_STORE_SUFFIX = '.upres-tiles';

/**
 * The stable folder of the tile store of an output (hidden, beside it). Keyed by the planned output
 * path, not by the temp file, whose name changes with every attempt.
 */
export function tileStoreDirFor(output: string): string {
  return join(dirname(output), `.${basename(output)}${TILE_STORE_SUFFIX}`);
}

/** Where finished tiles are looked up and saved (a `TileStore`, or a view of one at an offset). */
export interface TileCache {
  has(index: number): boolean;
  /** The tile, or undefined when it is missing, torn or not this render's (then computed again). */
  read(index: number): Promise<PackedTile | undefined>;
  /** Saves a tile durably (fsynced) before it counts as done. */
  write(index: number, tile: PackedTile): Promise<void>;
}

/** The tiles of one pass kept at `base + index` of a store (e.g. the alpha pass after the colour). */
export function offsetCache(store: TileCache, base: number): TileCache {
  return {
    has: (i) => store.has(base + i),
    read: (i) => store.read(base + i),
    write: (i, t) => store.write(base + i, t),
  };
}

async function fsyncDir(dir: string): Promise<void> {
  // Makes a rename durable on POSIX; Windows cannot open a folder, and NTFS journals renames.
  const fd = await open(dir, 'r').catch(() => undefined);
  await fd
    ?.sync()
    .catch(() => undefined)
    .finally(() => fd.close());
}

async function writeDurably(path: string, bytes: Uint8Array): Promise<void> {
  const part = `${path}.part`;
  const fd = await open(part, 'w');
  try {
    await fd.writeFile(bytes);
    await fd.sync();
  } finally {
    await fd.close();
  }
  await rename(part, path);
  await fsyncDir(dirname(path));
}

/** Finished tiles of one render on disk, under one fingerprint of everything that decides them. */
export class TileStore implements TileCache {
  private constructor(
    readonly dir: string,
    readonly fingerprint: string,
    private readonly key: Buffer,
    private readonly present: Set<number>,
  ) {}

  /**
   * Opens (or creates) the store in `dir`. Tiles stored under another fingerprint (a setting or the
   * input file changed) are discarded; leftover `.part` files of a crash are removed.
   */
  static async open(dir: string, fingerprint: string): Promise<TileStore> {
    const key = Buffer.from(fingerprint, 'hex');
    if (key.length !== 32) throw new Error(`tile store ${dir}: fingerprint must be a sha256 hex`);
    const manifest = await readFile(join(dir, MANIFEST), 'utf8').then(
      (t) => JSON.parse(t) as { version?: number; fingerprint?: string },
      () => undefined,
    );
    const present = new Set<number>();
    if (manifest?.version === VERSION && manifest.fingerprint === fingerprint) {
      for (const n of await readdir(dir)) {
        const m = TILE.exec(n);
        if (m) present.add(Number(m[1]));
        else if (n.endsWith('.part')) await unlink(join(dir, n)).catch(() => undefined);
      }
    } else {
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      const body = JSON.stringify({ version: VERSION, fingerprint });
      await writeDurably(join(dir, MANIFEST), Buffer.from(body));
    }
    return new TileStore(dir, fingerprint, key, present);
  }

  /** Deletes a store without opening it (an item cancelled for good, an output committed). */
  static discardAt(dir: string): Promise<void> {
    return rm(dir, { recursive: true, force: true });
  }

  /** How many tiles the store holds. */
  get size(): number {
    return this.present.size;
  }

  has(index: number): boolean {
    return this.present.has(index);
  }

  private path(index: number): string {
    return join(this.dir, `${index}.tile`);
  }

  async read(index: number): Promise<PackedTile | undefined> {
    if (!this.present.has(index)) return undefined;
    const bytes = await readFile(this.path(index)).catch(() => undefined);
    const tile = bytes && this.decode(index, bytes);
    if (!tile) {
      this.present.delete(index);
      await unlink(this.path(index)).catch(() => undefined);
    }
    return tile;
  }

  private decode(index: number, b: Buffer): PackedTile | undefined {
    if (b.length < HEADER) return undefined;
    const [magic, version, i, depth, nInts, nFloats, crc] = [0, 4, 8, 12, 16, 20, 24].map((o) =>
      b.readUInt32LE(o),
    );
    if (magic !== MAGIC || version !== VERSION || i !== index || (depth !== 1 && depth !== 2))
      return undefined;
    if (!b.subarray(32, HEADER).equals(this.key)) return undefined;
    const intBytes = nInts * depth;
    if (b.length !== HEADER + intBytes + nFloats * 4) return undefined;
    const payload = b.subarray(HEADER);
    if (crc32(payload) !== crc) return undefined;
    // Copied out so the typed arrays are aligned whatever the Buffer's offset in its pool.
    const copy = new Uint8Array(payload);
    const ints =
      depth === 2 ? new Uint16Array(copy.buffer, 0, nInts) : new Uint8Array(copy.buffer, 0, nInts);
    const floats = new Float32Array(copy.buffer.slice(intBytes, intBytes + nFloats * 4));
    return { ints, floats };
  }

  async write(index: number, tile: PackedTile): Promise<void> {
    const depth = tile.ints instanceof Uint16Array ? 2 : 1;
    const ints = new Uint8Array(tile.ints.buffer, tile.ints.byteOffset, tile.ints.byteLength);
    const floats = new Uint8Array(
      tile.floats.buffer,
      tile.floats.byteOffset,
      tile.floats.byteLength,
    );
    const head = Buffer.alloc(HEADER);
    const payload = Buffer.concat([ints, floats]);
    [MAGIC, VERSION, index, depth, tile.ints.length, tile.floats.length, crc32(payload), 0].forEach(
      (v, k) => head.writeUInt32LE(v, k * 4),
    );
    this.key.copy(head, 32);
    await writeDurably(this.path(index), Buffer.concat([head, payload]));
    this.present.add(index);
  }

  /** Deletes the store and every tile in it. */
  async discard(): Promise<void> {
    this.present.clear();
    await TileStore.discardAt(this.dir);
  }
}
