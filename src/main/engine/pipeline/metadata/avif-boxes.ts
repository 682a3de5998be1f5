import { BIG_ENDIAN as BE, u32be } from './bytes';
import type { ImageMetadata } from './image-metadata';

// An AVIF (HEIF) file is a tree of ISO-BMFF boxes: the 'meta' box lists the items (the image, its
// alpha plane, EXIF, XMP), where their bytes lie ('iloc') and their properties ('iprp': size,
// codec configuration, colour). libheif builds the whole file in memory, and sharp can attach no
// EXIF or ICC profile of ours to it without converting pixels, so the encoded file is rebuilt here
// with the metadata items and a 'colr' ICC property added, every item's bytes moved into one
// 'mdat' after the new 'meta'.

interface Box {
  type: string;
  /** The whole box, header included. */
  bytes: Buffer;
  /** Where its payload starts inside `bytes`. */
  body: number;
}

function boxes(b: Buffer, from = 0, to = b.length): Box[] {
  const out: Box[] = [];
  for (let o = from; o + 8 <= to;) {
    let size = BE.u32(b, o);
    let head = 8;
    if (size === 1) {
      size = Number(b.readBigUInt64BE(o + 8));
      head = 16;
    } else if (size === 0) size = to - o;
    if (size < head || o + size > to) throw new Error('damaged box structure');
    out.push({
      type: b.toString('latin1', o + 4, o + 8),
      bytes: b.subarray(o, o + size),
      body: head,
    });
    o += size;
  }
  return out;
}

function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  return Buffer.concat([u32be(8 + body.length), Buffer.from(type, 'latin1'), body]);
}

function fullBox(type: string, version: number, flags: number, ...payload: Buffer[]): Buffer {
  return box(type, u32be(((version & 0xff) << 24) | (flags & 0xffffff)), ...payload);
}

const u16 = (v: number) => Buffer.from([v >> 8, v & 255]);

/** Reads an unsigned number of `n` bytes (0, 4 or 8). */
function uint(b: Buffer, o: number, n: number): number {
  return n === 0
    ? 0
    : n === 4
      ? BE.u32(b, o)
      : n === 8
        ? Number(b.readBigUInt64BE(o))
        : BE.u16(b, o);
}

interface Item {
  id: number;
  method: number;
  /** Method 0: the item's bytes; method 1: extents inside 'idat', kept as they are. */
  data?: Buffer;
  extents?: [number, number][];
}

function parseIloc(b: Box): Item[] {
  const p = b.bytes.subarray(b.body);
  const version = p[0];
  const offSize = p[4] >> 4;
  const lenSize = p[4] & 15;
  const baseSize = p[5] >> 4;
  const idxSize = version >= 1 ? p[5] & 15 : 0;
  let o = 6;
  const count = version < 2 ? BE.u16(p, o) : BE.u32(p, o);
  o += version < 2 ? 2 : 4;
  const items: { id: number; method: number; base: number; ext: [number, number][] }[] = [];
  for (let i = 0; i < count; i++) {
    const id = version < 2 ? BE.u16(p, o) : BE.u32(p, o);
    o += version < 2 ? 2 : 4;
    let method = 0;
    if (version >= 1) {
      method = BE.u16(p, o) & 15;
      o += 2;
    }
    o += 2; // data_reference_index
    const base = uint(p, o, baseSize);
    o += baseSize;
    const n = BE.u16(p, o);
    o += 2;
    const ext: [number, number][] = [];
    for (let k = 0; k < n; k++) {
      o += idxSize;
      const off = uint(p, o, offSize);
      o += offSize;
      const len = uint(p, o, lenSize);
      o += lenSize;
      ext.push([base + off, len]);
    }
    items.push({ id, method, base, ext });
  }
  return items.map((i) => ({ id: i.id, method: i.method, extents: i.ext }));
}

/** An 'iloc' (version 1, 4-byte offsets and lengths) for items laid out from `mdatData`. */
function writeIloc(items: Item[], mdatData: number): Buffer {
  const parts: Buffer[] = [Buffer.from([0x44, 0x00]), u16(items.length)];
  let at = mdatData;
  for (const it of items) {
    parts.push(u16(it.id), u16(it.method), u16(0));
    const ext = it.method === 0 ? [[at, it.data!.length] as [number, number]] : it.extents!;
    if (it.method === 0) at += it.data!.length;
    parts.push(u16(ext.length));
    for (const [off, len] of ext) {
      if (off > 0xffffffff || len > 0xffffffff) throw new Error('AVIF over 4 GB');
      parts.push(u32be(off), u32be(len));
    }
  }
  return fullBox('iloc', 1, 0, ...parts);
}

function infe(id: number, type: string, contentType?: string): Buffer {
  const parts = [u16(id), u16(0), Buffer.from(type, 'latin1'), Buffer.alloc(1)];
  if (contentType) parts.push(Buffer.from(`${contentType}\0`, 'latin1'));
  // item_name is the empty string (the NUL above).
  return fullBox('infe', 2, 0, ...parts);
}

/** The item type each 'infe' of an 'iinf' declares, by item id. */
function itemTypes(iinf: Box): { count: number; entries: Box[]; types: Map<number, string> } {
  const p = iinf.bytes.subarray(iinf.body);
  const head = p[0] === 0 ? 6 : 8;
  const entries = boxes(p, head);
  const types = new Map<number, string>();
  for (const e of entries) {
    const q = e.bytes.subarray(e.body);
    if (q[0] < 2) continue;
    const id = q[0] === 2 ? BE.u16(q, 4) : BE.u32(q, 4);
    const at = q[0] === 2 ? 8 : 10;
    let type = q.toString('latin1', at, at + 4);
    if (type === 'mime') {
      const end = q.indexOf(0, at + 5);
      if (q.toString('latin1', at + 5, end) === 'application/rdf+xml') type = 'xmp';
    }
    types.set(id, type);
  }
  return { count: entries.length, entries, types };
}

/** 'colr' with an ICC profile ('prof'). */
const colrProf = (icc: Buffer) => box('colr', Buffer.from('prof', 'latin1'), icc);

/**
 * Adds the colour property to ipco (before any other 'colr', where readers look first) and
 * associates it with the primary item; property indices after it move up by one.
 */
function withIcc(iprp: Box, primary: number, icc: Buffer): Buffer {
  const kids = boxes(iprp.bytes, iprp.body);
  const ipco = kids.find((k) => k.type === 'ipco');
  const ipma = kids.find((k) => k.type === 'ipma');
  if (!ipco || !ipma) throw new Error('no item properties');
  const all = boxes(ipco.bytes, ipco.body);
  const isIcc = (b: Box) =>
    b.type === 'colr' && ['prof', 'rICC'].includes(b.bytes.toString('latin1', b.body, b.body + 4));
  const kept = all.map((b, i) => ({ b, old: i + 1 })).filter((x) => !isIcc(x.b));
  let at = kept.findIndex((x) => x.b.type === 'colr');
  if (at < 0) at = kept.length;
  const newProps = [
    ...kept.slice(0, at).map((x) => x.b.bytes),
    colrProf(icc),
    ...kept.slice(at).map((x) => x.b.bytes),
  ];
  // Old 1-based index → new one (an ICC property the encoder wrote loses its associations).
  const map = new Map(kept.map((x, j) => [x.old, j < at ? j + 1 : j + 2]));
  const p = ipma.bytes.subarray(ipma.body);
  const version = p[0];
  const wide = (BE.u32(p, 0) & 1) === 1;
  let o = 4;
  const n = BE.u32(p, o);
  o += 4;
  const out: Buffer[] = [u32be(n)];
  for (let i = 0; i < n; i++) {
    const id = version < 1 ? BE.u16(p, o) : BE.u32(p, o);
    o += version < 1 ? 2 : 4;
    const c = p[o++];
    const assoc: [boolean, number][] = [];
    for (let j = 0; j < c; j++) {
      const v = wide ? BE.u16(p, o) : p[o];
      o += wide ? 2 : 1;
      const essential = wide ? (v & 0x8000) !== 0 : (v & 0x80) !== 0;
      const idx = map.get(wide ? v & 0x7fff : v & 0x7f);
      if (idx !== undefined) assoc.push([essential, idx]);
    }
    if (id === primary) assoc.push([false, at + 1]);
    out.push(version < 1 ? u16(id) : u32be(id), Buffer.from([assoc.length]));
    for (const [e, idx] of assoc) {
      if (!wide && idx > 127) throw new Error('too many item properties');
      out.push(wide ? u16((e ? 0x8000 : 0) | idx) : Buffer.from([(e ? 0x80 : 0) | idx]));
    }
  }
  const others = kids.filter((x) => x.type !== 'ipco' && x.type !== 'ipma').map((x) => x.bytes);
  return box(
    'iprp',
    box('ipco', ...newProps),
    fullBox('ipma', version, wide ? 1 : 0, ...out),
    ...others,
  );
}

/**
 * The AVIF `encoded` rebuilt with the EXIF (as an 'Exif' item), the XMP (a 'mime' item) and the ICC
 * profile (a 'colr' property of the primary image) of `md`, replacing any the encoder wrote. IPTC
 * has no place in HEIF and is left to the caller to note.
 */
export function avifWithMetadata(encoded: Buffer, md: ImageMetadata): Buffer {
  const top = boxes(encoded);
  const ftyp = top.find((b) => b.type === 'ftyp');
  const meta = top.find((b) => b.type === 'meta');
  if (!ftyp || !meta) throw new Error('the encoded AVIF has no ftyp or meta box');
  const kids = boxes(meta.bytes, meta.body + 4);
  const find = (t: string) => kids.find((k) => k.type === t);
  const pitm = find('pitm');
  const iloc = find('iloc');
  const iinf = find('iinf');
  const iprp = find('iprp');
  if (!pitm || !iloc || !iinf || !iprp)
    throw new Error('the encoded AVIF lacks pitm, iloc, iinf or iprp');
  const pp = pitm.bytes.subarray(pitm.body);
  const primary = pp[0] === 0 ? BE.u16(pp, 4) : BE.u32(pp, 4);
  const { entries, types } = itemTypes(iinf);
  const drop = new Set(
    [...types]
      .filter(([, t]) => (t === 'Exif' && md.exif) || (t === 'xmp' && md.xmp))
      .map(([id]) => id),
  );
  const items: Item[] = parseIloc(iloc)
    .filter((i) => !drop.has(i.id))
    .map((i) =>
      i.method === 0
        ? {
            id: i.id,
            method: 0,
            data: Buffer.concat(i.extents!.map(([off, len]) => encoded.subarray(off, off + len))),
          }
        : i,
    );
  if (items.some((i) => i.method > 1))
    throw new Error('the encoded AVIF refers to other items for data');
  let nextId = Math.max(primary, ...types.keys(), ...items.map((i) => i.id)) + 1;
  const newInfe: Buffer[] = [];
  const refs: Buffer[] = [];
  const add = (type: string, data: Buffer, content?: string) => {
    const id = nextId++;
    if (id > 0xffff) throw new Error('too many items');
    items.push({ id, method: 0, data });
    newInfe.push(infe(id, type, content));
    refs.push(box('cdsc', u16(id), u16(1), u16(primary)));
  };
  if (md.exif) add('Exif', Buffer.concat([u32be(0), md.exif]));
  if (md.xmp) add('mime', md.xmp, 'application/rdf+xml');
  const keptInfe = entries
    .filter((e) => {
      const q = e.bytes.subarray(e.body);
      return !drop.has(q[0] === 2 ? BE.u16(q, 4) : BE.u32(q, 4));
    })
    .map((e) => e.bytes);
  const allInfe = [...keptInfe, ...newInfe];
  const newIinf = fullBox('iinf', 0, 0, u16(allInfe.length), ...allInfe);
  const iref = find('iref');
  let newIref: Buffer | undefined;
  if (iref || refs.length) {
    const version = iref ? iref.bytes[iref.body] : 0;
    const old = iref
      ? boxes(iref.bytes, iref.body + 4).filter((r) => {
          if (r.type !== 'cdsc') return true;
          const q = r.bytes.subarray(r.body);
          return !drop.has(version === 0 ? BE.u16(q, 0) : BE.u32(q, 0));
        })
      : [];
    if (version !== 0 && refs.length) throw new Error('32-bit item references are not written');
    newIref = fullBox('iref', version, 0, ...old.map((r) => r.bytes), ...refs);
  }
  const newIprp = md.icc ? withIcc(iprp, primary, md.icc) : iprp.bytes;
  const build = (mdatData: number): Buffer => {
    const children: Buffer[] = [];
    for (const k of kids) {
      if (k.type === 'iloc') children.push(writeIloc(items, mdatData));
      else if (k.type === 'iinf') {
        children.push(newIinf);
        if (!iref && newIref) children.push(newIref);
      } else if (k.type === 'iref') children.push(newIref!);
      else if (k.type === 'iprp') children.push(newIprp);
      else children.push(k.bytes);
    }
    return box('meta', meta.bytes.subarray(meta.body, meta.body + 4), ...children);
  };
  const metaLen = build(0).length;
  const data = items.filter((i) => i.method === 0).map((i) => i.data!);
  const mdatStart = ftyp.bytes.length + metaLen;
  return Buffer.concat([ftyp.bytes, build(mdatStart + 8), box('mdat', ...data)]);
}
