// Acceptance: a real-size SPAN ×4 and RealPLKSR ×4 checkpoint in the upstream layout, written by
// PyTorch (tools/fixtures/realsize_modern.py), imports, and the imported model reproduces PyTorch's
// own output. The import time is printed (the acceptance figure is under 2 s), not asserted.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importModel } from '../../src/main/engine/models/import-model';
import { ModelRegistry } from '../../src/main/engine/models/model-registry';
import { loadModel, type LoadedModel } from '../../src/main/engine/runtime/loaded-model';

const SCRIPT = join(import.meta.dirname, '..', '..', 'tools', 'fixtures', 'realsize_modern.py');

let work: string;
const open: LoadedModel[] = [];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'upres-modern-import-'));
});
afterAll(async () => {
  await Promise.all(open.map((m) => m.dispose()));
  rmSync(work, { recursive: true, force: true });
});

function floats(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

const CASES = [
  { kind: 'span', arch: 'span' },
  { kind: 'realplksr', arch: 'realplksr' },
];

describe('importing real-size SPAN and RealPLKSR checkpoints', () => {
  for (const c of CASES) {
    it(`${c.kind} ×4: imports and matches PyTorch`, { timeout: 180_000 }, async () => {
      const file = join(work, `${c.kind}-x4.pth`);
      execFileSync('/usr/bin/python3', [SCRIPT, c.kind, file]);
      const lib = await ModelRegistry.open({
        shipped: join(work, 'none'),
        user: join(work, c.kind),
      });
      const r = await importModel(lib, file, { id: c.kind });
      console.log(
        `import of a real-size ${c.kind} ×4 (${(r.manifest.weights.parameters / 1e6).toFixed(2)} M parameters): ${r.seconds.toFixed(2)} s`,
      );
      expect(r.manifest.architecture.kind).toBe(c.arch);
      expect(r.manifest.architecture.scale).toBe(4);
      await lib.refresh();
      const model = await loadModel(lib, c.kind, { device: 'cpu' });
      open.push(model);
      const out = await model.run({ data: floats(`${file}.input.bin`), dims: [1, 3, 24, 20] });
      expect(out.dims).toEqual([1, 3, 96, 80]);
      const want = floats(`${file}.expected.bin`);
      let d = 0;
      for (let i = 0; i < want.length; i++) d = Math.max(d, Math.abs(out.data[i] - want[i]));
      expect(d).toBeLessThan(1e-4);
    });
  }
});
