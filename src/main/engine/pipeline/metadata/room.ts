import { randomBytes } from 'node:crypto';

/**
 * The encoder writes the file once, straight into its destination; the metadata goes into room it
 * was asked to leave. sharp can attach only an XMP string as given (its EXIF is rebuilt from
 * key/value pairs, its ICC is applied as a colour conversion, IPTC it cannot write), so the room
 * is reserved with placeholder XMP (and, for a large JPEG block, placeholder EXIF) carrying a
 * token, found again after the encode and overwritten in place with the real segments or chunks.
 */
export interface Room {
  /** A string found only in this encode's placeholders. */
  token: string;
}

/** A fresh room token: nothing in a real file matches it. */
export function newRoom(): Room {
  return { token: `upres-room-${randomBytes(12).toString('hex')}` };
}

/** Where the placeholders were found in the encoded file, as one contiguous range. */
export interface RoomRange {
  start: number;
  end: number;
}

/** A placeholder of exactly `length` bytes (at least the token's length). */
export function spaces(room: Room, length: number): string {
  return room.token + ' '.repeat(Math.max(0, length - room.token.length));
}

/**
 * A placeholder that deflate cannot shrink much below `length` (random printable ASCII, 6.6
 * bits a character): for a container that compresses its XMP, such as PNG's zTXt.
 */
export function incompressible(room: Room, length: number): string {
  const n = Math.max(0, length - room.token.length);
  const r = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(0x21 + (r[i] % 94));
  return room.token + s;
}
