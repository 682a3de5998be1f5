import type { FileHandle } from 'node:fs/promises';

// Camera raw files hold the sensor's mosaic, not a picture: making one takes demosaicing, white
// balance and a colour transform (what a raw editor does). Most are TIFF containers, so libvips
// would open them and return an embedded preview or the undeveloped mosaic — a wrong picture with
// no error. Upres refuses them, by extension and by content, before any decoder sees them.

/** Raw extensions of the cameras in use (Adobe DNG, Canon, Nikon, Sony, Fujifilm, …). */
export const RAW_EXTENSIONS = new Set([
  '3fr',
  'ari',
  'arw',
  'bay',
  'cr2',
  'cr3',
  'crw',
  'dcr',
  'dng',
  'erf',
  'fff',
  'iiq',
  'k25',
  'kdc',
  'mef',
  'mos',
  'mrw',
  'nef',
  'nrw',
  'orf',
  'pef',
  'raf',
  'raw',
  'rw2',
  'rwl',
  'sr2',
  'srf',
  'srw',
  'x3f',
]);

const DNG_VERSION = 50706;
const CFA_PATTERN = 33422;

/** The raw format the first bytes of a file show, if any (signatures documented by LibRaw/ExifTool). */
function rawBySignature(head: Buffer): string | undefined {
  const s = (a: number, b: number) => head.toString('latin1', a, b);
  if (s(0, 15) === 'FUJIFILMCCD-RAW') return 'Fujifilm RAF';
  if (s(4, 8) === 'ftyp' && s(8, 12) === 'crx ') return 'Canon CR3';
  if (s(0, 2) === 'II' && s(8, 10) === 'CR' && head[10] === 2) return 'Canon CR2';
  if (s(0, 2) === 'II' && s(6, 14) === 'HEAPCCDR') return 'Canon CRW';
  if (s(0, 4) === 'IIRO' || s(0, 4) === 'IIRS' || s(0, 4) === 'MMOR') return 'Olympus ORF';
  if (s(0, 4) === 'IIU\0') return 'Panasonic RW2';
  if (s(0, 4) === 'FOVb') return 'Sigma X3F';
  if (s(0, 4) === '\0MRM') return 'Minolta MRW';
  return undefined;
}

/** True when a TIFF's first directory has a tag that only raw files carry (DNG version, CFA). */
async function tiffIsRaw(fh: FileHandle, head: Buffer, size: number): Promise<boolean> {
  const le = head.toString('latin1', 0, 2) === 'II';
  if (!le && head.toString('latin1', 0, 2) !== 'MM') return false;
  const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  if (u16(head, 2) !== 42) return false;
  const ifd = u32(head, 4);
  if (ifd + 2 > size) return false;
  const n = Buffer.alloc(2);
  await fh.read(n, 0, 2, ifd);
  const count = Math.min(u16(n, 0), 1000);
  const table = Buffer.alloc(count * 12);
  const { bytesRead } = await fh.read(table, 0, table.length, ifd + 2);
  for (let i = 0; i + 12 <= bytesRead; i += 12) {
    const tag = u16(table, i);
    if (tag === DNG_VERSION || tag === CFA_PATTERN) return true;
  }
  return false;
}

/** A camera raw format known by its content ("Canon CR3"), or only by the file's extension. */
export type RawKind = { name: string } | { ext: string };

/**
 * The kind of camera raw file `path` (open as `fh`) is, by its extension or its content, or
 * undefined for anything else.
 */
export async function cameraRawKind(
  fh: FileHandle,
  path: string,
  size: number,
): Promise<RawKind | undefined> {
  const ext = path.toLowerCase().split('.').pop() ?? '';
  const head = Buffer.alloc(16);
  await fh.read(head, 0, 16, 0);
  const bySignature = rawBySignature(head);
  if (bySignature) return { name: bySignature };
  if (await tiffIsRaw(fh, head, size)) return { name: 'DNG' };
  return RAW_EXTENSIONS.has(ext) ? { ext } : undefined;
}
