import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { z } from 'zod';
import type { ExecutionDevice } from '../../../shared/device';
import { atomicWrite } from '../storage/atomic-write';
import { resolveUserDirs } from '../storage/user-dirs';

const StoreFile = z.object({
  version: z.literal(1),
  /** Key (device, precision, model, software) → the largest tile core (px) known to fit. */
  tiles: z.record(z.string(), z.number().int().positive()),
});

/** What a tile size that fitted was measured on: a change of any of these means starting over. */
export interface GpuTileKey {
  device: ExecutionDevice;
  fp16: boolean;
  model: string;
}

function keyOf(k: GpuTileKey): string {
  // The Vulkan driver file (WebGPU on Linux) and onnxruntime's version change what fits.
  const software = `${ort.env.versions.common}|${process.env.VK_ICD_FILENAMES ?? ''}`;
  return `${k.device}|${k.fp16 ? 'fp16' : 'fp32'}|${k.model}|${software}`;
}

/**
 * The GPU tile sizes that worked, per device and model, kept in the user data folder
 * (`gpu-tiles.json`): GPUs report no free memory, so the size an out-of-memory retry settled on is
 * where the next job on that device starts. Read synchronously once (tile sizing is synchronous).
 */
export class GpuTileStore {
  private tiles: Record<string, number> | undefined;

  constructor(private readonly path: string) {}

  private load(): Record<string, number> {
    if (this.tiles) return this.tiles;
    try {
      const r = StoreFile.safeParse(JSON.parse(readFileSync(this.path, 'utf8')));
      this.tiles = r.success ? { ...r.data.tiles } : {};
    } catch {
      // Missing or unreadable: nothing learned yet (the file is rewritten on the next success).
      this.tiles = {};
    }
    return this.tiles;
  }

  /** The tile core that last fitted, if one was kept. */
  get(k: GpuTileKey): number | undefined {
    return this.load()[keyOf(k)];
  }

  /** Keeps `tile` as the size that fits (written only when it differs from what is kept). */
  async put(k: GpuTileKey, tile: number): Promise<void> {
    const tiles = this.load();
    if (tiles[keyOf(k)] === tile) return;
    tiles[keyOf(k)] = tile;
    await mkdir(dirname(this.path), { recursive: true });
    await atomicWrite(this.path, `${JSON.stringify({ version: 1, tiles }, null, 2)}\n`);
  }
}

const stores = new Map<string, GpuTileStore>();

/** The user's store (the folder resolved at each call, so a changed UPRES_USER_DIR is honoured). */
export function userGpuTiles(): GpuTileStore {
  const path = join(resolveUserDirs().userData, 'gpu-tiles.json');
  let s = stores.get(path);
  if (!s) stores.set(path, (s = new GpuTileStore(path)));
  return s;
}
