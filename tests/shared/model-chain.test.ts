// How the app reads a chain id ("clean first with …"): split into cleanup and model, described as
// a whole (name in words, product of scales, the dial of its one pair stage).
import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../src/shared/model-manifest';
import {
  chainWords,
  cleanupModels,
  modelInfoOf,
  splitCleanup,
  withCleanup,
} from '../../src/shared/model-chain';

const info = (id: string, scale: number, pair?: ModelInfo['pair']): ModelInfo => ({
  id,
  name: id.toUpperCase(),
  architecture: 'srvgg',
  scale,
  parameters: 10,
  role: 'general',
  origin: 'user',
  sizeBytes: 100,
  source: 'test',
  licence: 'CC0-1.0',
  credit: 'tests',
  pair,
});

const PAIR = { fidelity: 'f', perceptual: 'p', defaultAlpha: 0.7 };
const MODELS = [info('jpeg', 1), info('x4', 4), info('dial', 4, PAIR), info('dial1', 1, PAIR)];

describe('chains in the app', () => {
  it('splits and joins "cleanup,model"', () => {
    expect(splitCleanup('jpeg,dial')).toEqual({ cleanup: 'jpeg', model: 'dial' });
    expect(splitCleanup('dial')).toEqual({ model: 'dial' });
    expect(withCleanup('jpeg', 'x4')).toBe('jpeg,x4');
    expect(withCleanup(undefined, 'x4')).toBe('x4');
    expect(splitCleanup(withCleanup('jpeg', 'x4'))).toEqual({ cleanup: 'jpeg', model: 'x4' });
  });

  it('offers single 1× models to clean first with, not pairs or upscalers', () => {
    expect(cleanupModels(MODELS).map((m) => m.id)).toEqual(['jpeg']);
  });

  it('describes a chain as a whole: words, scale, its pair stage’s dial', () => {
    const c = modelInfoOf(MODELS, 'jpeg,dial')!;
    expect(c).toMatchObject({ id: 'jpeg,dial', scale: 4, pair: PAIR, parameters: 20 });
    expect(c.name).toBe('DIAL, cleaned first with JPEG');
    expect(modelInfoOf(MODELS, 'jpeg,x4')!.pair).toBeUndefined();
    // Two pairs would be two dials: no single dial to show.
    expect(modelInfoOf(MODELS, 'dial1,dial')!.pair).toBeUndefined();
    expect(modelInfoOf(MODELS, 'jpeg,gone')).toBeUndefined();
    expect(modelInfoOf(MODELS, 'x4')).toBe(MODELS[1]);
    expect(chainWords(MODELS, 'x4')).toBeUndefined();
    expect(chainWords(MODELS, 'jpeg,gone')).toBe('jpeg → gone (not all installed)');
    expect(modelInfoOf(MODELS, 'jpeg,jpeg,x4')).toMatchObject({
      scale: 4,
      name: 'JPEG → JPEG → X4',
    });
  });
});
