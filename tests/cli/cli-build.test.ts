import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBuildFresh, freshCli, ROOT } from '../../scripts/cli-build.mjs';
import { TINY_SRVGG, writeTinyModel } from '../helpers/random-models';
import { runCli } from '../helpers/run-cli';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-cli-build-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the command line runs from its JavaScript build', () => {
  it('out/cli is built from the sources there now, and `upres --version` runs from it', async () => {
    const entry = await freshCli();
    expect(entry).toBe(join(ROOT, 'out', 'cli', 'main.js'));
    const stamp = JSON.parse(await readFile(join(ROOT, 'out', 'cli', 'build.json'), 'utf8')) as {
      buildId: string;
      inputs: Record<string, [number, number]>;
    };
    // The entries' sources and the engine behind them, nothing from node_modules.
    expect(Object.keys(stamp.inputs)).toEqual(
      expect.arrayContaining([
        'src/cli/main.ts',
        'src/main/engine/runtime/inference-worker.ts',
        'src/main/engine/pipeline/tiled-upscale.ts',
      ]),
    );
    expect(Object.keys(stamp.inputs).some((f) => f.includes('node_modules'))).toBe(false);
    expect(cliBuildFresh()).toBe(true);
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    const res = await runCli(['--version']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.trim()).toBe(pkg.version);
  });

  it('a build is stale once any file it was made from changes size or time, or goes', async () => {
    const root = join(dir, 'tree');
    await mkdir(join(root, 'src'), { recursive: true });
    const file = join(root, 'src', 'a.ts');
    await writeFile(file, 'export const a = 1;\n');
    const stampOf = async () => {
      const { statSync } = await import('node:fs');
      const st = statSync(file);
      const stampFile = join(root, 'build.json');
      await writeFile(stampFile, JSON.stringify({ inputs: { 'src/a.ts': [st.size, st.mtimeMs] } }));
      return stampFile;
    };
    const stamp = await stampOf();
    expect(cliBuildFresh(stamp, root)).toBe(true);
    await utimes(file, new Date(), new Date(Date.now() + 5000));
    expect(cliBuildFresh(stamp, root)).toBe(false);
    const again = await stampOf();
    await writeFile(file, 'export const a = 22;\n');
    expect(cliBuildFresh(again, root)).toBe(false);
    await stampOf();
    await rm(file);
    expect(cliBuildFresh(join(root, 'build.json'), root)).toBe(false);
    expect(cliBuildFresh(join(root, 'missing.json'), root)).toBe(false);
  });

  it('the second start loads the optimised graph the first saved, and writes the same pixels', async () => {
    const models = join(dir, 'shipped');
    await writeTinyModel(models, 'tiny', TINY_SRVGG, 5);
    const env = { UPRES_MODELS_DIR: models, UPRES_USER_DIR: join(dir, 'user') };
    const input = join(dir, 'in.png');
    await sharp({ create: { width: 24, height: 20, channels: 3, background: '#468' } })
      .composite([
        {
          input: Buffer.from(
            '<svg width="24" height="20"><circle cx="9" cy="8" r="6" fill="#e93"/></svg>',
          ),
        },
      ])
      .png()
      .toFile(input);
    const run = async (name: string, extra: NodeJS.ProcessEnv = {}) => {
      const res = await runCli(
        ['upscale', input, '-o', join(dir, name), '-m', 'tiny', '--device', 'cpu', '--json'],
        { ...env, ...extra },
      );
      expect(res.code, res.stderr).toBe(0);
      const report = JSON.parse(res.stdout) as {
        items: { output: string }[];
        startup: { graph: string; phases?: { name: string }[] };
      };
      const { data } = await sharp(report.items[0].output)
        .raw()
        .toBuffer({ resolveWithObject: true });
      const phases = (report.startup.phases ?? []).map((p) => p.name);
      return { graph: report.startup.graph, pixels: data, phases };
    };
    const first = await run('a');
    // The first start left a hint: the second one's inference child loads the saved graph before
    // the CLI's code has even loaded (early-session.ts).
    const second = await run('b', { UPRES_STARTUP_TRACE: '1' });
    const off = await run('c', { UPRES_GRAPH_CACHE: 'off' });
    const notEarly = await run('d', { UPRES_EARLY_SESSION: 'off', UPRES_STARTUP_TRACE: '1' });
    expect([first.graph, second.graph, off.graph, notEarly.graph]).toEqual([
      'built',
      'saved',
      'built',
      'saved',
    ]);
    expect(second.phases).toContain('early: hinted load adopted');
    expect(notEarly.phases.some((p) => p.startsWith('early:'))).toBe(false);
    expect(Buffer.compare(first.pixels, second.pixels)).toBe(0);
    expect(Buffer.compare(first.pixels, off.pixels)).toBe(0);
    expect(Buffer.compare(first.pixels, notEarly.pixels)).toBe(0);
  });
});
