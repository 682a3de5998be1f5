import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelManifest, type ModelInfo } from '../../../shared/model-manifest';
import type { StateDict } from './architecture-tensors';
import { checkStateDict } from './architecture-tensors';
import { readSafetensors } from './safetensors';

export interface RegisteredModel {
  manifest: ModelManifest;
  dir: string;
  origin: 'shipped' | 'user';
}

/** The shipped models folder: `UPRES_MODELS_DIR`, else `resources/models` above this file. */
export function shippedModelsDir(): string {
  if (process.env.UPRES_MODELS_DIR) return resolve(process.env.UPRES_MODELS_DIR);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'resources', 'models');
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find resources/models; set UPRES_MODELS_DIR');
    dir = up;
  }
}

async function scan(dir: string, origin: RegisteredModel['origin']): Promise<RegisteredModel[]> {
  if (!existsSync(dir)) return [];
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  const out: RegisteredModel[] = [];
  for (const n of names) {
    const path = join(dir, n);
    const parsed = ModelManifest.safeParse(JSON.parse(await readFile(path, 'utf8')));
    if (!parsed.success)
      throw new Error(`${path}: invalid model manifest: ${parsed.error.issues[0]?.message}`);
    out.push({ manifest: parsed.data, dir, origin });
  }
  return out;
}

/** Models known to the engine, by id. */
export class ModelRegistry {
  private constructor(private readonly models: Map<string, RegisteredModel>) {}

  static async open(
    dirs: { shipped: string; user?: string } = { shipped: shippedModelsDir() },
  ): Promise<ModelRegistry> {
    const all = [
      ...(await scan(dirs.shipped, 'shipped')),
      ...(dirs.user ? await scan(dirs.user, 'user') : []),
    ];
    return new ModelRegistry(new Map(all.map((m) => [m.manifest.id, m])));
  }

  list(): RegisteredModel[] {
    return [...this.models.values()];
  }

  get(id: string): RegisteredModel {
    const m = this.models.get(id);
    if (!m)
      throw new Error(`unknown model "${id}"; known models: ${[...this.models.keys()].join(', ')}`);
    return m;
  }

  info(): ModelInfo[] {
    return this.list().map(({ manifest: m, origin }) => ({
      id: m.id,
      name: m.name,
      architecture: m.architecture.kind,
      scale: m.architecture.scale,
      parameters: m.weights.parameters,
      role: m.role,
      origin,
      licence: m.provenance.licence,
      credit: m.provenance.credit,
    }));
  }

  /** Reads a model's weights, checking them against its manifest's architecture. */
  async weights(id: string): Promise<StateDict> {
    const m = this.get(id);
    const file = await readSafetensors(join(m.dir, m.manifest.weights.file));
    const dict: StateDict = new Map([...file.tensors].map(([k, t]) => [k, t.values]));
    checkStateDict(m.manifest.architecture, dict);
    return dict;
  }
}
