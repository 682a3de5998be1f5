// Gives a HEIF file an 'irot' (rotation) property on its primary image, as an iPhone writes one for
// a photo taken in portrait: Debian 12's heif-enc (libheif 1.15) leaves a JPEG's EXIF orientation
// in the EXIF only. Written for heif-enc's layout (ftyp, meta, mdat; iloc offsets from the file's
// start), independently of the engine's own box code; `heif-info` checks the result in the test.

const u32 = (b: Buffer, o: number) => b.readUInt32BE(o);

function children(
  b: Buffer,
  from: number,
  to: number,
): { type: string; start: number; end: number }[] {
  const out = [];
  for (let o = from; o < to;) {
    const size = u32(b, o);
    out.push({ type: b.toString('latin1', o + 4, o + 8), start: o, end: o + size });
    o += size;
  }
  return out;
}

/** `heif` with an irot of `angle` × 90° anticlockwise on its primary item (sizes and offsets fixed). */
export function withIrot(heif: Buffer, angle: 1 | 2 | 3): Buffer {
  const b = Buffer.from(heif);
  const top = children(b, 0, b.length);
  const meta = top.find((x) => x.type === 'meta')!;
  const kids = children(b, meta.start + 12, meta.end);
  const pitm = kids.find((x) => x.type === 'pitm')!;
  const primary =
    b[pitm.start + 8] === 0 ? b.readUInt16BE(pitm.start + 12) : u32(b, pitm.start + 12);
  const iprp = kids.find((x) => x.type === 'iprp')!;
  const [ipco, ipma] = ['ipco', 'ipma'].map((t) =>
    children(b, iprp.start + 8, iprp.end).find((x) => x.type === t)!,
  );
  const propCount = children(b, ipco.start + 8, ipco.end).length;
  const irot = Buffer.from([0, 0, 0, 9, 0x69, 0x72, 0x6f, 0x74, angle]);
  // ipma: version 0, 1-byte associations; the primary's entry gains one (index propCount + 1).
  const flags = u32(b, ipma.start + 8);
  if (flags >>> 24 !== 0 || (flags & 1) !== 0) throw new Error('ipma layout not handled');
  let o = ipma.start + 16;
  let insertAt = -1;
  for (let i = 0, n = u32(b, ipma.start + 12); i < n; i++) {
    const id = b.readUInt16BE(o);
    const count = b[o + 2];
    if (id === primary) {
      b[o + 2] = count + 1;
      insertAt = o + 3 + count;
    }
    o += 3 + count;
  }
  if (insertAt < 0) throw new Error('primary item has no properties');
  const grow = irot.length + 1;
  const out = Buffer.concat([
    b.subarray(0, ipco.end),
    irot,
    b.subarray(ipco.end, insertAt),
    Buffer.from([propCount + 1]),
    b.subarray(insertAt),
  ]);
  // Box sizes: meta, iprp, ipco (+9 for irot), ipma (+1).
  const bump = (at: number, by: number) => out.writeUInt32BE(out.readUInt32BE(at) + by, at);
  bump(meta.start, grow);
  bump(iprp.start, grow);
  bump(ipco.start, irot.length);
  bump(ipma.start + irot.length, 1);
  // iloc (before iprp, so unmoved): every extent offset moves by `grow` (mdat follows meta).
  const iloc = kids.find((x) => x.type === 'iloc')!;
  if (iloc.start > iprp.start) throw new Error('iloc after iprp not handled');
  const version = out[iloc.start + 8];
  const offSize = out[iloc.start + 12] >> 4;
  const lenSize = out[iloc.start + 12] & 15;
  const baseSize = out[iloc.start + 13] >> 4;
  if (offSize !== 4 || (baseSize !== 0 && baseSize !== 4) || version > 1)
    throw new Error('iloc layout not handled');
  let p = iloc.start + 14;
  const items = out.readUInt16BE(p);
  p += 2;
  for (let i = 0; i < items; i++) {
    p += 2; // item id
    const method = version === 1 ? out.readUInt16BE(p) & 15 : 0;
    if (version === 1) p += 2;
    p += 2; // data reference index
    // The base offset moves if there is one; else each extent's offset.
    if (baseSize === 4 && method === 0) bump(p, grow);
    p += baseSize;
    const extents = out.readUInt16BE(p);
    p += 2;
    for (let e = 0; e < extents; e++) {
      if (baseSize === 0 && method === 0) bump(p, grow);
      p += offSize + lenSize;
    }
  }
  return out;
}
