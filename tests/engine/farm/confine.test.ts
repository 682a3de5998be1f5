import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confineJob } from '../../../src/main/engine/farm/confine';
import type { FarmJobData } from '../../../src/main/engine/farm/farm-types';
import { parseMapRule } from '../../../src/main/engine/farm/path-map';
import { ItemSettings } from '../../../src/shared/queue';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'upres-confine-'));
  mkdirSync(join(dir, 'share', 'in', 'sub'), { recursive: true });
  mkdirSync(join(dir, 'share', 'out'), { recursive: true });
  mkdirSync(join(dir, 'private'));
  writeFileSync(join(dir, 'share', 'in', 'sub', 'a.png'), 'x');
  writeFileSync(join(dir, 'private', 'secret.png'), 'x');
  symlinkSync(join(dir, 'private', 'secret.png'), join(dir, 'share', 'in', 'link.png'));
  symlinkSync(join(dir, 'private'), join(dir, 'share', 'out', 'escape'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A job as a submitter on a Mac would send it (paths under /Volumes/Share). */
const job = (over: Partial<FarmJobData>): FarmJobData => ({
  v: 1,
  batch: 'b',
  input: '/Volumes/Share/in/sub/a.png',
  root: '/Volumes/Share/in',
  relDir: 'sub',
  outDir: '/Volumes/Share/out',
  nameTemplate: '{name}_x{scale}',
  onExists: 'suffix',
  settings: ItemSettings.parse({ model: 'tiny' }),
  ...over,
});

describe('a job confined to the paths it names, after --map', () => {
  const rules = () => [parseMapRule(`/Volumes/Share=${join(dir, 'share')}`)];

  it('maps every path of a good job to this worker', async () => {
    expect(await confineJob(job({}), rules())).toEqual({
      input: join(dir, 'share', 'in', 'sub', 'a.png'),
      root: join(dir, 'share', 'in'),
      outDir: join(dir, 'share', 'out'),
      outFolder: join(dir, 'share', 'out', 'sub'),
    });
  });

  it('refuses a path outside every map', async () => {
    await expect(confineJob(job({ outDir: '/home/me/out' }), rules())).rejects.toMatchObject({
      code: 'request.refused',
      message: expect.stringMatching(
        /output folder \/home\/me\/out is outside the paths this worker maps/,
      ),
    });
  });

  it('refuses `..` in the input or the output sub-folder', async () => {
    await expect(
      confineJob(job({ input: '/Volumes/Share/in/../../etc/passwd' }), rules()),
    ).rejects.toMatchObject({ code: 'request.refused' });
    await expect(confineJob(job({ relDir: '../../elsewhere' }), rules())).rejects.toThrow(
      /leaves its folder; refused/,
    );
  });

  it('refuses symbolic links that lead out of the job folders', async () => {
    await expect(
      confineJob(job({ input: '/Volumes/Share/in/link.png', relDir: '' }), rules()),
    ).rejects.toThrow(/a symbolic link to .*secret\.png, outside the job's folder/);
    await expect(confineJob(job({ relDir: 'escape/deeper' }), rules())).rejects.toThrow(
      /leads to .*private.*, outside/,
    );
  });

  it('names a missing input with a hint about the mount', async () => {
    await expect(
      confineJob(job({ input: '/Volumes/Share/in/sub/gone.png' }), rules()),
    ).rejects.toMatchObject({
      code: 'input.missing',
      message: expect.stringMatching(/gone\.png: no such file on this worker .*--map/),
    });
  });

  it('without maps, still keeps the job inside its own folders', async () => {
    const local = job({
      input: join(dir, 'share/in/sub/a.png'),
      root: join(dir, 'share/in'),
      outDir: join(dir, 'share/out'),
    });
    expect((await confineJob(local, [])).outFolder).toBe(join(dir, 'share', 'out', 'sub'));
    await expect(
      confineJob(
        { ...local, root: join(dir, 'share/in/sub'), input: join(dir, 'private/secret.png') },
        [],
      ),
    ).rejects.toThrow(/outside its folder/);
  });
});
