// Display names for the identifiers the engine reports; unknown ones are shown as they come.

const ARCHITECTURES: Record<string, string> = {
  rrdbnet: 'RRDBNet',
  srvgg: 'SRVGGNetCompact',
  srresnet: 'SRResNet',
  edsr: 'EDSR',
  onnx: 'ONNX',
};

const PROVIDERS: Record<string, string> = {
  cpu: 'CPU',
  cuda: 'CUDA',
  dml: 'DirectML',
  coreml: 'Core ML',
};

/** "rrdbnet" → "RRDBNet". */
export function architectureLabel(kind: string): string {
  return ARCHITECTURES[kind] ?? kind;
}

/** "dml" → "DirectML". */
export function providerLabel(name: string): string {
  return PROVIDERS[name] ?? name;
}

/** Parameter count in millions, three significant digits: 16697987 → "16.7 M". */
export function formatParameters(count: number): string {
  const millions = count / 1e6;
  // toPrecision switches to exponent notation at 1000 and up.
  return `${millions >= 100 ? Math.round(millions) : millions.toPrecision(3)} M`;
}

/** 4 → "×4". */
export function formatScale(scale: number): string {
  return `×${scale}`;
}
