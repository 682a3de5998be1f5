import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GpuTileStore } from '../../../src/main/engine/runtime/gpu-tile-store';

describe('GPU tile store', () => {
  it('keeps the tile that fitted per device, precision and model, across instances', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'upres-gputiles-')), 'sub', 'gpu-tiles.json');
    const a = new GpuTileStore(path);
    expect(a.get({ device: 'webgpu', fp16: false, model: 'm' })).toBeUndefined();
    await a.put({ device: 'webgpu', fp16: false, model: 'm' }, 128);
    const b = new GpuTileStore(path);
    expect(b.get({ device: 'webgpu', fp16: false, model: 'm' })).toBe(128);
    expect(b.get({ device: 'webgpu', fp16: true, model: 'm' })).toBeUndefined();
    expect(b.get({ device: 'cuda', fp16: false, model: 'm' })).toBeUndefined();
    expect(b.get({ device: 'webgpu', fp16: false, model: 'other' })).toBeUndefined();
    expect(JSON.parse(await readFile(path, 'utf8')).version).toBe(1);
  });

  it('treats a damaged file as nothing learned', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'upres-gputiles-')), 'gpu-tiles.json');
    await writeFile(path, '{not json');
    expect(
      new GpuTileStore(path).get({ device: 'webgpu', fp16: false, model: 'm' }),
    ).toBeUndefined();
  });
});
