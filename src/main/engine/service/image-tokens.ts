import { randomBytes } from 'node:crypto';

/** What a token serves: bytes made in memory (previews, thumbnails) or a file the queue knows. */
export type ImageSource =
  { kind: 'bytes'; data: Buffer; type: string } | { kind: 'file'; path: string; type: string };

/**
 * How long a token handed out over HTTP opens its image: a copied image address shares that one
 * image for this long, no more. The page asks again (a new token) whenever it needs the image.
 */
export const IMAGE_TOKEN_TTL_MS = 10 * 60_000;

/** The response headers of an image token, the same on every transport. */
export function imageHeaders(source: ImageSource): Record<string, string> {
  // A token's content never changes, so the page's own cache may keep it past the token's
  // lifetime (what it already shows keeps showing); `private`: never a shared cache.
  return { 'Content-Type': source.type, 'Cache-Control': 'private, max-age=86400, immutable' };
}

/** One image the store holds, under its cache key. */
interface Content {
  key: string;
  source: ImageSource;
  width: number;
  height: number;
  /** Checked on every lookup: a file stops being served once the queue forgets it. */
  valid?: () => boolean;
  /** The newest token for it, handed out again while it is young. */
  token?: string;
}

/** A token: one content, from a moment on. */
interface Grant {
  content: Content;
  issued: number;
}

export interface TokenImage {
  token: string;
  width: number;
  height: number;
}

/**
 * Random, unguessable tokens for images the renderer may show: each opens one image, and a
 * transport may refuse tokens older than it likes (`open(token, maxAgeMs)`; the loopback server
 * gives them IMAGE_TOKEN_TTL_MS). Transports serve only what this store hands out, so no client
 * ever names a path. The images themselves are cached under a key (a file's version and size) and
 * outlive their tokens, so asking again is cheap; in-memory images are kept within a byte budget
 * (least recently used go first); an evicted or expired token simply 404s and the page asks again.
 */
export class ImageTokens {
  private readonly contents = new Map<string, Content>();
  private readonly grants = new Map<string, Grant>();
  private bytes = 0;

  constructor(
    private readonly budgetBytes = 512 * 1024 * 1024,
    private readonly maxEntries = 4096,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /**
   * Stores an in-memory image; with a key, the same key returns the same image (see `cached`),
   * and `valid` can retire it (a thumbnail of an item the queue no longer has).
   */
  putBytes(
    data: Buffer,
    type: string,
    size: { width: number; height: number },
    key?: string,
    valid?: () => boolean,
  ): TokenImage {
    return this.put({
      key: key ?? anonymousKey(),
      source: { kind: 'bytes', data, type },
      ...size,
      valid,
    });
  }

  /** Registers a file that may be served while `valid()` says so. */
  putFile(
    path: string,
    type: string,
    size: { width: number; height: number },
    key: string,
    valid: () => boolean,
  ): TokenImage {
    return this.put({ key, source: { kind: 'file', path, type }, ...size, valid });
  }

  /** A token for the image stored under a key (and still valid), if any. */
  cached(key: string): TokenImage | undefined {
    const content = this.lookup(key);
    return content && this.grant(content);
  }

  /**
   * What a token serves, or undefined for an unknown, evicted or no longer valid token, or one
   * issued more than `maxAgeMs` ago.
   */
  open(token: string, maxAgeMs = Number.POSITIVE_INFINITY): ImageSource | undefined {
    const grant = this.grants.get(token);
    if (!grant) return undefined;
    if (this.now() - grant.issued > maxAgeMs) return undefined;
    const content = this.lookup(grant.content.key);
    if (content !== grant.content) {
      this.grants.delete(token);
      return undefined;
    }
    return content.source;
  }

  /** Forgets everything (shutdown). */
  clear(): void {
    this.contents.clear();
    this.grants.clear();
    this.bytes = 0;
  }

  private lookup(key: string): Content | undefined {
    const content = this.contents.get(key);
    if (!content) return undefined;
    if (content.valid && !content.valid()) {
      this.drop(content);
      return undefined;
    }
    // Most recently used last, so eviction takes the oldest first.
    this.contents.delete(key);
    this.contents.set(key, content);
    return content;
  }

  /** The content's newest token while it has at least half its HTTP lifetime left, else a new one. */
  private grant(content: Content): TokenImage {
    const size = { width: content.width, height: content.height };
    const young = content.token && this.grants.get(content.token);
    if (young && this.now() - young.issued < IMAGE_TOKEN_TTL_MS / 2)
      return { token: content.token!, ...size };
    const token = randomBytes(16).toString('hex');
    this.grants.set(token, { content, issued: this.now() });
    content.token = token;
    // Tokens are small; past a bound the oldest go (their images stay, under a newer token).
    for (const t of this.grants.keys()) {
      if (this.grants.size <= this.maxEntries * 4) break;
      this.grants.delete(t);
    }
    return { token, ...size };
  }

  private put(content: Content): TokenImage {
    const old = this.contents.get(content.key);
    if (old) this.drop(old);
    this.contents.set(content.key, content);
    this.bytes += sizeOf(content);
    for (const c of this.contents.values()) {
      if (this.bytes <= this.budgetBytes && this.contents.size <= this.maxEntries) break;
      if (c === content) break;
      this.drop(c);
    }
    return this.grant(content);
  }

  /** Removes a content; its tokens die with it (open() finds another content, or none). */
  private drop(content: Content): void {
    if (this.contents.get(content.key) !== content) return;
    this.contents.delete(content.key);
    this.bytes -= sizeOf(content);
    if (content.token) this.grants.delete(content.token);
  }
}

function anonymousKey(): string {
  return `#${randomBytes(12).toString('hex')}`;
}

function sizeOf(c: Content): number {
  return c.source.kind === 'bytes' ? c.source.data.byteLength : 0;
}
