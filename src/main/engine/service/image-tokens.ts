import { randomBytes } from 'node:crypto';

/** What a token serves: bytes made in memory (previews, thumbnails) or a file the queue knows. */
export type ImageSource =
  { kind: 'bytes'; data: Buffer; type: string } | { kind: 'file'; path: string; type: string };

/** The response headers of an image token, the same on every transport. */
export function imageHeaders(source: ImageSource): Record<string, string> {
  // Tokens are random and their content never changes, so a page may cache it; no shared cache.
  return { 'Content-Type': source.type, 'Cache-Control': 'private, max-age=3600' };
}

interface Entry {
  source: ImageSource;
  width: number;
  height: number;
  /** Cache key, for handing out the same token again. */
  key?: string;
  /** Checked on every lookup: a file stops being served once the queue forgets it. */
  valid?: () => boolean;
}

export interface TokenImage {
  token: string;
  width: number;
  height: number;
}

/**
 * Random, unguessable tokens for images the renderer may show. Transports serve only what this
 * store hands out, so no client ever names a path. In-memory images are kept within a byte budget
 * (least recently used go first); an evicted token simply 404s and the renderer asks again.
 */
export class ImageTokens {
  private readonly entries = new Map<string, Entry>();
  private readonly byKey = new Map<string, string>();
  private bytes = 0;

  constructor(
    private readonly budgetBytes = 512 * 1024 * 1024,
    private readonly maxEntries = 4096,
  ) {}

  /**
   * Stores an in-memory image; with a key, the same key returns the same token, and `valid` can
   * retire it (a thumbnail of an item the queue no longer has).
   */
  putBytes(
    data: Buffer,
    type: string,
    size: { width: number; height: number },
    key?: string,
    valid?: () => boolean,
  ): TokenImage {
    return this.put({ source: { kind: 'bytes', data, type }, ...size, key, valid });
  }

  /** Registers a file that may be served while `valid()` says so. */
  putFile(
    path: string,
    type: string,
    size: { width: number; height: number },
    key: string,
    valid: () => boolean,
  ): TokenImage {
    return this.put({ source: { kind: 'file', path, type }, ...size, key, valid });
  }

  /** The token already issued for a key (and still valid), if any. */
  cached(key: string): TokenImage | undefined {
    const token = this.byKey.get(key);
    const entry = token === undefined ? undefined : this.lookup(token);
    return entry && token ? { token, width: entry.width, height: entry.height } : undefined;
  }

  /** What a token serves, or undefined for an unknown, evicted or no longer valid token. */
  open(token: string): ImageSource | undefined {
    return this.lookup(token)?.source;
  }

  private lookup(token: string): Entry | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.valid && !entry.valid()) {
      this.drop(token, entry);
      return undefined;
    }
    // Most recently used last, so eviction takes the oldest first.
    this.entries.delete(token);
    this.entries.set(token, entry);
    return entry;
  }

  private put(entry: Entry): TokenImage {
    const token = randomBytes(16).toString('hex');
    if (entry.key !== undefined) {
      const old = this.byKey.get(entry.key);
      const oldEntry = old === undefined ? undefined : this.entries.get(old);
      if (old !== undefined && oldEntry) this.drop(old, oldEntry);
      this.byKey.set(entry.key, token);
    }
    this.entries.set(token, entry);
    this.bytes += sizeOf(entry);
    for (const [t, e] of this.entries) {
      if (this.bytes <= this.budgetBytes && this.entries.size <= this.maxEntries) break;
      if (t === token) break;
      this.drop(t, e);
    }
    return { token, width: entry.width, height: entry.height };
  }

  private drop(token: string, entry: Entry): void {
    this.entries.delete(token);
    this.bytes -= sizeOf(entry);
    if (entry.key !== undefined && this.byKey.get(entry.key) === token)
      this.byKey.delete(entry.key);
  }

  /** Forgets everything (shutdown). */
  clear(): void {
    this.entries.clear();
    this.byKey.clear();
    this.bytes = 0;
  }
}

function sizeOf(e: Entry): number {
  return e.source.kind === 'bytes' ? e.source.data.byteLength : 0;
}
