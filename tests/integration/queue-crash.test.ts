// Fault injection with a real process: a batch is killed with SIGKILL mid-run, then resumed. Every
// output must exist exactly once, decode at the right size, and no temp file may remain.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyModel, TINY_RRDB } from '../helpers/random-models';
import { runCli } from '../helpers/run-cli';

const BIN = fileURLToPath(new URL('../../bin/upres.js', import.meta.url));
const N = 8;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'upres-crash-'));
  const models = join(dir, 'shipped');
  await writeTinyModel(models, 'tiny', TINY_RRDB, 3);
  env = { ...process.env, UPRES_MODELS_DIR: models, UPRES_USER_DIR: join(dir, 'user') };
  mkdirSync(join(dir, 'in', 'sub'), { recursive: true });
  for (let i = 0; i < N; i++) {
    const path = join(dir, 'in', i % 2 ? 'sub' : '', `p${i}.png`);
    await sharp({
      create: {
        width: 64,
        height: 48,
        channels: 3,
        background: { r: 30 * i, g: 90, b: 200 - 20 * i },
      },
    })
      .png()
      .toFile(path);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function outputs(root: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else found.push(join(d, e.name).slice(root.length + 1));
    }
  };
  if (existsSync(root)) walk(root);
  return found.sort();
}

describe('a batch killed with SIGKILL', () => {
  it(
    'resumes exactly the unfinished items: every output once, complete, no temp files',
    { timeout: 180_000 },
    async () => {
      const out = join(dir, 'out');
      const child = spawn(
        process.execPath,
        [BIN, 'upscale', join(dir, 'in'), '-r', '-o', out, '-m', 'tiny', '--tile', '16'],
        { env, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
      // Kill as soon as two items are finished, in the middle of the third.
      const deadline = Date.now() + 120_000;
      while (outputs(out).filter((n) => n.endsWith('_x4.png')).length < 2) {
        if (Date.now() > deadline) throw new Error(`no progress: ${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGKILL');
      await exited;
      const before = outputs(out).filter((n) => n.endsWith('_x4.png'));
      expect(before.length).toBeGreaterThanOrEqual(2);
      expect(before.length).toBeLessThan(N);
      expect(
        readdirSync(join(dir, 'user', 'queue')).filter((n) => n.startsWith('cli-')),
      ).toHaveLength(1);

      const res = await runCli(['upscale', '--resume', '--json'], env);
      expect(res.code, res.stderr).toBe(0);
      const report = JSON.parse(res.stdout) as {
        items: { input: string; status: string; output: string }[];
      };
      expect(report.items).toHaveLength(N);
      expect(report.items.every((i) => i.status === 'done')).toBe(true);

      const want = Array.from({ length: N }, (_, i) =>
        i % 2 ? `sub/p${i}_x4.png` : `p${i}_x4.png`,
      ).sort();
      expect(outputs(out)).toEqual(want); // exactly once each, no _1 copies, no temp files
      for (const name of want) {
        const m = await sharp(join(out, name)).metadata();
        expect([m.width, m.height]).toEqual([256, 192]);
        await sharp(join(out, name)).raw().toBuffer(); // decodes completely
      }
      expect(readdirSync(join(dir, 'user', 'queue'))).toEqual([]); // the finished journal is gone
      const again = await runCli(['upscale', '--resume'], env);
      expect(again.stderr).toMatch(/nothing to resume/);
    },
  );
});
