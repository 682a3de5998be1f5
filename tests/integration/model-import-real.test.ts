// Acceptance: a real-size RRDBNet checkpoint (16.7 M parameters), written by PyTorch in ESRGAN's 2018
// layout and in BasicSR's, imports to exactly the shipped x4plus weights and gives its output.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalSpec } from '../../src/main/engine/models/architecture-tensors';
import { importModel } from '../../src/main/engine/models/import-model';
import { ModelRegistry, shippedModelsDir } from '../../src/main/engine/models/model-registry';
import { loadModel, type LoadedModel } from '../../src/main/engine/runtime/loaded-model';
import { rng } from '../helpers/random-models';

const SCRIPT = join(import.meta.dirname, '..', '..', 'tools', 'fixtures', 'x4plus_to_pth.py');
const X4PLUS = join(shippedModelsDir(), 'realesrgan-x4plus.safetensors');

let work: string;
let shipped: ModelRegistry;
const open: LoadedModel[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'upres-real-import-'));
  shipped = await ModelRegistry.open({ shipped: shippedModelsDir() });
});
afterAll(async () => {
  await Promise.all(open.map((m) => m.dispose()));
  rmSync(work, { recursive: true, force: true });
});

const LAYOUTS = [
  {
    name: 'ESRGAN 2018 layout, legacy format',
    args: ['--layout', 'old', '--legacy'],
    layout: /ESRGAN 2018/,
  },
  { name: 'BasicSR layout, zip, params_ema', args: ['--layout', 'new'], layout: /BasicSR/ },
];

describe('importing a real-size RRDBNet checkpoint', () => {
  for (const l of LAYOUTS) {
    it(
      `${l.name}: same network and weights as the shipped x4plus`,
      { timeout: 120_000 },
      async () => {
        const file = join(work, `x4plus-${l.args[1]}.pth`);
        execFileSync('/usr/bin/python3', [SCRIPT, X4PLUS, file, ...l.args]);
        // A library without the shipped models, so the import is not refused as a duplicate.
        const user = join(work, `user-${l.args[1]}`);
        const lib = await ModelRegistry.open({ shipped: join(work, 'none'), user });
        const r = await importModel(lib, file, { id: 'imported' });
        console.log(
          `import of ${l.name} (${(r.manifest.weights.parameters / 1e6).toFixed(2)} M parameters): ${r.seconds.toFixed(2)} s`,
        );
        expect(r.layout).toMatch(l.layout);
        expect(r.manifest.weights.parameters).toBe(16_697_987);
        const ref = shipped.get('realesrgan-x4plus').manifest.architecture;
        expect(canonicalSpec(r.manifest.architecture)).toEqual(canonicalSpec(ref));
        await lib.refresh();
        const mine = await lib.weights('imported');
        const theirs = await shipped.weights('realesrgan-x4plus');
        expect([...mine.keys()]).toEqual([...theirs.keys()]);
        for (const [k, v] of theirs)
          expect(Buffer.compare(Buffer.from(mine.get(k)!.buffer), Buffer.from(v.buffer)), k).toBe(
            0,
          );

        // And with the shipped models present, the same weights are refused as a duplicate.
        const both = await ModelRegistry.open({
          shipped: shippedModelsDir(),
          user: join(work, 'dup'),
        });
        await expect(importModel(both, file)).rejects.toThrow(
          /same weights as realesrgan-x4plus \(shipped\)/,
        );

        if (l.args[1] !== 'old') return;
        const a = await loadModel(lib, 'imported');
        const b = await loadModel(shipped, 'realesrgan-x4plus');
        open.push(a, b);
        const next = rng(7);
        const data = Float32Array.from({ length: 3 * 20 * 16 }, () => next());
        const [x, y] = await Promise.all([
          a.run({ data: data.slice(), dims: [1, 3, 20, 16] }),
          b.run({ data: data.slice(), dims: [1, 3, 20, 16] }),
        ]);
        expect(x.dims).toEqual([1, 3, 80, 64]);
        let max = 0;
        for (let i = 0; i < x.data.length; i++)
          max = Math.max(max, Math.abs(x.data[i] - y.data[i]));
        expect(max).toBeLessThanOrEqual(1e-6);
      },
    );
  }
});
