// Display names for the identifiers the engine reports (unknown ones are shown as they come), and
// numbers, sizes and durations as the current UI language writes them.
import { locale, t } from '../i18n/translate';

const numberFormats = new Map<string, Intl.NumberFormat>();

/** A number in the UI language ("1,234.5" / "1.234,5"); options as Intl.NumberFormat takes them. */
export function formatNumber(value: number, options: Intl.NumberFormatOptions = {}): string {
  const loc = locale();
  const id = `${loc} ${JSON.stringify(options)}`;
  let f = numberFormats.get(id);
  if (!f) numberFormats.set(id, (f = new Intl.NumberFormat(loc, options)));
  return f.format(value);
}

/** A fraction as a percentage, "45 %", "3.1 %" (German "3,1 %"); tenths below 10 %. */
export function formatPercent(fraction: number): string {
  const pct = fraction * 100;
  const value = formatNumber(pct >= 10 ? Math.round(pct) : Math.round(pct * 10) / 10, {
    maximumFractionDigits: 1,
    useGrouping: false,
  });
  return t('format.percent', { value });
}

/** A file size in decimal units with three significant digits: 1_234_567 → "1.23 MB". */
export function formatBytes(bytes: number): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;
  let value = Math.max(0, bytes);
  let i = 0;
  while (value >= 1000 && i < units.length - 1) {
    value /= 1000;
    i++;
  }
  return formatNumber(value, {
    style: 'unit',
    unit: units[i],
    unitDisplay: i === 0 ? 'long' : 'short',
    maximumSignificantDigits: i === 0 ? 21 : 3,
  });
}

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
  const value = formatNumber(millions, {
    useGrouping: false,
    ...(millions >= 100
      ? { maximumFractionDigits: 0 }
      : { minimumSignificantDigits: 3, maximumSignificantDigits: 3 }),
  });
  return t('format.millions', { value });
}

/** 4 → "×4". */
export function formatScale(scale: number): string {
  return `×${scale}`;
}

/** Seconds left as people say them: "8 s", "3 min", "1 h 05 min". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 60) return t('format.seconds', { s: Math.max(1, Math.round(seconds)) });
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return t('format.minutes', { m: minutes });
  const h = Math.floor(minutes / 60);
  return t('format.hoursMinutes', { h, mm: String(minutes % 60).padStart(2, '0') });
}

/** 1920, 1080 → "1920 × 1080". */
export function formatDimensions(width: number, height: number): string {
  return t('format.dimensions', { width: String(width), height: String(height) });
}

/** The last part of a path, with either separator: "C:\\a\\b.jpg" → "b.jpg". */
export function fileName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/** α as shown beside the dial: 0.6349 → "0.63" (German "0,63"). */
export function formatAlpha(alpha: number): string {
  return formatNumber(Math.round(alpha * 100) / 100, {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
}

/** A measured speed as the provider list shows it: 14.2 → "14 s per megapixel", 0.83 → "0.83 s…". */
export function formatSpeed(secondsPerMegapixel: number): string {
  const s = secondsPerMegapixel;
  if (!Number.isFinite(s) || s <= 0) return '';
  const shown = formatNumber(s, {
    useGrouping: false,
    ...(s >= 10
      ? { maximumFractionDigits: 0 }
      : s >= 1
        ? { minimumFractionDigits: 1, maximumFractionDigits: 1 }
        : { minimumSignificantDigits: 2, maximumSignificantDigits: 2 }),
  });
  return t('format.speed', { s: shown });
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
