// A saved optimised graph loads ~4× faster once its `input` declares no shape. The reason is in
// onnxruntime's allocation planner: for every value it scans the list of freed buffers for one of
// the same shape, and a value whose shape is known only in part (x4plus: [1, 64, ?, ?] after the
// first conv) never matches, so the list grows with the graph and the scan costs O(values²),
// each step a type lookup by string (~1 s for x4plus's 1,400 nodes). Without an input shape no
// value downstream has one, the planner skips the scan, and it reaches the plan it reached
// before: a partly unknown shape never matched anything. The kernels take their shapes from the
// tensors at run time, so the output is the same bit for bit (tests/engine/runtime check it).
//
// The edit is made on the protobuf wire format, field by field: every other byte of the file
// onnxruntime wrote stays as it was (a decode and re-encode through a schema would drop or
// re-encode fields that schema does not know).

/** A field of a protobuf message: where it lies, and its payload for length-delimited fields. */
interface WireField {
  no: number;
  wire: number;
  start: number;
  end: number;
  payloadStart: number;
}

function readVarint(buf: Uint8Array, pos: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  for (let i = pos; i < buf.length; i++) {
    const b = buf[i];
    value += (b & 0x7f) * scale;
    if (b < 0x80) return [value, i + 1];
    scale *= 128;
    if (i - pos > 9) break;
  }
  throw new Error('malformed protobuf: bad varint');
}

function writeVarint(value: number): Uint8Array {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Uint8Array.from(out);
}

/** The top-level fields of one message. */
function wireFields(buf: Uint8Array): WireField[] {
  const fields: WireField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    const [tag, afterTag] = readVarint(buf, pos);
    const no = Math.floor(tag / 8);
    const wire = tag % 8;
    let payloadStart = afterTag;
    let end: number;
    if (wire === 0) end = readVarint(buf, afterTag)[1];
    else if (wire === 1) end = afterTag + 8;
    else if (wire === 5) end = afterTag + 4;
    else if (wire === 2) {
      const [len, afterLen] = readVarint(buf, afterTag);
      payloadStart = afterLen;
      end = afterLen + len;
    } else throw new Error(`malformed protobuf: wire type ${wire}`);
    if (end > buf.length) throw new Error('malformed protobuf: a field runs past the end');
    fields.push({ no, wire, start, end, payloadStart });
    pos = end;
  }
  return fields;
}

/**
 * The message with some length-delimited fields replaced: `edit` returns the field's new payload,
 * `null` to drop the field, or `undefined` to keep its bytes as they are.
 */
function editMessage(
  buf: Uint8Array,
  edit: (no: number, payload: Uint8Array) => Uint8Array | null | undefined,
): { bytes: Uint8Array; changed: boolean } {
  const parts: Uint8Array[] = [];
  let changed = false;
  for (const f of wireFields(buf)) {
    const raw = buf.subarray(f.start, f.end);
    const next = f.wire === 2 ? edit(f.no, buf.subarray(f.payloadStart, f.end)) : undefined;
    if (next === undefined) {
      parts.push(raw);
      continue;
    }
    changed = true;
    if (next === null) continue;
    parts.push(writeVarint(f.no * 8 + 2), writeVarint(next.length), next);
  }
  if (!changed) return { bytes: buf, changed };
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { bytes, changed };
}

// Field numbers from onnx.proto.
const MODEL_GRAPH = 7;
const GRAPH_INPUT = 11;
const VALUE_INFO_NAME = 1;
const VALUE_INFO_TYPE = 2;
const TYPE_TENSOR = 1;
const TENSOR_SHAPE = 2;

function valueName(valueInfo: Uint8Array): string | undefined {
  const f = wireFields(valueInfo).find((x) => x.no === VALUE_INFO_NAME && x.wire === 2);
  return f && new TextDecoder().decode(valueInfo.subarray(f.payloadStart, f.end));
}

/**
 * The model with the shape of its graph input `name` removed (its element type kept); the bytes
 * as they were when that input has no shape or does not exist. Throws on bytes that are not a
 * protobuf message.
 */
export function dropInputShape(model: Uint8Array, name = 'input'): Uint8Array {
  const noShape = (tensor: Uint8Array) =>
    editMessage(tensor, (no) => (no === TENSOR_SHAPE ? null : undefined));
  const { bytes } = editMessage(model, (no, graph) => {
    if (no !== MODEL_GRAPH) return undefined;
    const g = editMessage(graph, (gno, valueInfo) => {
      if (gno !== GRAPH_INPUT || valueName(valueInfo) !== name) return undefined;
      const v = editMessage(valueInfo, (vno, type) => {
        if (vno !== VALUE_INFO_TYPE) return undefined;
        const t = editMessage(type, (tno, tensor) => {
          if (tno !== TYPE_TENSOR) return undefined;
          const s = noShape(tensor);
          return s.changed ? s.bytes : undefined;
        });
        return t.changed ? t.bytes : undefined;
      });
      return v.changed ? v.bytes : undefined;
    });
    return g.changed ? g.bytes : undefined;
  });
  return bytes;
}
