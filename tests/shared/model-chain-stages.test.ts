// A chain of three or more stages in the app: the Model select shows the model after the cleanup,
// which is then itself a chain ("b,c" of "a,b,c"), by its stages' names, not as "(missing)".
import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../src/shared/model-manifest';
import { chainStageNames, splitCleanup, withCleanup } from '../../src/shared/model-chain';

const info = (id: string, scale: number): ModelInfo => ({
  id,
  name: `Model ${id}`,
  architecture: 'srvgg',
  scale,
  parameters: 10,
  role: 'general',
  origin: 'user',
  sizeBytes: 100,
  source: 'test',
  licence: 'CC0-1.0',
  credit: 'tests',
});

const MODELS = [info('jpeg', 1), info('denoise', 1), info('x4', 4)];

describe('chains of more than two stages', () => {
  it('names the model after the cleanup by its installed stages', () => {
    const parts = splitCleanup('jpeg,denoise,x4');
    expect(parts).toEqual({ cleanup: 'jpeg', model: 'denoise,x4' });
    expect(chainStageNames(MODELS, parts.model)).toBe('Model denoise → Model x4');
    // Changing the cleanup keeps the rest of the chain as it was.
    expect(withCleanup(undefined, parts.model)).toBe('denoise,x4');
    expect(withCleanup('jpeg', parts.model)).toBe('jpeg,denoise,x4');
  });

  it('is undefined for a single model and for a chain with a stage not installed', () => {
    expect(chainStageNames(MODELS, 'x4')).toBeUndefined();
    expect(chainStageNames(MODELS, 'denoise,gone')).toBeUndefined();
  });
});
