// Who may resume a batch (issue 18): ownership dies with its process, whatever its pid says. A
// killed batch that its parent never reaps (a zombie), and a journal naming a live unrelated pid,
// are taken over; a batch that really runs is refused, naming its process; the app's queue and
// `upres serve` follow the same rule.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli';
import {
  BIN,
  batchWorld,
  journalItems,
  photo,
  procState,
  sleep,
  startCli,
  until,
  type BatchWorld,
} from './batch-world';

let w: BatchWorld;
const N = 6;

beforeAll(async () => {
  w = await batchWorld('upres-own-');
  for (let i = 0; i < N; i++) await photo(join(w.dir, 'in', `p${i}.png`), 64, 48, i);
});
afterAll(() => w.cleanup());

const doneOutputs = (out: string): string[] =>
  existsSync(out) ? readdirSync(out).filter((n) => n.endsWith('_x4.png')) : [];
const upscale = (out: string): string[] => [
  'upscale',
  join(w.dir, 'in'),
  '-o',
  out,
  '-m',
  'tiny',
  '--tile',
  '16',
];

describe('--resume and the owner of a batch', () => {
  it(
    'takes over a batch whose process was killed and is left unreaped (a zombie)',
    { timeout: 180_000 },
    async () => {
      const out = join(w.dir, 'out-zombie');
      // `exec sleep` replaces the shell with a parent that never waits for its child.
      const quoted = [process.execPath, BIN, ...upscale(out)].map((a) => `'${a}'`).join(' ');
      const parent = spawn('sh', ['-c', `${quoted} 2>/dev/null & echo $!; exec sleep 600`], {
        env: w.env,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      try {
        let text = '';
        parent.stdout.on('data', (d: Buffer) => (text += d.toString()));
        await until(() => /\d+\n/.test(text), 'the child pid');
        const pid = Number(text.trim());
        await until(() => doneOutputs(out).length >= 1, 'the first output');
        process.kill(pid, 'SIGKILL');
        await until(() => procState(pid) === 'Z', 'the killed child to be a zombie', 10_000);
        expect(procState(pid)).toBe('Z');
        expect(doneOutputs(out).length).toBeLessThan(N);

        const res = await runCli(['upscale', '--resume', '--json'], w.env);
        expect(res.code, res.stderr).toBe(0);
        expect(res.stderr).not.toMatch(/being run by/);
        const report = JSON.parse(res.stdout) as { items: { status: string }[] };
        expect(report.items).toHaveLength(N);
        expect(report.items.every((i) => i.status === 'done')).toBe(true);
        expect(doneOutputs(out)).toHaveLength(N);
        expect(procState(pid)).toBe('Z'); // still unreaped: its pid alone would say "alive"
      } finally {
        parent.kill('SIGKILL');
      }
    },
  );

  it(
    'takes over a journal naming a live, unrelated process (a reused pid)',
    { timeout: 120_000 },
    async () => {
      const out = join(w.dir, 'out-reused');
      const stranger = spawn('sleep', ['600'], { stdio: 'ignore' });
      try {
        const item = (k: number) => ({
          id: `hand-${k}`,
          input: join(w.dir, 'in', `p${k}.png`),
          relDir: '',
          placement: { outDir: out, nameTemplate: '{name}_x{scale}', onExists: 'suffix' },
          settings: { model: 'tiny', tile: 16 },
          state: k === 0 ? 'running' : 'waiting',
          notes: [],
        });
        // Written by hand in the old (version 1) format, as if process `stranger` ran it.
        writeFileSync(
          join(w.queueDir, `cli-1-${stranger.pid}.json`),
          JSON.stringify({
            version: 1,
            pid: stranger.pid,
            paused: false,
            items: [0, 1, 2].map(item),
          }),
        );
        expect(procState(stranger.pid!)).toMatch(/[RS]/);
        const res = await runCli(['upscale', '--resume', '--json'], w.env);
        expect(res.code, res.stderr).toBe(0);
        expect(res.stderr).not.toMatch(/being run by/);
        expect(doneOutputs(out).sort()).toEqual(['p0_x4.png', 'p1_x4.png', 'p2_x4.png']);
      } finally {
        stranger.kill('SIGKILL');
      }
    },
  );

  it(
    'refuses a batch that is really running, naming its process, and exits 1',
    { timeout: 180_000 },
    async () => {
      const out = join(w.dir, 'out-live');
      await photo(join(w.dir, 'big', 'big.png'), 256, 192);
      const run = startCli(
        ['upscale', join(w.dir, 'big', 'big.png'), '-o', out, '-m', 'tiny', '--tile', '16'],
        w.env,
      );
      try {
        await until(
          () => journalItems(w.queueDir).some((i) => i.state === 'running'),
          `the batch to start: ${run.stderr()}`,
        );
        const res = await runCli(['upscale', '--resume'], w.env);
        expect(res.code).toBe(1);
        expect(res.stderr).toMatch(new RegExp(`is being run by process ${run.child.pid}\\b`));
        expect(res.stderr).toMatch(/could not resume 1 batch\(es\)/);
      } finally {
        run.child.kill('SIGKILL');
        await run.exited;
      }
      // Once it is dead, the same batch is resumed.
      const res = await runCli(['upscale', '--resume'], w.env);
      expect(res.code, res.stderr).toBe(0);
      expect(doneOutputs(out)).toEqual(['big_x4.png']);
    },
  );

  it('--resume with nothing at all to do says so and exits 0', async () => {
    const res = await runCli(['upscale', '--resume'], w.env);
    expect(res.stderr).toMatch(/nothing to resume/);
    expect(res.code).toBe(0);
  });

  it(
    "the app's queue is held the same way: `upres serve` is refused while the app runs it",
    { timeout: 120_000 },
    async () => {
      // A process running the app's engine (the Electron app and `upres serve` build the same one).
      const script = join(w.dir, 'hold-app.mjs');
      const engine = pathToFileURL(join(BIN, '..', '..', 'src', 'main', 'engine', 'index.ts'));
      writeFileSync(
        script,
        `const { createEngine } = await import(${JSON.stringify(engine.href)});
await createEngine({ version: 'test', log: () => undefined });
process.stdout.write('ready\\n');
setInterval(() => undefined, 1000);
`,
      );
      // Run from the repository, so `--import tsx` finds tsx there.
      const holder = spawn(process.execPath, ['--import', 'tsx', script], {
        env: w.env,
        cwd: join(BIN, '..', '..'),
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      try {
        let text = '';
        holder.stdout.on('data', (d: Buffer) => (text += d.toString()));
        await until(() => text.includes('ready'), 'the app engine to open', 60_000);
        const serve = startCli(['serve', '--port', '0', '--no-open'], w.env);
        const code = await Promise.race([serve.exited, sleep(60_000).then(() => 'hung')]);
        if (code === 'hung') serve.child.kill('SIGKILL');
        expect(code).toBe(1);
        expect(serve.stderr()).toMatch(
          new RegExp(`queue .*app\\.json is being run by process ${holder.pid}\\b`),
        );
      } finally {
        holder.kill('SIGKILL');
      }
    },
  );
});
