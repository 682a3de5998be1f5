// A minimal zip reader for torch.save archives: central directory (with zip64), stored and
// deflated entries. Every size is checked against the buffer before anything is allocated, so a
// crafted archive can claim at most what the file actually holds.
import { inflateRawSync } from 'node:zlib';
import { refused } from '../refusal';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const EOCD_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
const MAX_COMMENT = 0xffff;
const STORED = 0;
const DEFLATED = 8;
// Deflate cannot expand data by more than about 1032:1; a larger claim is a zip bomb.
const MAX_DEFLATE_RATIO = 1032;

/** True when the bytes start like a zip archive (as torch.save's default format does). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && view(bytes).getUint32(0, true) === LOCAL_SIG;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function u64(dv: DataView, at: number): number {
  const v = dv.getBigUint64(at, true);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

/** Lists the entries of a zip archive by name, validating the directory against the buffer. */
export function readZipDirectory(bytes: Uint8Array, label: string): Map<string, ZipEntry> {
  const fail = (why: string): never => {
    throw new Error(`${label}: ${why}`);
  };
  const dv = view(bytes);
  let eocd = -1;
  const lowest = Math.max(0, bytes.length - EOCD_SIZE - MAX_COMMENT);
  for (let at = bytes.length - EOCD_SIZE; at >= lowest; at--) {
    if (dv.getUint32(at, true) === EOCD_SIG) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw refused('modelFiles.zipNoDirectory', { file: label });
  if (dv.getUint16(eocd + 4, true) !== 0 || dv.getUint16(eocd + 6, true) !== 0)
    fail('multi-part zip archives are not supported');
  let count = dv.getUint16(eocd + 10, true);
  let dirSize = dv.getUint32(eocd + 12, true);
  let dirOffset = dv.getUint32(eocd + 16, true);
  let dirEnd = eocd;
  if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || dv.getUint32(locator, true) !== ZIP64_LOCATOR_SIG)
      fail('the zip64 end-of-directory locator is missing');
    const at = u64(dv, locator + 8);
    if (at + 56 > locator || dv.getUint32(at, true) !== ZIP64_EOCD_SIG)
      fail('the zip64 end-of-directory record is missing');
    count = u64(dv, at + 32);
    dirSize = u64(dv, at + 40);
    dirOffset = u64(dv, at + 48);
    dirEnd = at;
  }
  if (dirOffset + dirSize > dirEnd) fail('the zip directory lies beyond the end of the file');
  if (count * CENTRAL_SIZE > dirSize) fail(`the zip directory is too small for ${count} entries`);

  const entries = new Map<string, ZipEntry>();
  let pos = dirOffset;
  for (let i = 0; i < count; i++) {
    if (pos + CENTRAL_SIZE > dirOffset + dirSize || dv.getUint32(pos, true) !== CENTRAL_SIG)
      fail(`zip directory entry ${i} is damaged`);
    const flags = dv.getUint16(pos + 8, true);
    const method = dv.getUint16(pos + 10, true);
    let compressedSize = dv.getUint32(pos + 20, true);
    let size = dv.getUint32(pos + 24, true);
    const nameLen = dv.getUint16(pos + 28, true);
    const extraLen = dv.getUint16(pos + 30, true);
    const commentLen = dv.getUint16(pos + 32, true);
    let localHeaderOffset = dv.getUint32(pos + 42, true);
    const nameStart = pos + CENTRAL_SIZE;
    const extraStart = nameStart + nameLen;
    const next = extraStart + extraLen + commentLen;
    if (next > dirOffset + dirSize) fail(`zip directory entry ${i} is damaged`);
    const name = Buffer.from(bytes.subarray(nameStart, extraStart)).toString(
      flags & 0x800 ? 'utf8' : 'latin1',
    );
    if (flags & 1) fail(`zip entry ${name} is encrypted`);
    // zip64 keeps the real values, in this order, for the fields that overflowed.
    for (let e = extraStart; e + 4 <= extraStart + extraLen;) {
      const id = dv.getUint16(e, true);
      const len = dv.getUint16(e + 2, true);
      if (id === 1) {
        let f = e + 4;
        const take = (): number => {
          if (f + 8 > e + 4 + len) fail(`zip entry ${name} has a damaged zip64 field`);
          const v = u64(dv, f);
          f += 8;
          return v;
        };
        if (size === 0xffffffff) size = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
      }
      e += 4 + len;
    }
    if (localHeaderOffset + compressedSize > dirOffset)
      fail(`zip entry ${name} claims ${compressedSize} bytes beyond the end of the file`);
    entries.set(name, { name, method, compressedSize, size, localHeaderOffset });
    pos = next;
  }
  return entries;
}

/**
 * The uncompressed bytes of one entry (a view into the buffer when the entry is stored). A
 * deflated entry is inflated only up to `budget` bytes (what its reader needs, e.g. the bytes of
 * the storage the pickle declares): an entry that declares or inflates to more is refused before
 * anything beyond the budget is allocated, so a few compressed megabytes of zeros cannot cost
 * gigabytes of memory.
 */
export function zipEntryData(
  bytes: Uint8Array,
  entry: ZipEntry,
  label: string,
  budget: number,
): Uint8Array {
  const fail = (why: string): never => {
    throw new Error(`${label}: zip entry ${entry.name}: ${why}`);
  };
  const dv = view(bytes);
  const at = entry.localHeaderOffset;
  if (at + LOCAL_SIZE > bytes.length || dv.getUint32(at, true) !== LOCAL_SIG)
    fail('the local header is missing');
  // The local name and extra lengths may differ from the directory's (torch pads the extra
  // field to align tensor data), so the data offset must come from the local header.
  const start = at + LOCAL_SIZE + dv.getUint16(at + 26, true) + dv.getUint16(at + 28, true);
  const end = start + entry.compressedSize;
  if (end > bytes.length) fail('the data lies beyond the end of the file');
  const raw = bytes.subarray(start, end);
  if (entry.method === STORED) {
    if (entry.size !== entry.compressedSize) fail('a stored entry has two different sizes');
    return raw;
  }
  if (entry.method !== DEFLATED) fail(`compression method ${entry.method} is not supported`);
  if (entry.size > entry.compressedSize * MAX_DEFLATE_RATIO + 1024)
    fail(`claims ${entry.size} bytes from ${entry.compressedSize} compressed`);
  if (entry.size > budget)
    fail(`declares ${entry.size} bytes, more than the ${budget} bytes it may hold; not inflated`);
  let out: Buffer;
  try {
    // maxOutputLength stops zlib as soon as the output passes the budget.
    out = inflateRawSync(raw, { maxOutputLength: Math.max(1, Math.min(entry.size, budget)) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      return fail(`inflates beyond the ${entry.size} bytes it declares; refused (a zip bomb?)`);
    return fail(`cannot be decompressed (${(err as Error).message})`);
  }
  if (out.length !== entry.size) fail(`inflates to ${out.length} bytes, not ${entry.size}`);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}
