// Display names for the identifiers the engine reports; unknown ones are shown as they come.

const ARCHITECTURES: Record<string, string> = {
  rrdbnet: 'RRDBNet',
  srvgg: 'SRVGGNetCompact',
  srresnet: 'SRResNet',
  edsr: 'EDSR',
  span: 'SPAN',
  realplksr: 'RealPLKSR',
  rcan: 'RCAN',
  swinir: 'SwinIR',
  onnx: 'ONNX',
};

const PROVIDERS: Record<string, string> = {
  cpu: 'CPU',
  cuda: 'CUDA',
  dml: 'DirectML',
  coreml: 'Core ML',
  webgpu: 'WebGPU',
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

/** Seconds left as people say them: "8 s", "3 min", "1 h 05 min". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  return `${h} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** 1920, 1080 → "1920 × 1080". */
export function formatDimensions(width: number, height: number): string {
  return `${width} × ${height}`;
}

/** The last part of a path, with either separator: "C:\\a\\b.jpg" → "b.jpg". */
export function fileName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/** α as shown beside the dial: 0.6349 → "0.63". */
export function formatAlpha(alpha: number): string {
  return (Math.round(alpha * 100) / 100).toFixed(2);
}

/** A measured speed as the provider list shows it: 14.2 → "14 s per megapixel", 0.83 → "0.83 s…". */
export function formatSpeed(secondsPerMegapixel: number): string {
  const s = secondsPerMegapixel;
  if (!Number.isFinite(s) || s <= 0) return '';
  const shown = s >= 10 ? String(Math.round(s)) : s >= 1 ? s.toFixed(1) : s.toPrecision(2);
  return `${shown} s per megapixel`;
}

/**
 * The model family a speed was measured on, as the engine keys it (an architecture spec as JSON,
 * or `onnx:<id>`): its architecture's name.
 */
export function familyLabel(family: string): string {
  if (family.startsWith('onnx:')) return 'ONNX';
  try {
    const kind = (JSON.parse(family) as { kind?: unknown }).kind;
    if (typeof kind === 'string') return architectureLabel(kind);
  } catch {
    // Not JSON: shown as it comes.
  }
  return family;
}
