// Outputs that must never be written (issue 17, points 7 and 8): over an input of the batch (by
// name, through a symlink, or as a hard link), and folders that cannot be made (/proc) must be
// refused at once with a message naming them, through the real CLI.
import { linkSync, mkdirSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFolder } from '../../src/main/engine/storage/make-folder';
import { runCli } from '../helpers/run-cli';
import { batchWorld, photo, type BatchWorld } from './batch-world';

let w: BatchWorld;
beforeAll(async () => {
  w = await batchWorld('upres-guard-');
});
afterAll(() => w.cleanup());

describe('an output that is an input of the batch', () => {
  it(
    'is refused before anything runs: the input folder as output, -n {name}, --on-exists overwrite',
    { timeout: 60_000 },
    async () => {
      const folder = join(w.dir, 'same');
      await photo(join(folder, 'photo.png'), 24, 16);
      const before = readFileSync(join(folder, 'photo.png'));
      const args = ['-m', 'tiny', '-n', '{name}', '--on-exists', 'overwrite', '--tile', '16'];
      const res = await runCli(['upscale', folder, '-o', folder, ...args], w.env);
      expect(res.code).toBe(1);
      const file = join(folder, 'photo.png');
      expect(res.stderr).toContain(`${file}: its output ${file} would replace its own input`);
      expect(readFileSync(file).equals(before)).toBe(true);
      expect(readdirSync(folder)).toEqual(['photo.png']);
      expect(readdirSync(w.queueDir)).toEqual([]); // no batch journal left to resume
    },
  );

  it(
    'is refused through a symlinked output folder and as a hard link to another input',
    { timeout: 60_000 },
    async () => {
      const folder = join(w.dir, 'links');
      await photo(join(folder, 'a.png'), 24, 16);
      const original = readFileSync(join(folder, 'a.png'));
      const alias = join(w.dir, 'alias');
      symlinkSync(folder, alias);
      const args = ['-m', 'tiny', '-n', '{name}', '--on-exists', 'overwrite'];
      const viaLink = await runCli(['upscale', join(folder, 'a.png'), '-o', alias, ...args], w.env);
      expect(viaLink.code).toBe(1);
      expect(viaLink.stderr).toContain(
        `its output ${join(alias, 'a.png')} would replace its own input`,
      );

      // out/b.png is a hard link to the input a.png: writing it would change a.png's bytes.
      const out = join(w.dir, 'out-hard');
      mkdirSync(out);
      linkSync(join(folder, 'a.png'), join(out, 'b.png'));
      const src = join(w.dir, 'src');
      await photo(join(src, 'b.png'), 24, 16);
      const hard = await runCli(
        ['upscale', join(folder, 'a.png'), join(src, 'b.png'), '-o', out, ...args],
        w.env,
      );
      expect(hard.code).toBe(1);
      expect(hard.stderr).toContain(
        `${join(src, 'b.png')}: its output ${join(out, 'b.png')} would replace the input ${join(folder, 'a.png')}`,
      );
      expect(readFileSync(join(folder, 'a.png')).equals(original)).toBe(true);
    },
  );
});

describe('an output folder that cannot be made', () => {
  it('under /proc is refused within a second, naming it', async () => {
    const t0 = performance.now();
    await expect(makeFolder('/proc/x/y')).rejects.toThrow(
      'cannot write to /proc/x/y: /proc does not allow new folders in it',
    );
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('other obstacles are named: a file in the way', async () => {
    const file = join(w.dir, 'a-file');
    await photo(file, 2, 2);
    await expect(makeFolder(join(file, 'sub', 'deeper'))).rejects.toThrow(
      `cannot write to ${join(file, 'sub', 'deeper')}: ${file} is a file, not a folder`,
    );
  });

  it(
    'through the CLI: /proc/x/y as the output folder fails at once, naming it',
    { timeout: 60_000 },
    async () => {
      await photo(join(w.dir, 'one', 'p.png'), 8, 8);
      const t0 = performance.now();
      const res = await runCli(
        ['upscale', join(w.dir, 'one', 'p.png'), '-o', '/proc/x/y', '-m', 'tiny'],
        w.env,
      );
      const seconds = (performance.now() - t0) / 1000;
      expect(res.stderr).toContain(
        'cannot write to /proc/x/y: /proc does not allow new folders in it',
      );
      expect(res.code).toBe(2); // a folder that cannot be made is bad usage, as before
      // The command's own start-up (tsx, the model registry) dominates; no spinning mkdir.
      expect(seconds).toBeLessThan(20);
    },
  );
});
