import type { ArchitectureSpec, RrdbNetSpec, SrvggSpec } from '../../../shared/architecture';
import { architectureTensors, checkStateDict } from './architecture-tensors';
import { type StateDict } from './state-dict';
import { intParam, type NcnnLayer } from './ncnn-reader';

export interface ImportedModel {
  spec: ArchitectureSpec;
  weights: StateDict;
}

const LRELU = 2;

function convs(layers: NcnnLayer[]): NcnnLayer[] {
  return layers.filter((l) => l.type === 'Convolution');
}

function convShape(layer: NcnnLayer): [number, number, number] {
  const out = intParam(layer, 0, 0);
  const k = intParam(layer, 1, 1);
  if (intParam(layer, 11, k) !== k)
    throw new Error(`layer ${layer.name}: non-square kernels are not supported`);
  if (intParam(layer, 3, 1) !== 1 || intParam(layer, 2, 1) !== 1) {
    throw new Error(
      `layer ${layer.name}: strided or dilated convolutions are not part of this architecture`,
    );
  }
  if (intParam(layer, 4, 0) !== (k - 1) / 2)
    throw new Error(`layer ${layer.name}: padding is not "same"`);
  const inp = intParam(layer, 6, 0) / (out * k * k);
  if (!Number.isInteger(inp))
    throw new Error(`layer ${layer.name}: weight size does not divide into channels`);
  return [out, inp, k];
}

function activation(layer: NcnnLayer): { type: number; slope?: number } {
  const type = intParam(layer, 9, 0);
  const p = layer.params.get(10);
  return { type, slope: Array.isArray(p) ? p[0] : undefined };
}

function assignConvs(
  layers: NcnnLayer[],
  spec: ArchitectureSpec,
  lreluNames: Set<string>,
): StateDict {
  const expected = architectureTensors(spec).filter(
    (t) => t.name.endsWith('.weight') && t.shape.length === 4,
  );
  const found = convs(layers);
  if (found.length !== expected.length) {
    throw new Error(
      `expected ${expected.length} convolutions for ${spec.kind}, found ${found.length}`,
    );
  }
  const weights: StateDict = new Map();
  expected.forEach((t, i) => {
    const layer = found[i];
    const [out, inp, k] = convShape(layer);
    const base = t.name.slice(0, -'.weight'.length);
    if (out !== t.shape[0] || inp !== t.shape[1] || k !== t.shape[2]) {
      throw new Error(
        `layer ${layer.name} is ${out}×${inp}×${k}×${k}, expected ${base} [${t.shape.join('×')}]`,
      );
    }
    const act = activation(layer);
    const wantLrelu = lreluNames.has(base);
    if (
      wantLrelu !== (act.type === LRELU) ||
      (wantLrelu && Math.abs((act.slope ?? 0) - 0.2) > 1e-6)
    ) {
      throw new Error(
        `layer ${layer.name} (${base}) has activation ${act.type}, not what ${spec.kind} uses`,
      );
    }
    if (act.type !== 0 && act.type !== LRELU)
      throw new Error(`layer ${layer.name}: unsupported fused activation`);
    weights.set(t.name, layer.blobs.get('weight')!);
    const bias = layer.blobs.get('bias');
    if (!bias) throw new Error(`layer ${layer.name} has no bias`);
    weights.set(`${base}.bias`, bias);
  });
  return weights;
}

function importRrdb(layers: NcnnLayer[]): ImportedModel {
  const cs = convs(layers);
  const [features, inChannels] = convShape(cs[0]);
  const [growth] = convShape(cs[1]);
  const [outChannels] = convShape(cs[cs.length - 1]);
  const interps = layers.filter((l) => l.type === 'Interp');
  for (const l of interps) {
    const s = [l.params.get(1), l.params.get(2)];
    if (intParam(l, 0, 0) !== 1 || s[0] !== 2 || s[1] !== 2) {
      throw new Error(`layer ${l.name}: RRDBNet upsampling must be ×2 nearest`);
    }
  }
  const stages = interps.length;
  if (stages !== 2 && stages !== 3)
    throw new Error(`RRDBNet with ${stages} upsampling stages is not supported`);
  const blocks = (cs.length - 4 - stages) / 15;
  if (!Number.isInteger(blocks) || blocks < 1)
    throw new Error(`${cs.length} convolutions do not form RRDB blocks`);
  for (const l of layers.filter((x) => x.type === 'Eltwise')) {
    const c = l.params.get(1);
    if (intParam(l, 0, 1) !== 1 || !Array.isArray(c) || Math.abs(c[0] - 0.2) > 1e-6 || c[1] !== 1) {
      throw new Error(`layer ${l.name}: residual scaling differs from RRDBNet's 0.2`);
    }
  }
  if (layers.filter((x) => x.type === 'Eltwise').length !== 4 * blocks) {
    throw new Error('residual connections do not match the RRDB structure');
  }
  const spec: RrdbNetSpec = {
    kind: 'rrdbnet',
    inChannels,
    outChannels,
    features,
    blocks,
    growth,
    scale: stages === 3 ? 8 : 4,
  };
  const lrelu = new Set<string>(['conv_hr']);
  for (let s = 1; s <= stages; s++) lrelu.add(`conv_up${s}`);
  for (let b = 0; b < blocks; b++) {
    for (let r = 1; r <= 3; r++)
      for (let c = 1; c <= 4; c++) lrelu.add(`body.${b}.rdb${r}.conv${c}`);
  }
  return { spec, weights: assignConvs(layers, spec, lrelu) };
}

function importSrvgg(layers: NcnnLayer[]): ImportedModel {
  const cs = convs(layers);
  const prelus = layers.filter((l) => l.type === 'PReLU');
  const shuffle = layers.find((l) => l.type === 'PixelShuffle');
  const scale = shuffle ? intParam(shuffle, 0, 1) : 1;
  const [features, inChannels] = convShape(cs[0]);
  const [lastOut] = convShape(cs[cs.length - 1]);
  const spec: SrvggSpec = {
    kind: 'srvgg',
    inChannels,
    outChannels: lastOut / (scale * scale),
    features,
    convs: cs.length - 2,
    scale,
  };
  if (!Number.isInteger(spec.outChannels))
    throw new Error('last convolution does not match the pixel shuffle');
  if (prelus.length !== cs.length - 1)
    throw new Error(`expected ${cs.length - 1} PReLU layers, found ${prelus.length}`);
  const weights = assignConvs(layers, spec, new Set());
  prelus.forEach((p, i) => {
    const slope = p.blobs.get('slope')!;
    const name = `body.${1 + 2 * i}.weight`;
    if (slope.length !== features)
      throw new Error(`layer ${p.name}: ${slope.length} slopes, expected ${features}`);
    weights.set(name, slope);
  });
  return { spec, weights };
}

/** Recognises RRDBNet or SRVGGNetCompact in an ncnn graph and names its weights as BasicSR does. */
export function importNcnnModel(layers: NcnnLayer[]): ImportedModel {
  const types = new Set(layers.map((l) => l.type));
  let model: ImportedModel;
  if (types.has('Concat') && types.has('Eltwise')) model = importRrdb(layers);
  else if (types.has('PReLU')) model = importSrvgg(layers);
  else throw new Error('the ncnn graph is neither RRDBNet nor SRVGGNetCompact');
  checkStateDict(model.spec, model.weights);
  return model;
}
