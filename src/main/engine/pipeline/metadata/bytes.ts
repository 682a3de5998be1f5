import type { FileHandle } from 'node:fs/promises';
import { MetadataFault } from './metadata-fault';

/**
 * 16- and 32-bit reads and writes in one byte order: TIFF (and so EXIF) says its own, PNG and
 * JPEG are big-endian, RIFF little-endian. The one place these are written.
 */
export class ByteOrder {
  constructor(readonly le: boolean) {}
  u16(b: Buffer, o: number): number {
    return this.le ? b.readUInt16LE(o) : b.readUInt16BE(o);
  }
  u32(b: Buffer, o: number): number {
    return this.le ? b.readUInt32LE(o) : b.readUInt32BE(o);
  }
  w16(b: Buffer, o: number, v: number): void {
    if (this.le) b.writeUInt16LE(v, o);
    else b.writeUInt16BE(v, o);
  }
  w32(b: Buffer, o: number, v: number): void {
    if (this.le) b.writeUInt32LE(v >>> 0, o);
    else b.writeUInt32BE(v >>> 0, o);
  }
}

export const BIG_ENDIAN = new ByteOrder(false);
export const LITTLE_ENDIAN = new ByteOrder(true);

/** A 4-byte big-endian number. */
export function u32be(v: number): Buffer {
  const b = Buffer.alloc(4);
  BIG_ENDIAN.w32(b, 0, v);
  return b;
}

/** Exactly `len` bytes at `pos` of an open file; throws at the end of the file. */
export async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const b = Buffer.alloc(len);
  const { bytesRead } = await fh.read(b, 0, len, pos);
  if (bytesRead !== len) throw new MetadataFault('truncated', 'unexpected end of the file');
  return b;
}

/** Writes the buffers one after another from `position`, however the system splits the writes. */
export async function writeAllAt(fh: FileHandle, parts: Buffer[], position: number): Promise<void> {
  let pos = position;
  for (const p of parts) {
    for (let done = 0; done < p.length;) {
      const { bytesWritten } = await fh.write(p, done, p.length - done, pos);
      done += bytesWritten;
      pos += bytesWritten;
    }
  }
}
