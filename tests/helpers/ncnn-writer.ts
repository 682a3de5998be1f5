// Writes ncnn .param/.bin pairs for tiny models, laid out the way ncnn's ONNX converter lays out
// Real-ESRGAN's graphs (fused LeakyReLU, Eltwise residuals with coefficients, Split fan-out).
import type { RrdbNetSpec, SrvggSpec } from '../../src/shared/architecture';
import type { StateDict } from '../../src/main/engine/models/state-dict';
import { toFloat16Bytes } from '../../src/main/engine/models/float16';

export type NcnnStorage = 'fp32' | 'fp16';

class NcnnWriter {
  lines: string[] = [];
  chunks: Buffer[] = [];
  blobs = 0;
  private n = 0;
  constructor(private readonly storage: NcnnStorage) {}

  blob(): string {
    this.blobs++;
    return `b${this.n++}`;
  }

  layer(type: string, inputs: string[], params: string, outputs = [this.blob()]): string[] {
    this.lines.push(
      `${type} l${this.lines.length} ${inputs.length} ${outputs.length} ${[...inputs, ...outputs].join(' ')} ${params}`.trim(),
    );
    return outputs;
  }

  conv(x: string, w: StateDict, name: string, lrelu: boolean): string {
    const weight = w.get(`${name}.weight`)!;
    const bias = w.get(`${name}.bias`)!;
    const act = lrelu ? ' 9=2 -23310=1,2.000000e-01' : '';
    const out = this.layer(
      'Convolution',
      [x],
      `0=${bias.length} 1=3 4=1 5=1 6=${weight.length}${act}`,
    )[0];
    if (this.storage === 'fp16') {
      const tag = Buffer.alloc(4);
      tag.writeUInt32LE(0x01306b47);
      const data = Buffer.from(toFloat16Bytes(weight));
      this.chunks.push(tag, data, Buffer.alloc((4 - (data.length % 4)) % 4));
    } else {
      this.chunks.push(Buffer.alloc(4), Buffer.from(weight.buffer.slice(0)));
    }
    this.chunks.push(Buffer.from(bias.buffer.slice(0)));
    return out;
  }

  /** Fans a blob out to n consumers, as ncnn's Split does. */
  split(x: string, n: number): string[] {
    if (n === 1) return [x];
    return this.layer(
      'Split',
      [x],
      '',
      Array.from({ length: n }, () => this.blob()),
    );
  }

  finish(): { param: string; bin: Buffer } {
    const head = `7767517\n${this.lines.length} ${this.blobs}\n`;
    return { param: head + this.lines.join('\n') + '\n', bin: Buffer.concat(this.chunks) };
  }
}

export function writeNcnnRrdb(spec: RrdbNetSpec, w: StateDict, storage: NcnnStorage) {
  const g = new NcnnWriter(storage);
  const [data] = g.layer('Input', [], '0=0', ['data']);
  g.blobs++;
  const first = g.conv(data, w, 'conv_first', false);
  const [keepFirst, firstTrunk] = g.split(first, 2);
  let trunk = firstTrunk;
  for (let b = 0; b < spec.blocks; b++) {
    const [rrdbIn, rrdbY] = g.split(trunk, 2);
    let y = rrdbY;
    for (let r = 1; r <= 3; r++) {
      const p = `body.${b}.rdb${r}`;
      const [res, ...xs] = g.split(y, 2);
      let feats = [xs[0]];
      for (let c = 1; c <= 4; c++) {
        const inp = feats.length === 1 ? feats[0] : g.layer('Concat', feats, '0=0')[0];
        const copies = feats.length === 1 ? g.split(inp, 1) : [inp];
        const out = g.conv(copies[0], w, `${p}.conv${c}`, true);
        feats = [...feats, out];
      }
      const x5 = g.conv(g.layer('Concat', feats, '0=0')[0], w, `${p}.conv5`, false);
      y = g.layer('Eltwise', [x5, res], '0=1 -23301=2,2.000000e-01,1.000000e+00')[0];
    }
    trunk = g.layer('Eltwise', [y, rrdbIn], '0=1 -23301=2,2.000000e-01,1.000000e+00')[0];
  }
  let feat = g.layer('BinaryOp', [keepFirst, g.conv(trunk, w, 'conv_body', false)], '0=0')[0];
  for (let s = 1; s <= (spec.scale === 8 ? 3 : 2); s++) {
    feat = g.conv(
      g.layer('Interp', [feat], '0=1 1=2.000000e+00 2=2.000000e+00')[0],
      w,
      `conv_up${s}`,
      true,
    );
  }
  g.conv(g.conv(feat, w, 'conv_hr', true), w, 'conv_last', false);
  return g.finish();
}

export function writeNcnnSrvgg(spec: SrvggSpec, w: StateDict, storage: NcnnStorage) {
  const g = new NcnnWriter(storage);
  const [data] = g.layer('Input', [], '0=0', ['data']);
  g.blobs++;
  const [a, b] = g.split(data, 2);
  const prelu = (x: string, idx: number): string => {
    const slope = w.get(`body.${idx}.weight`)!;
    g.chunks.push(Buffer.from(slope.buffer.slice(0)));
    return g.layer('PReLU', [x], `0=${slope.length}`)[0];
  };
  let x = prelu(g.conv(b, w, 'body.0', false), 1);
  for (let i = 0; i < spec.convs; i++)
    x = prelu(g.conv(x, w, `body.${2 + 2 * i}`, false), 3 + 2 * i);
  const last = g.conv(x, w, `body.${2 + 2 * spec.convs}`, false);
  const shuffled = g.layer('PixelShuffle', [last], `0=${spec.scale}`)[0];
  const up = g.layer('Interp', [a], `0=1 1=${spec.scale}.0 2=${spec.scale}.0`)[0];
  g.layer('BinaryOp', [shuffled, up], '0=0', ['output']);
  return g.finish();
}
