import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { UpscaleQueue, type Renderer } from '../queue/upscale-queue';

/** Writes a few bytes as the output: what is measured is the queue and its journal, not a model. */
const trivialRenderer: Renderer = async (req) => {
  req.onPlan(64);
  req.onTile({ tile: 1, tiles: 1, tileSize: 64 });
  await writeFile(req.tmp, 'upres');
  return { device: 'cpu', tileSize: 64 };
};

interface Row {
  n: number;
  add: number;
  cancel: number;
  finish: number;
  /** Journal bytes per single change while finishing (compactions included). */
  bytesPerChange: number;
  writesAdd: number;
  writesCancel: number;
}

async function measure(root: string, n: number, png: Buffer): Promise<Row> {
  const folder = join(root, `in-${n}`);
  await mkdir(folder);
  for (let i = 0; i < n; i++)
    await writeFile(join(folder, `p${String(i).padStart(6, '0')}.png`), png);
  const open = (name: string) =>
    UpscaleQueue.open({
      journalPath: join(root, 'queue', `${name}-${n}.json`),
      render: trivialRenderer,
      modelScale: () => 4,
    });
  const settings = { model: 'bench' };
  const timed = async (fn: () => Promise<unknown>): Promise<number> => {
    const t0 = performance.now();
    await fn();
    return (performance.now() - t0) / 1000;
  };

  // Add and cancel all: one queue.
  const a = await open('cancel');
  let w = a.journalStats.writes;
  const add = await timed(() => a.add([folder], settings, { outDir: join(root, `out-a-${n}`) }));
  const writesAdd = a.journalStats.writes - w;
  w = a.journalStats.writes;
  const cancel = await timed(() => a.cancelAll());
  const writesCancel = a.journalStats.writes - w;
  await a.close();

  // Add and finish every item: another.
  const b = await open('finish');
  await b.add([folder], settings, { outDir: join(root, `out-b-${n}`) });
  const before = b.journalStats;
  const finish = await timed(() => b.start());
  const after = b.journalStats;
  // Each finished item is three journaled changes: running, committing, done.
  const changes = 3 * n;
  await b.close();
  return {
    n,
    add,
    cancel,
    finish,
    bytesPerChange: (after.bytesWritten - before.bytesWritten) / changes,
    writesAdd,
    writesCancel,
  };
}

/**
 * The queue's costs as it grows: time to add, cancel and finish n tiny items, and the journal's
 * bytes per change, for each n side by side (growth should be linear in n, per-change bytes flat).
 */
export async function benchQueue(sizes: number[]): Promise<string[]> {
  const root = await mkdtemp(join(tmpdir(), 'upres-bench-queue-'));
  const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#345' } })
    .png()
    .toBuffer();
  const lines = [
    'queue of tiny items (2×2 PNGs; the renderer writes 5 bytes per output, no model runs)',
    `journal in ${root}`,
    '    items   add (s)  cancel all (s)  finish (s)  per item add / finish (ms)  journal bytes per change  writes (add, cancel all)',
  ];
  try {
    for (const n of sizes) {
      const r = await measure(root, n, png);
      lines.push(
        `${String(n).padStart(9)} ${r.add.toFixed(2).padStart(9)} ${r.cancel.toFixed(3).padStart(15)} ${r.finish.toFixed(2).padStart(11)}` +
          `  ${((1000 * r.add) / n).toFixed(3).padStart(12)} / ${((1000 * r.finish) / n).toFixed(3).padEnd(12)}` +
          `  ${r.bytesPerChange.toFixed(0).padStart(24)}  ${r.writesAdd}, ${r.writesCancel}`,
      );
      console.error(lines.at(-1));
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return lines;
}
