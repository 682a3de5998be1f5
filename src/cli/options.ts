import { InvalidArgumentError } from 'commander';
import { DeviceRequest, Precision } from '../shared/device';
import { OUTPUT_FORMATS, type OutputFormat } from '../main/engine/pipeline/encode';

export function intInRange(name: string, min: number, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
    return n;
  };
}

export function numberInRange(name: string, min: number, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max)
      throw new InvalidArgumentError(`${name} must be a number from ${min} to ${max}`);
    return n;
  };
}

export function oneOf<T extends string>(name: string, values: readonly T[]): (v: string) => T {
  return (v) => {
    if (!(values as readonly string[]).includes(v))
      throw new InvalidArgumentError(`${name} must be one of ${values.join(', ')}`);
    return v as T;
  };
}

export const parseFormat = oneOf<OutputFormat>('format', OUTPUT_FORMATS);
export const parseDevice = oneOf('device', DeviceRequest.options);
export const parsePrecision = oneOf('precision', Precision.options);
