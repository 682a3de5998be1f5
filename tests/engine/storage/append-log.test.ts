import { mkdtemp, readFile, appendFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppendLog } from '../../../src/main/engine/storage/append-log';

type State = Record<string, number>;
type Op = { k: string; v: number | null };
const apply = (s: State, op: Op): void => {
  if (op.v === null) delete s[op.k];
  else s[op.k] = op.v;
};
const parse = (x: unknown): State => x as State;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-log-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function logWith(n: number, path: string) {
  const state: State = {};
  for (let i = 0; i < n; i++) state[`item-${i}`] = i;
  const log = await AppendLog.create<State, Op>(path, state, { apply, current: () => state });
  return { state, log };
}

describe('AppendLog', () => {
  it('reads back the snapshot with every appended change applied, as a naive replay gives', async () => {
    const path = join(dir, 'j.log');
    const { state, log } = await logWith(3, path);
    const changes: Op[][] = [
      [{ k: 'item-1', v: 10 }],
      [
        { k: 'item-0', v: null },
        { k: 'x', v: 7 },
      ],
    ];
    for (const ops of changes) {
      for (const op of ops) apply(state, op);
      await log.append(ops);
    }
    await log.close();
    const { state: read, torn } = AppendLog.read(await readFile(path, 'utf8'), parse, apply);
    expect(torn).toBe(false);
    expect(read).toEqual({ 'item-1': 10, 'item-2': 2, x: 7 });
  });

  it('ignores a torn last line (a crash mid-append) and keeps every complete change', async () => {
    const path = join(dir, 'j.log');
    const { state, log } = await logWith(2, path);
    apply(state, { k: 'a', v: 1 });
    await log.append([{ k: 'a', v: 1 }]);
    await log.close();
    await appendFile(path, '[{"k":"b","v":');
    const { state: read, torn } = AppendLog.read(await readFile(path, 'utf8'), parse, apply);
    expect(torn).toBe(true);
    expect(read).toEqual({ 'item-0': 0, 'item-1': 1, a: 1 });
  });

  it('writes the same bytes per change whether the state holds 1 k or 8 k entries (no rewrite of the whole)', async () => {
    const perChange: number[] = [];
    for (const n of [1000, 8000]) {
      const path = join(dir, `j-${n}.log`);
      const { state, log } = await logWith(n, path);
      const before = log.bytesWritten;
      const changes = 200;
      for (let i = 0; i < changes; i++) {
        const op = { k: `item-${i}`, v: -i };
        apply(state, op);
        await log.append([op]);
      }
      // Compactions are part of the cost: count them too, over enough changes to amortise one.
      perChange.push((log.bytesWritten - before) / changes);
      await log.close();
    }
    // Same keys and values in both runs, so the bytes of one change are identical.
    expect(perChange[1]).toBe(perChange[0]);
    expect(perChange[0]).toBeLessThan(40);
  });

  it('compacts once the log outgrows twice the snapshot, and the compacted file reads the same', async () => {
    const path = join(dir, 'j.log');
    const state: State = {};
    for (let i = 0; i < 10; i++) state[`item-${i}`] = i;
    const log = await AppendLog.create<State, Op>(path, state, {
      apply,
      current: () => state,
      minCompactBytes: 4096,
    });
    for (let i = 0; i < 600; i++) {
      const op = { k: `item-${i % 10}`, v: i };
      apply(state, op);
      await log.append([op]);
    }
    await log.close();
    const text = await readFile(path, 'utf8');
    // 600 appends of ~25 bytes would be 15 kB uncompacted; the floor is 4 KiB.
    expect(text.length).toBeLessThan(4096 + 200);
    expect(AppendLog.read(text, parse, apply).state).toEqual(state);
  });
});
