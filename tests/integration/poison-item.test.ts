// A photo that kills the engine must not block `--resume` for ever (issue 17, point 4). A real
// `upres upscale` is SIGKILLed while the same slow item runs, then resumed, up to three times:
// resume runs the other items first, gives the photo one more try, and fails it at the second crash.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueItem } from '../../src/shared/queue';
import { runCli } from '../helpers/run-cli';
import {
  batchWorld,
  journalItems,
  photo,
  sleep,
  startCli,
  until,
  type BatchWorld,
} from './batch-world';

let w: BatchWorld;
const OTHERS = ['b.png', 'c.png', 'd.png', 'e.png'];

beforeAll(async () => {
  w = await batchWorld('upres-poison-');
  // a.png comes first and is slow (192 tiles of the tiny model); the others are quick.
  await photo(join(w.dir, 'in', 'a.png'), 256, 192);
  for (const [k, n] of OTHERS.entries()) await photo(join(w.dir, 'in', n), 48, 32, k);
});
afterAll(() => w.cleanup());

/** The slow item as the journal has it (as written by process `pid`, when given). */
const slow = (pid?: number): QueueItem | undefined =>
  journalItems(w.queueDir, pid).find((i) => i.input.endsWith('a.png'));
const outputs = (out: string): string[] =>
  existsSync(out)
    ? readdirSync(out)
        .filter((n) => !n.startsWith('.'))
        .sort()
    : [];

/**
 * Runs `upres` and kills it with SIGKILL once the slow item has recorded that it started (on disk
 * before its first tile) and its tiles are under way. Returns the exit code, or 'killed'.
 */
async function runKillingSlow(args: string[]): Promise<number | 'killed'> {
  const run = startCli(args, w.env);
  let code: number | null | undefined;
  void run.exited.then((c) => (code = c));
  await until(
    // The journal of a killed run still says "running": wait for this process's own record.
    () => code !== undefined || slow(run.child.pid)?.state === 'running',
    `the slow item to start: ${run.stderr()}`,
  );
  if (code !== undefined) return code ?? -1;
  await sleep(500);
  run.child.kill('SIGKILL');
  await run.exited;
  return code === null || code === undefined ? 'killed' : code;
}

describe('a photo that crashes the engine', () => {
  it(
    'is tried once more after the others, then failed with engine.stopped; the rest finish',
    { timeout: 300_000 },
    async () => {
      const out = join(w.dir, 'out');
      const base = ['-m', 'tiny', '--tile', '16'];
      expect(await runKillingSlow(['upscale', join(w.dir, 'in'), '-o', out, ...base])).toBe(
        'killed',
      );
      expect(outputs(out)).toEqual([]); // killed during the first item

      // First resume: the other items run first, then the photo gets its one more try.
      expect(await runKillingSlow(['upscale', '--resume'])).toBe('killed');
      expect(outputs(out)).toEqual(OTHERS.map((n) => n.replace('.png', '_x4.png')));
      expect(slow()?.crashes).toBe(1);

      // Second resume: the photo is not started again (no third kill is possible) and fails.
      const third = await runKillingSlow(['upscale', '--resume']);
      expect(third).toBe(1);

      const last = await runCli(['upscale', '--resume'], w.env);
      expect(last.stderr).toMatch(/nothing to resume/);
      expect(outputs(out)).not.toContain('a_x4.png');
    },
  );

  it(
    'reports the failed photo with its code and message in --json',
    { timeout: 300_000 },
    async () => {
      // The same path again, checking the report of the resume that fails the photo.
      const out = join(w.dir, 'out2');
      const base = ['-m', 'tiny', '--tile', '16'];
      expect(await runKillingSlow(['upscale', join(w.dir, 'in'), '-o', out, ...base])).toBe(
        'killed',
      );
      expect(await runKillingSlow(['upscale', '--resume'])).toBe('killed');
      const res = await runCli(['upscale', '--resume', '--json'], w.env);
      expect(res.code).toBe(1);
      const report = JSON.parse(res.stdout) as {
        items: { input: string; status: string; error?: string }[];
      };
      const byName = Object.fromEntries(report.items.map((i) => [i.input.split('/').pop(), i]));
      expect(Object.keys(byName).sort()).toEqual(['a.png', ...OTHERS]);
      for (const n of OTHERS) expect(byName[n].status).toBe('done');
      expect(byName['a.png']).toMatchObject({ status: 'error' });
      expect(byName['a.png'].error).toMatch(
        /a\.png: the engine stopped while processing this photo/,
      );
      expect(res.stderr).toMatch(/the engine stopped while processing this photo/);
    },
  );
});
