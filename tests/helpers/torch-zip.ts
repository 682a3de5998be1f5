// Hand-written torch.save zip checkpoints, for tests of what a crafted archive can claim: a
// pickle of one float32 tensor `w` over storage "0", and a minimal zip writer around it.
import { constants, crc32, deflateRawSync } from 'node:zlib';

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const str = (s: string) => Buffer.concat([Buffer.from('X'), u32(s.length), Buffer.from(s)]);

/** `{'w': tensor of `numel` float32 over storage '0' (numel elements)}`, pickle protocol 2. */
export function oneTensorPickle(numel: number): Buffer {
  if (numel > 255) throw new Error('numel must fit BININT1');
  return Buffer.concat([
    Buffer.from([0x80, 2]),
    Buffer.from('}'),
    str('w'),
    Buffer.from('ctorch._utils\n_rebuild_tensor_v2\n((', 'latin1'),
    str('storage'),
    Buffer.from('ctorch\nFloatStorage\n', 'latin1'),
    str('0'),
    str('cpu'),
    Buffer.from([0x4b, numel]), // BININT1
    Buffer.from('tQ', 'latin1'), // TUPLE, BINPERSID
    Buffer.from([0x4b, 0, 0x4b, numel, 0x85, 0x4b, 1, 0x85, 0x89]), // 0, (n,), (1,), False
    Buffer.from('ccollections\nOrderedDict\n)RtRs.', 'latin1'),
  ]);
}

export interface ZipRecord {
  name: string;
  /** Stored (method 0) bytes, or a raw deflate stream (method 8) with its declared size. */
  data: Buffer;
  deflated?: { size: number };
}

/** A zip archive of the records, in order, with a central directory (no zip64). */
export function writeZip(records: ZipRecord[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const r of records) {
    const name = Buffer.from(r.name, 'utf8');
    const method = r.deflated ? 8 : 0;
    const size = r.deflated ? r.deflated.size : r.data.length;
    const crc = r.deflated ? 0 : crc32(r.data) >>> 0;
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(20, 4);
    head.writeUInt16LE(method, 8);
    head.writeUInt32LE(crc, 14);
    head.writeUInt32LE(r.data.length, 18);
    head.writeUInt32LE(size, 22);
    head.writeUInt16LE(name.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(method, 10);
    dir.writeUInt32LE(crc, 16);
    dir.writeUInt32LE(r.data.length, 20);
    dir.writeUInt32LE(size, 24);
    dir.writeUInt16LE(name.length, 28);
    dir.writeUInt32LE(offset, 42);
    locals.push(head, name, r.data);
    central.push(dir, name);
    offset += head.length + name.length + r.data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(records.length, 8);
  end.writeUInt16LE(records.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const CHUNK = 16 * 1024 ** 2;

/**
 * A raw deflate stream of `chunks` × 16 MiB of zeros, built without compressing them all: the
 * first chunk is deflated with a sync flush (byte-aligned, not final), the next ones with a
 * preset dictionary of zeros, which is exactly the window the decoder holds after zeros, and an
 * empty final block ends it. About 1/1028 of the size it inflates to.
 */
export function zerosDeflateStream(chunks: number): Buffer {
  const zero = Buffer.alloc(CHUNK);
  const opt = { level: 9, finishFlush: constants.Z_SYNC_FLUSH };
  const first = deflateRawSync(zero, opt);
  const next = deflateRawSync(zero, { ...opt, dictionary: Buffer.alloc(32 * 1024) });
  return Buffer.concat([first, ...Array<Buffer>(chunks - 1).fill(next), Buffer.from([3, 0])]);
}

/** Bytes `zerosDeflateStream(chunks)` inflates to. */
export const zerosSize = (chunks: number) => chunks * CHUNK;

/** A one-tensor zip checkpoint whose storage record is `data` (stored, or deflated). */
export function oneTensorCheckpoint(
  numel: number,
  data: ZipRecord['data'],
  deflated?: { size: number },
): Buffer {
  return writeZip([
    { name: 'archive/data.pkl', data: oneTensorPickle(numel) },
    { name: 'archive/data/0', data, deflated },
  ]);
}
