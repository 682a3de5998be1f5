import { fromFloat16Bytes, fromFloat32Bytes } from './float16';
import { refused } from './refusal';

/** A layer parameter: a number, or an array for the negative "-233xx" keys. */
export type NcnnParam = number | number[];

export interface NcnnLayer {
  type: string;
  name: string;
  inputs: string[];
  outputs: string[];
  params: Map<number, NcnnParam>;
  /** Weights read from the .bin, by role: `weight`, `bias`, `slope`. */
  blobs: Map<string, Float32Array>;
}

const MAGIC = 7767517;
const TAG_FP16 = 0x01306b47;
const TAG_INT8 = 0x000d4b38;
const TAG_FP32_EXTRA = 0x0002c056;

function parseValue(text: string): number {
  const v = Number(text);
  if (!Number.isFinite(v)) throw new Error(`bad number "${text}"`);
  return v;
}

/** Parses an ncnn .param text file into layers (weights not yet loaded). */
export function parseNcnnParam(text: string, label = 'ncnn param'): NcnnLayer[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (Number(lines[0]?.trim()) !== MAGIC) {
    throw refused('modelFiles.ncnnNotParam', { file: label, magic: String(MAGIC) });
  }
  const [layerCount] = (lines[1] ?? '').trim().split(/\s+/).map(Number);
  if (!Number.isInteger(layerCount) || layerCount <= 0)
    throw new Error(`${label}: bad layer count line`);
  if (lines.length - 2 < layerCount) {
    throw new Error(`${label}: declares ${layerCount} layers but has ${lines.length - 2}`);
  }
  const layers: NcnnLayer[] = [];
  for (let i = 0; i < layerCount; i++) {
    const tok = lines[2 + i].trim().split(/\s+/);
    const [type, name] = tok;
    const nIn = Number(tok[2]);
    const nOut = Number(tok[3]);
    if (
      !type ||
      !name ||
      !Number.isInteger(nIn) ||
      !Number.isInteger(nOut) ||
      tok.length < 4 + nIn + nOut
    ) {
      throw new Error(`${label}: malformed layer line ${i + 3}: "${lines[2 + i]}"`);
    }
    const params = new Map<number, NcnnParam>();
    for (const kv of tok.slice(4 + nIn + nOut)) {
      const eq = kv.indexOf('=');
      if (eq < 0) throw new Error(`${label}: layer ${name}: bad parameter "${kv}"`);
      const key = Number(kv.slice(0, eq));
      const value = kv.slice(eq + 1);
      try {
        if (key <= -23300) {
          const [count, ...items] = value.split(',');
          const arr = items.map(parseValue);
          if (arr.length !== Number(count)) throw new Error(`array count ${count} ≠ ${arr.length}`);
          params.set(-23300 - key, arr);
        } else {
          params.set(key, parseValue(value));
        }
      } catch (e) {
        throw new Error(`${label}: layer ${name}: parameter ${kv}: ${(e as Error).message}`, {
          cause: e,
        });
      }
    }
    layers.push({
      type,
      name,
      inputs: tok.slice(4, 4 + nIn),
      outputs: tok.slice(4 + nIn, 4 + nIn + nOut),
      params,
      blobs: new Map(),
    });
  }
  return layers;
}

/** Reads a number parameter with a default, refusing arrays. */
export function intParam(layer: NcnnLayer, key: number, fallback: number): number {
  const v = layer.params.get(key);
  if (v === undefined) return fallback;
  if (Array.isArray(v)) throw new Error(`layer ${layer.name}: parameter ${key} should be a number`);
  return v;
}

class BinCursor {
  pos = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly label: string,
  ) {}

  take(n: number, what: string): Uint8Array {
    if (this.pos + n > this.bytes.length) {
      throw new Error(
        `${this.label}: file ends inside ${what} (needs ${n} bytes at offset ${this.pos})`,
      );
    }
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** ncnn's "type 0" load: a 4-byte storage tag, then fp16, fp32 or an 8-bit quantised table. */
  tagged(count: number, what: string): Float32Array {
    const tagBytes = this.take(4, what);
    const tag = new DataView(tagBytes.buffer, tagBytes.byteOffset, 4).getUint32(0, true);
    if (tag === TAG_FP16) {
      const data = fromFloat16Bytes(this.take(count * 2, what));
      this.take((4 - ((count * 2) % 4)) % 4, what);
      return data;
    }
    if (tag === TAG_INT8) throw refused('modelFiles.ncnnInt8', { file: this.label, what });
    if (tag === 0 || tag === TAG_FP32_EXTRA) return fromFloat32Bytes(this.take(count * 4, what));
    const table = fromFloat32Bytes(this.take(256 * 4, what));
    const idx = this.take(count, what);
    this.take((4 - (count % 4)) % 4, what);
    return Float32Array.from(idx, (i) => table[i]);
  }

  raw(count: number, what: string): Float32Array {
    return fromFloat32Bytes(this.take(count * 4, what));
  }
}

/** Loads each layer's weights from the .bin in layer order; unknown weighted layers are refused. */
export function loadNcnnWeights(layers: NcnnLayer[], bin: Uint8Array, label = 'ncnn bin'): void {
  const cur = new BinCursor(bin, label);
  for (const layer of layers) {
    switch (layer.type) {
      case 'Convolution': {
        const size = intParam(layer, 6, 0);
        const out = intParam(layer, 0, 0);
        if (size <= 0 || out <= 0)
          throw new Error(`${label}: layer ${layer.name} has no weight size`);
        layer.blobs.set('weight', cur.tagged(size, `${layer.name} weights`));
        if (intParam(layer, 5, 0)) layer.blobs.set('bias', cur.raw(out, `${layer.name} bias`));
        break;
      }
      case 'PReLU':
        layer.blobs.set('slope', cur.raw(intParam(layer, 0, 1), `${layer.name} slopes`));
        break;
      case 'Input':
      case 'Split':
      case 'Concat':
      case 'Eltwise':
      case 'BinaryOp':
      case 'Interp':
      case 'PixelShuffle':
      case 'ReLU':
      case 'Sigmoid':
        break;
      default:
        throw new Error(
          `${label}: layer ${layer.name} has type ${layer.type}, which Upres cannot import`,
        );
    }
  }
  if (cur.pos !== bin.length) {
    throw new Error(
      `${label}: ${bin.length - cur.pos} bytes left over after the last layer (param/bin mismatch?)`,
    );
  }
}
