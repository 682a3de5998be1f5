// A world for tests that drive real `upres upscale` processes: a tiny model, photos, a user folder,
// and ways to watch a child's journal (what an item records durably before its first tile).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { parseJournal, type JournalState } from '../../src/main/engine/queue/journal';
import type { QueueItem } from '../../src/shared/queue';
import { writeTinyModel, TINY_RRDB } from '../helpers/random-models';

export const BIN = fileURLToPath(new URL('../../bin/upres.js', import.meta.url));

export interface BatchWorld {
  dir: string;
  env: NodeJS.ProcessEnv;
  queueDir: string;
  cleanup(): void;
}

export async function batchWorld(prefix: string): Promise<BatchWorld> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const models = join(dir, 'shipped');
  await writeTinyModel(models, 'tiny', TINY_RRDB, 3);
  return {
    dir,
    env: { ...process.env, UPRES_MODELS_DIR: models, UPRES_USER_DIR: join(dir, 'user') },
    queueDir: join(dir, 'user', 'queue'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A PNG of a flat colour (size decides how long the tiny model takes). */
export async function photo(path: string, width: number, height: number, k = 0): Promise<void> {
  mkdirSync(join(path, '..'), { recursive: true });
  await sharp({
    create: { width, height, channels: 3, background: { r: 30 * k, g: 90, b: 200 - 20 * k } },
  })
    .png()
    .toFile(path);
}

/** The batch journals in a queue folder as on disk (those readable this instant). */
export function journals(queueDir: string): JournalState[] {
  if (!existsSync(queueDir)) return [];
  const found: JournalState[] = [];
  for (const n of readdirSync(queueDir).filter((x) => /^cli-.*\.json$/.test(x))) {
    try {
      found.push(parseJournal(readFileSync(join(queueDir, n), 'utf8')).state);
    } catch {
      // Being replaced this instant (a compaction renames a new file in): look again later.
    }
  }
  return found;
}

/** The items of the batch journals in a queue folder; with `pid`, only those that process wrote. */
export function journalItems(queueDir: string, pid?: number): QueueItem[] {
  return journals(queueDir)
    .filter((j) => pid === undefined || j.pid === pid)
    .flatMap((j) => j.items);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `ready` holds; fails with `what` after `ms`. */
export async function until(ready: () => boolean, what: string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Starts `upres` with stderr collected; `exited` resolves with its code (null when killed). */
export function startCli(
  args: string[],
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.resume();
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, stderr: () => stderr, exited };
}

/** The state letter of a process in /proc (R, S, Z…), or undefined once it is gone. */
export function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}
