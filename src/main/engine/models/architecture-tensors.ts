import type {
  ArchitectureSpec,
  EdsrSpec,
  RrdbNetSpec,
  SrResNetSpec,
  SrvggSpec,
} from '../../../shared/architecture';

/** One named weight tensor of a generator and its shape (PyTorch layout, OIHW for convolutions). */
export interface TensorSpec {
  name: string;
  shape: number[];
}

/** Weights of a model by tensor name, fp32. */
export type StateDict = Map<string, Float32Array>;

function conv(name: string, out: number, inp: number, k = 3): TensorSpec[] {
  return [
    { name: `${name}.weight`, shape: [out, inp, k, k] },
    { name: `${name}.bias`, shape: [out] },
  ];
}

/** Channels entering conv_first: RRDBNet x2 / x1 pixel-unshuffle the input by 2 / 4. */
export function rrdbUnshuffle(spec: RrdbNetSpec): number {
  return spec.unshuffle ?? (spec.scale === 2 ? 2 : spec.scale === 1 ? 4 : 1);
}

/** Number of ×2 nearest-upsample + conv stages. */
export function rrdbUpStages(spec: RrdbNetSpec): number {
  return spec.upStages ?? (spec.scale === 8 ? 3 : 2);
}

/** The pixel-shuffle factors of an upsampler for a scale: ×3 one ×3 stage, 2^n n ×2 stages. */
export function shuffleStages(scale: number): number[] {
  if (scale === 3) return [3];
  const out: number[] = [];
  for (let s = scale; s > 1; s /= 2) {
    if (s % 2 !== 0) throw new Error(`no pixel-shuffle upsampler for ×${scale}`);
    out.push(2);
  }
  return out;
}

function rrdbTensors(spec: RrdbNetSpec): TensorSpec[] {
  const { features: f, growth: g } = spec;
  const u = rrdbUnshuffle(spec);
  const out: TensorSpec[] = [...conv('conv_first', f, spec.inChannels * u * u)];
  for (let b = 0; b < spec.blocks; b++) {
    for (let r = 1; r <= 3; r++) {
      const p = `body.${b}.rdb${r}`;
      for (let c = 1; c <= 4; c++) out.push(...conv(`${p}.conv${c}`, g, f + (c - 1) * g));
      out.push(...conv(`${p}.conv5`, f, f + 4 * g));
    }
  }
  out.push(...conv('conv_body', f, f));
  for (let s = 1; s <= rrdbUpStages(spec); s++) out.push(...conv(`conv_up${s}`, f, f));
  out.push(...conv('conv_hr', f, f), ...conv('conv_last', spec.outChannels, f));
  return out;
}

function srvggTensors(spec: SrvggSpec): TensorSpec[] {
  const f = spec.features;
  const out: TensorSpec[] = [
    ...conv('body.0', f, spec.inChannels),
    { name: 'body.1.weight', shape: [f] },
  ];
  for (let i = 0; i < spec.convs; i++) {
    out.push(...conv(`body.${2 + 2 * i}`, f, f), { name: `body.${3 + 2 * i}.weight`, shape: [f] });
  }
  out.push(...conv(`body.${2 + 2 * spec.convs}`, spec.outChannels * spec.scale * spec.scale, f));
  return out;
}

function srresnetTensors(spec: SrResNetSpec): TensorSpec[] {
  const f = spec.features;
  const srgan = spec.variant === 'srgan';
  const k = srgan ? 9 : 3;
  const p = spec.preluChannels ?? 1;
  const prelu = (name: string): TensorSpec[] => (srgan ? [{ name, shape: [p] }] : []);
  const out: TensorSpec[] = [
    ...conv('conv_first', f, spec.inChannels, k),
    ...prelu('act_first.weight'),
  ];
  for (let b = 0; b < spec.blocks; b++) {
    out.push(
      ...conv(`body.${b}.conv1`, f, f),
      ...prelu(`body.${b}.act.weight`),
      ...conv(`body.${b}.conv2`, f, f),
    );
  }
  if (srgan) out.push(...conv('conv_body', f, f));
  shuffleStages(spec.scale).forEach((s, i) => {
    out.push(...conv(`upconv${i + 1}`, f * s * s, f), ...prelu(`up_act${i + 1}.weight`));
  });
  if (!srgan) out.push(...conv('conv_hr', f, f));
  out.push(...conv('conv_last', spec.outChannels, f, k));
  return out;
}

function edsrTensors(spec: EdsrSpec): TensorSpec[] {
  const f = spec.features;
  const out: TensorSpec[] = [
    ...conv('sub_mean', spec.inChannels, spec.inChannels, 1),
    ...conv('conv_first', f, spec.inChannels),
  ];
  for (let b = 0; b < spec.blocks; b++)
    out.push(...conv(`body.${b}.conv1`, f, f), ...conv(`body.${b}.conv2`, f, f));
  out.push(...conv('conv_after_body', f, f));
  shuffleStages(spec.scale).forEach((s, i) => out.push(...conv(`upsample.${2 * i}`, f * s * s, f)));
  out.push(
    ...conv('conv_last', spec.outChannels, f),
    ...conv('add_mean', spec.outChannels, spec.outChannels, 1),
  );
  return out;
}

/** The spec with every defaulted field written out, so equal networks compare equal. */
export function canonicalSpec(spec: ArchitectureSpec): ArchitectureSpec {
  switch (spec.kind) {
    case 'rrdbnet':
      return { ...spec, unshuffle: rrdbUnshuffle(spec) as 1 | 2 | 4, upStages: rrdbUpStages(spec) };
    case 'srresnet':
      return spec.variant === 'srgan' ? { ...spec, preluChannels: spec.preluChannels ?? 1 } : spec;
    case 'onnx':
      return { ...spec, inputMultiple: spec.inputMultiple ?? 1 };
    default:
      return spec;
  }
}

/** Fields in which two specs differ (after filling defaults), e.g. ["resScale: 1 vs 0.1"]. */
export function specDifferences(a: ArchitectureSpec, b: ArchitectureSpec): string[] {
  const x = canonicalSpec(a) as Record<string, unknown>;
  const y = canonicalSpec(b) as Record<string, unknown>;
  return [...new Set([...Object.keys(x), ...Object.keys(y)])]
    .filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]))
    .map((k) => `${k}: ${JSON.stringify(x[k])} vs ${JSON.stringify(y[k])}`);
}

/** Every weight tensor the architecture needs, in network order. */
export function architectureTensors(spec: ArchitectureSpec): TensorSpec[] {
  switch (spec.kind) {
    case 'rrdbnet':
      return rrdbTensors(spec);
    case 'srvgg':
      return srvggTensors(spec);
    case 'srresnet':
      return srresnetTensors(spec);
    case 'edsr':
      return edsrTensors(spec);
    case 'onnx':
      return []; // the graph is the file: its initializers are not named by an architecture
  }
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Total parameter count of an architecture. */
export function parameterCount(spec: ArchitectureSpec): number {
  return architectureTensors(spec).reduce((n, t) => n + elementCount(t.shape), 0);
}

/** Throws naming the first tensor that is missing or has the wrong size. */
export function checkStateDict(spec: ArchitectureSpec, weights: StateDict): void {
  for (const t of architectureTensors(spec)) {
    const w = weights.get(t.name);
    if (!w) throw new Error(`weights lack tensor ${t.name} [${t.shape.join('×')}]`);
    if (w.length !== elementCount(t.shape)) {
      throw new Error(`tensor ${t.name} has ${w.length} values, expected [${t.shape.join('×')}]`);
    }
  }
}
