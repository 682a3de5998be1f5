import type { ArchitectureSpec } from '../../../../shared/architecture';
import type { EngineMessage } from '../../../../shared/engine-message';
import type { StateDict } from '../state-dict';
import type { TensorReader } from './tensor-source';

/** What a checkpoint turned out to be, with its weights renamed to the canonical layout. */
export interface DetectedModel {
  spec: ArchitectureSpec;
  weights: StateDict;
  /** The key layout recognised, e.g. "ESRGAN (2018 layout)". */
  layout: string;
  /** Anything done to the weights or assumed on the way (batch norm folded, residual scale). */
  notes: EngineMessage[];
}

/** Options for what a state dict cannot tell. */
export interface DetectOptions {
  /** EDSR residual scaling (default: 0.1 for 256 features or more, as in EDSR-large; else 1). */
  resScale?: number;
  /** EDSR pixel range (default: read from sub_mean, else 255). */
  rgbRange?: number;
}

/** Copies a conv (weight + optional bias; a missing bias becomes zeros) under a canonical name. */
export function copyConv(r: TensorReader, from: string, to: string, out: StateDict): number[] {
  const w = r.get(`${from}.weight`, 4);
  out.set(`${to}.weight`, w.values);
  out.set(
    `${to}.bias`,
    r.has(`${from}.bias`) ? r.get(`${from}.bias`, 1).values : new Float32Array(w.shape[0]),
  );
  return w.shape;
}

/** Index (as a number) of `${prefix}N.weight` keys present, sorted. */
export function indicesOf(r: TensorReader, prefix: string, suffix = '.weight'): number[] {
  const out: number[] = [];
  for (const k of r.tensors.keys()) {
    if (!k.startsWith(prefix) || !k.endsWith(suffix)) continue;
    const mid = k.slice(prefix.length, k.length - suffix.length);
    if (/^\d+$/.test(mid)) out.push(Number(mid));
  }
  return out.sort((a, b) => a - b);
}
