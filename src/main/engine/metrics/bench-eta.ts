import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { EngineEvent } from '../../../shared/api';
import { DEFAULT_MODEL } from '../../../shared/defaults';
import { createEngine } from '../create-engine';
import { resolveUserDirs } from '../storage/user-dirs';
import { median } from './median';

interface Sample {
  /** Seconds since Start. */
  t: number;
  queueEta: number;
  estimated: boolean;
  item: string;
}

const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)} %`;

/**
 * The queue's ETA against what really happened: runs a folder through the app's engine (default
 * settings, a fresh user folder, the shipped models) and compares every queue estimate with the
 * time that was in fact left when it was shown.
 */
export async function benchEta(folder: string, model?: string): Promise<string[]> {
  const root = await mkdtemp(join(tmpdir(), 'upres-bench-eta-'));
  const shipped = resolveUserDirs().shippedModels;
  const dirs = {
    userData: root,
    shippedModels: shipped,
    userModels: join(root, 'models'),
    queue: join(root, 'queue'),
  };
  const engine = await createEngine({ dirs, version: 'bench' });
  try {
    const settings = await engine.handlers.settingsGet({});
    const m = model ?? settings.model ?? DEFAULT_MODEL;
    const added = await engine.handlers.queueAdd({
      paths: [folder],
      settings: { model: m },
      outDir: join(root, 'out'),
      recursive: false,
    });
    const items = added.added;
    if (!items.length)
      throw new Error(
        `nothing to run in ${folder}: ${added.problems.map((p) => p.error).join('; ')}`,
      );
    const names = new Map(items.map((i) => [i.id, basename(i.input)]));
    const samples: Sample[] = [];
    const starts = new Map<string, number>();
    const ends = new Map<string, number>();
    let t0 = 0;
    const done = new Promise<void>((resolve) => {
      engine.onEvent((e: EngineEvent) => {
        const t = (performance.now() - t0) / 1000;
        if (e.kind === 'progress') {
          if (!starts.has(e.id)) starts.set(e.id, t);
          if (e.queueEta !== undefined)
            samples.push({ t, queueEta: e.queueEta, estimated: !!e.estimated, item: e.id });
        } else if (e.kind === 'item' && ['done', 'failed', 'cancelled'].includes(e.item.state)) {
          ends.set(e.item.id, t);
          if (ends.size === items.length) resolve();
        }
      });
    });
    t0 = performance.now();
    await engine.handlers.queueControl({ action: 'start' });
    await done;
    const total = Math.max(...ends.values());

    const err = (s: Sample) => (s.queueEta - (total - s.t)) / (total - s.t);
    const rows = samples.filter((s) => total - s.t > 1);
    const lines = [
      `${items.length} photos of ${folder}, model ${m}, default settings: ${total.toFixed(1)} s from Start to the last done`,
      'per photo: start → done (s), and the queue ETA first shown during it against the time really left',
    ];
    for (const i of items) {
      const first = samples.find((s) => s.item === i.id);
      const st = starts.get(i.id) ?? NaN;
      const left = first ? total - first.t : NaN;
      lines.push(
        `  ${names.get(i.id)}: ${st.toFixed(1)} → ${(ends.get(i.id) ?? NaN).toFixed(1)} s` +
          (first
            ? `; at ${first.t.toFixed(1)} s the ETA said ${first.queueEta.toFixed(0)} s, ${left.toFixed(0)} s were left (${pct((first.queueEta - left) / left)})`
            : '; no queue ETA during it'),
      );
    }
    const abs = rows.map((s) => Math.abs(err(s)));
    const worst = rows.reduce<Sample | undefined>(
      (w, s) => (!w || Math.abs(err(s)) > Math.abs(err(w)) ? s : w),
      undefined,
    );
    const third = (k: number) =>
      rows.filter((s) => s.t >= (k * total) / 3 && s.t < ((k + 1) * total) / 3).map(err);
    const firstEta = samples[0];
    lines.push(
      `first queue ETA at ${firstEta ? `${firstEta.t.toFixed(1)} s` : 'never'}; ${rows.length} estimates (${rows.filter((s) => s.estimated).length} between tiles)`,
      `median |error| ${abs.length ? pct(median(abs)) : '?'}, worst ${worst ? `${pct(err(worst))} at ${worst.t.toFixed(0)} s (ETA ${worst.queueEta.toFixed(0)} s, ${(total - worst.t).toFixed(0)} s left)` : '?'} (error = ETA shown ÷ time really left − 1)`,
      `median signed error by third of the run: ${[0, 1, 2].map((k) => (third(k).length ? pct(median(third(k))) : '–')).join(' / ')}`,
    );
    return lines;
  } finally {
    await engine.close();
    await rm(root, { recursive: true, force: true });
  }
}
