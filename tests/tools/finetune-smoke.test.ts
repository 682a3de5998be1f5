import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../src/main/engine/models/model-registry';
import { loadModel } from '../../src/main/engine/runtime/loaded-model';
import { TINY_RRDB } from '../helpers/random-models';

// The fine-tuning tool is Python with Debian's python3-torch (installed by .ci/run); the model it
// writes must be one the app itself reads, validates and runs.
describe('tools/finetune smoke run', () => {
  it('trains a tiny RRDBNet a few steps, resumes from its checkpoint, and writes a model Upres loads', async () => {
    const out = await mkdtemp(join(tmpdir(), 'upres-finetune-'));
    const res = spawnSync(
      '/usr/bin/python3',
      ['tools/finetune/finetune.py', '--smoke', '--out', out],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(res.status, `${res.stdout}\n${res.stderr}`).toBe(0);
    expect(`${res.stdout}${res.stderr}`).toMatch(/resum/i);
    expect((await readdir(join(out, 'checkpoints'))).some((f) => f.startsWith('ckpt-'))).toBe(true);

    const registry = await ModelRegistry.open({ shipped: out });
    const { manifest } = registry.get('smoke-fidelity');
    expect(manifest.architecture).toEqual(TINY_RRDB);
    expect(manifest.role).toBe('fidelity');
    expect(manifest.provenance.training).toMatchObject({ loss: 'L1', steps: 4 });
    const model = await loadModel(registry, 'smoke-fidelity', { device: 'cpu' });
    try {
      const outT = await model.run({
        data: new Float32Array(3 * 5 * 6).fill(0.5),
        dims: [1, 3, 5, 6],
      });
      expect(outT.dims).toEqual([1, 3, 20, 24]);
      expect(outT.data.every(Number.isFinite)).toBe(true);
    } finally {
      await model.dispose();
    }
  });
});
