import { InvalidArgumentError } from 'commander';
import { DeviceRequest, Precision } from '../shared/device';
import { OUTPUT_FORMATS, type OutputFormat } from '../main/engine/pipeline/encode';

function inRange(name: string, min: number, max: number, integer: boolean): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!(integer ? Number.isInteger(n) : Number.isFinite(n)) || n < min || n > max)
      throw new InvalidArgumentError(
        `${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`,
      );
    return n;
  };
}

export const intInRange = (name: string, min: number, max: number) => inRange(name, min, max, true);
export const numberInRange = (name: string, min: number, max: number) =>
  inRange(name, min, max, false);

export function oneOf<T extends string>(name: string, values: readonly T[]): (v: string) => T {
  return (v) => {
    if (!(values as readonly string[]).includes(v))
      throw new InvalidArgumentError(`${name} must be one of ${values.join(', ')}`);
    return v as T;
  };
}

export const parseFormat = oneOf<OutputFormat>('format', OUTPUT_FORMATS);
export const parseBitDepth = (v: string): 8 | 10 | 12 | 16 => {
  const n = Number(v);
  if (n !== 8 && n !== 10 && n !== 12 && n !== 16)
    throw new InvalidArgumentError('bit depth must be 8, 10, 12 or 16');
  return n;
};
export const parseDevice = oneOf('device', DeviceRequest.options);
export const parsePrecision = oneOf('precision', Precision.options);
