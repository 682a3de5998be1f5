// Special files named as photos or models (a FIFO, /dev/zero, a folder, a link loop) are refused at
// once with a message naming them, through the real CLI: nothing hangs (a FIFO's open used to block
// a thread for ever) and nothing is read without end (/dev/zero as a .pth used to fill memory).
// Symbolic links inside an added folder are followed only while they stay inside it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpresError } from '../../src/shared/errors';
import { decodeImage, inspectImage } from '../../src/main/engine/pipeline/decode';
import { importModel } from '../../src/main/engine/models/import-model';
import { ModelRegistry } from '../../src/main/engine/models/model-registry';
import { collectInputs } from '../../src/main/engine/queue/collect-inputs';
import { writeTinyModel, TINY_SRVGG } from '../helpers/random-models';
import { runCli } from '../helpers/run-cli';

const linux = process.platform === 'linux';
let dir: string;
let env: NodeJS.ProcessEnv;
let inDir: string;

/** Milliseconds a promise takes to settle, and its rejection. */
async function timed(p: Promise<unknown>): Promise<{ ms: number; err: unknown }> {
  const t0 = performance.now();
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { ms: performance.now() - t0, err };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'upres-special-'));
  const models = join(dir, 'shipped');
  await writeTinyModel(models, 'tiny', TINY_SRVGG, 3);
  env = { UPRES_MODELS_DIR: models, UPRES_USER_DIR: join(dir, 'user') };
  inDir = join(dir, 'in');
  mkdirSync(inDir);
  execFileSync('mkfifo', [join(inDir, 'fifo.png'), join(dir, 'fifo.pth')]);
  symlinkSync('/dev/zero', join(inDir, 'zero.png'));
  symlinkSync('/dev/zero', join(dir, 'zero.pth'));
  symlinkSync('loop.png', join(inDir, 'loop.png'));
  mkdirSync(join(dir, 'folder.pth'));
  await sharp({ create: { width: 12, height: 10, channels: 3, background: '#468' } })
    .png()
    .toFile(join(inDir, 'good.png'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.runIf(linux)('special files named as photos', () => {
  it('refuses each at once, in the engine, with a message naming it', async () => {
    const cases: [string, RegExp, string][] = [
      ['fifo.png', /: not a regular file \(a FIFO\)$/, 'input.unsupported'],
      ['zero.png', /: not a regular file \(a character device\)$/, 'input.unsupported'],
      ['loop.png', /: too many levels of symbolic links/, 'input.unreadable'],
    ];
    for (const [name, why, code] of cases) {
      const path = join(inDir, name);
      for (const run of [() => inspectImage(path), () => decodeImage(path)]) {
        const { ms, err } = await timed(run());
        expect(ms, name).toBeLessThan(1000);
        expect(err, name).toBeInstanceOf(UpresError);
        expect((err as UpresError).code, name).toBe(code);
        expect((err as Error).message, name).toMatch(new RegExp(`^${path}${why.source}`));
      }
    }
    const { err } = await timed(inspectImage(dir));
    expect((err as Error).message).toBe(`${dir}: not a regular file (a folder)`);
  });

  it('fails them in a CLI batch and still upscales the good photo after them', async () => {
    const out = join(dir, 'out');
    const names = ['fifo.png', 'zero.png', 'loop.png', 'good.png'];
    const t0 = performance.now();
    const res = await runCli(
      ['upscale', ...names.map((n) => join(inDir, n)), '-o', out, '--model', 'tiny', '--json'],
      env,
    );
    const seconds = (performance.now() - t0) / 1000;
    expect(res.code, res.stderr).toBe(1);
    const items = (
      JSON.parse(res.stdout) as { items: { input: string; status: string; error?: string }[] }
    ).items;
    const by = new Map(items.map((i) => [i.input, i]));
    for (const [name, why] of [
      ['fifo.png', 'not a regular file (a FIFO)'],
      ['zero.png', 'not a regular file (a character device)'],
      ['loop.png', 'too many levels of symbolic links'],
    ]) {
      const item = by.get(join(inDir, name));
      expect(item?.status, name).toBe('error');
      expect(item?.error, name).toContain(`${join(inDir, name)}: ${why}`);
    }
    expect(by.get(join(inDir, 'good.png'))?.status).toBe('done');
    expect(readdirSync(out)).toEqual(['good_x4.png']);
    // The CLI's start-up and the tiny model's run; no file waited on.
    expect(seconds).toBeLessThan(30);
  }, 60_000);
});

describe.runIf(linux)('special files named as models', () => {
  it('refuses each at once, in the engine, naming it, writing nothing', async () => {
    const user = join(dir, 'user-engine');
    const registry = await ModelRegistry.open({ shipped: env.UPRES_MODELS_DIR!, user });
    for (const [name, why] of [
      ['fifo.pth', 'not a regular file (a FIFO)'],
      ['zero.pth', 'not a regular file (a character device)'],
      ['folder.pth', 'not a regular file (a folder)'],
    ]) {
      const { ms, err } = await timed(importModel(registry, join(dir, name)));
      expect(ms, name).toBeLessThan(1000);
      expect((err as UpresError).code, name).toBe('model.refused');
      expect((err as Error).message, name).toBe(`${name}: ${why}`);
    }
    expect(existsSync(user) ? readdirSync(user) : []).toEqual([]);
  });

  it('refuses them through `upres models import` with exit code 1', async () => {
    const user = join(dir, 'user-cli');
    for (const [name, why] of [
      ['fifo.pth', 'not a regular file (a FIFO)'],
      ['zero.pth', 'not a regular file (a character device)'],
    ]) {
      const res = await runCli(['models', 'import', join(dir, name)], {
        ...env,
        UPRES_USER_DIR: user,
      });
      expect(res.code, `${name}: ${res.stderr}`).toBe(1);
      expect(res.stderr, name).toContain(`${name}: ${why}`);
    }
    const models = join(user, 'models');
    expect(existsSync(models) ? readdirSync(models) : []).toEqual([]);
  }, 60_000);
});

describe('symbolic links inside an added folder', () => {
  it('queues a link inside the folder once (as its target) and reports one leading outside', async () => {
    const root = join(dir, 'links');
    const outside = join(dir, 'elsewhere');
    mkdirSync(join(root, 'sub'), { recursive: true });
    mkdirSync(outside);
    const png = sharp({ create: { width: 4, height: 4, channels: 3, background: '#123' } }).png();
    await png.toFile(join(root, 'photo.png'));
    await png.toFile(join(root, 'sub', 'deep.png'));
    await png.toFile(join(outside, 'secret.png'));
    symlinkSync('photo.png', join(root, 'a-link.png')); // sorts before its target
    symlinkSync(join(root, 'sub', 'deep.png'), join(root, 'deep-link.png'));
    symlinkSync(join(outside, 'secret.png'), join(root, 'out-link.png'));
    symlinkSync(outside, join(root, 'out-folder'));
    symlinkSync('missing.png', join(root, 'broken.png'));

    const flat = await collectInputs([root]);
    expect(flat.inputs).toEqual([
      { path: join(root, 'photo.png'), relDir: '' },
      { path: join(root, 'sub', 'deep.png'), relDir: 'sub' },
    ]);
    expect(flat.problems.map((p) => p.path).sort()).toEqual(
      [join(root, 'broken.png'), join(root, 'out-link.png')].sort(),
    );
    const out = flat.problems.find((p) => p.path === join(root, 'out-link.png'))!;
    expect(out.error).toMatch(
      new RegExp(
        `^${join(root, 'out-link.png')}: a link to ${join(outside, 'secret.png')}, outside the added folder; not followed`,
      ),
    );

    const deep = await collectInputs([root], { recursive: true });
    // sub/deep.png once, though both the walk and a link reach it; the outside folder reported.
    expect(deep.inputs.map((i) => i.path).sort()).toEqual(
      [join(root, 'photo.png'), join(root, 'sub', 'deep.png')].sort(),
    );
    expect(deep.problems.map((p) => p.path)).toContain(join(root, 'out-folder'));
  });
});
