import { stat } from 'node:fs/promises';
import type { ImageHeader } from '../pipeline/decode';

/** Bytes of headers kept in memory at most (EXIF, XMP, IPTC and ICC make most of a header). */
const BUDGET = 64 * 1024 ** 2;

const stampOf = (s: { mtimeMs: number; size: number }): string => `${s.mtimeMs}|${s.size}`;

function bytesOf(h: ImageHeader): number {
  const m = h.meta;
  return (
    1024 +
    (m.exif?.length ?? 0) +
    (m.xmp?.length ?? 0) +
    (m.iptc?.length ?? 0) +
    (m.icc?.length ?? 0)
  );
}

/**
 * The headers read when items were added, kept until their render so the decoder does not read
 * them again. An entry is used only while the file's modification time and size are unchanged;
 * the oldest go first beyond a memory budget (the decoder then reads the header itself).
 */
export class HeaderCache {
  private readonly entries = new Map<
    string,
    { header: ImageHeader; stamp: string; bytes: number }
  >();
  private bytes = 0;

  /** Remembers an item's header; `stamp` is the file's stat taken before the header was read. */
  put(id: string, header: ImageHeader, stamp: { mtimeMs: number; size: number }): void {
    this.drop(id);
    const bytes = bytesOf(header);
    this.entries.set(id, { header, stamp: stampOf(stamp), bytes });
    this.bytes += bytes;
    for (const [old] of this.entries) {
      if (this.bytes <= BUDGET) break;
      this.drop(old);
    }
  }

  /** The header of an item's file, if kept and the file has not changed since. */
  async take(id: string, path: string): Promise<ImageHeader | undefined> {
    const e = this.entries.get(id);
    if (!e) return undefined;
    this.drop(id);
    const now = await stat(path).then(stampOf, () => undefined);
    return now === e.stamp ? e.header : undefined;
  }

  drop(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    this.bytes -= e.bytes;
  }
}

/** A file's stat stamp for `HeaderCache.put` (undefined when it cannot be read). */
export function fileStamp(path: string): Promise<{ mtimeMs: number; size: number } | undefined> {
  return stat(path).then(
    (s) => ({ mtimeMs: s.mtimeMs, size: s.size }),
    () => undefined,
  );
}
