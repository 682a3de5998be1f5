import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { msg } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';
import { ModelManifest, PairManifest, type ModelInfo } from '../../../shared/model-manifest';
import type { StateDict } from './state-dict';
import { readModelBytes } from './model-bytes';
import { selfContainedOnnx } from './onnx/external-data';
import { readSafetensors } from './safetensors';
import { sha256 } from './write-model';
import { resolveUserDirs } from '../storage/user-dirs';

export type Origin = 'shipped' | 'user';

export interface RegisteredModel {
  manifest: ModelManifest;
  dir: string;
  origin: Origin;
}

export interface RegisteredPair {
  manifest: PairManifest;
  origin: Origin;
}

/** The shipped models folder, as resolveUserDirs finds it (`UPRES_MODELS_DIR` or the repository's). */
export function shippedModelsDir(): string {
  return resolveUserDirs().shippedModels;
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
}

async function scan(
  dir: string,
  origin: Origin,
): Promise<{ models: RegisteredModel[]; pairs: RegisteredPair[] }> {
  const models: RegisteredModel[] = [];
  const pairs: RegisteredPair[] = [];
  if (!existsSync(dir)) return { models, pairs };
  for (const n of (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()) {
    const path = join(dir, n);
    const json = await readJson(path);
    const parsed = n.endsWith('.pair.json')
      ? PairManifest.safeParse(json)
      : ModelManifest.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${path}: invalid manifest: ${issue?.path.join('.')}: ${issue?.message}`);
    }
    if ('kind' in parsed.data && parsed.data.kind === 'pair')
      pairs.push({ manifest: parsed.data, origin });
    else models.push({ manifest: parsed.data as ModelManifest, dir, origin });
  }
  return { models, pairs };
}

function weightBytes(m: ModelManifest): number {
  return m.weights.parameters * (m.weights.dtype === 'float16' ? 2 : 4);
}

export interface RegistryDirs {
  shipped: string;
  user?: string;
}

/** The shipped models and the user's own. */
export function defaultRegistryDirs(): RegistryDirs {
  const dirs = resolveUserDirs();
  return { shipped: dirs.shippedModels, user: dirs.userModels };
}

/** Models and pairs known to the engine, by id. */
export class ModelRegistry {
  private models = new Map<string, RegisteredModel>();
  private pairs = new Map<string, RegisteredPair>();
  /** Problems found while scanning that did not stop the registry from opening. */
  warnings: string[] = [];

  private constructor(readonly dirs: RegistryDirs) {}

  static async open(dirs: RegistryDirs = defaultRegistryDirs()): Promise<ModelRegistry> {
    const registry = new ModelRegistry(dirs);
    await registry.refresh();
    return registry;
  }

  /** Rescans both folders (after an import, a removal or a new pair). */
  async refresh(): Promise<void> {
    const shipped = await scan(this.dirs.shipped, 'shipped');
    const user = this.dirs.user ? await scan(this.dirs.user, 'user') : { models: [], pairs: [] };
    const models = new Map<string, RegisteredModel>();
    const warnings: string[] = [];
    for (const m of [...shipped.models, ...user.models]) {
      if (models.has(m.manifest.id)) {
        warnings.push(`${m.dir}: model ${m.manifest.id} ignored: a shipped model has that id`);
        continue;
      }
      models.set(m.manifest.id, m);
    }
    const pairs = new Map([...shipped.pairs, ...user.pairs].map((p) => [p.manifest.id, p]));
    for (const p of pairs.values()) {
      for (const end of [p.manifest.fidelity, p.manifest.perceptual]) {
        if (!models.has(end))
          throw new Error(`pair ${p.manifest.id} refers to unknown model ${end}`);
      }
    }
    this.models = models;
    this.pairs = pairs;
    this.warnings = warnings;
  }

  list(): RegisteredModel[] {
    return [...this.models.values()];
  }

  ids(): string[] {
    return [...this.models.keys(), ...this.pairs.keys()];
  }

  isPair(id: string): boolean {
    return this.pairs.has(id);
  }

  get(id: string): RegisteredModel {
    const m = this.models.get(id);
    if (!m)
      throw new UpresError(
        'model.unknown',
        msg('modelFiles.unknownModel', { id, known: this.ids().join(', ') }),
      );
    return m;
  }

  /** Ids of the pairs that use a model as one of their ends. */
  pairsUsing(id: string): string[] {
    return [...this.pairs.values()]
      .filter((p) => p.manifest.fidelity === id || p.manifest.perceptual === id)
      .map((p) => p.manifest.id);
  }

  getPair(id: string): RegisteredPair {
    const p = this.pairs.get(id);
    if (!p)
      throw new UpresError(
        'model.unknown',
        msg('modelFiles.unknownPair', {
          id,
          count: this.pairs.size,
          known: [...this.pairs.keys()].join(', '),
        }),
      );
    return p;
  }

  info(): ModelInfo[] {
    const single = this.list().map(({ manifest: m, origin }): ModelInfo => ({
      id: m.id,
      name: m.name,
      architecture: m.architecture.kind,
      scale: m.architecture.scale,
      parameters: m.weights.parameters,
      role: m.role,
      origin,
      sizeBytes: weightBytes(m),
      source: m.provenance.source,
      licence: m.provenance.licence,
      credit: m.provenance.credit,
      importedFrom:
        origin === 'user' && m.provenance.sourceFiles.length > 0
          ? m.provenance.sourceFiles.map((f) => f.path).join(' + ')
          : undefined,
    }));
    const pairs = [...this.pairs.values()].map(({ manifest: p, origin }): ModelInfo => {
      const f = this.get(p.fidelity).manifest;
      const g = this.get(p.perceptual).manifest;
      return {
        id: p.id,
        name: p.name,
        architecture: f.architecture.kind,
        scale: f.architecture.scale,
        parameters: f.weights.parameters,
        role: 'pair',
        origin,
        sizeBytes: weightBytes(f) + weightBytes(g),
        source: `pair of ${p.fidelity} and ${p.perceptual}`,
        licence:
          f.provenance.licence === g.provenance.licence
            ? f.provenance.licence
            : `${f.provenance.licence} / ${g.provenance.licence}`,
        credit:
          f.provenance.credit === g.provenance.credit
            ? f.provenance.credit
            : `${g.provenance.credit}; ${f.provenance.credit}`,
        pair: { fidelity: p.fidelity, perceptual: p.perceptual, defaultAlpha: p.defaultAlpha },
      };
    });
    return [...single, ...pairs];
  }

  /**
   * What a model's graph is built from, without reading it: the manifest and the weights file's
   * identity (a replaced or rewritten file has another inode, size or time).
   */
  async weightsIdentity(id: string): Promise<unknown> {
    const m = this.get(id);
    const file = join(m.dir, m.manifest.weights.file);
    const st = await stat(file);
    return { id, manifest: m.manifest, file, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
  }

  /** Reads a model's weights (buildGraph checks them against the manifest's architecture). */
  async weights(id: string): Promise<StateDict> {
    const m = this.get(id);
    if (m.manifest.architecture.kind === 'onnx')
      throw new Error(`${id} is an imported ONNX model: it runs from its graph (see onnxBytes)`);
    const file = await readSafetensors(join(m.dir, m.manifest.weights.file));
    // Checked against the architecture where every set of weights is: when its graph is built.
    return new Map([...file.tensors].map(([k, t]) => [k, t.values]));
  }

  /**
   * The stored graph of an imported ONNX model, checked against its manifest's sha256 and, again
   * (it was at import), for external data; re-encoded, so only fields that were checked reach
   * onnxruntime.
   */
  async onnxBytes(id: string): Promise<Uint8Array> {
    const m = this.get(id);
    if (m.manifest.architecture.kind !== 'onnx')
      throw new Error(`${id} is not an ONNX model; its weights are read with weights()`);
    const file = join(m.dir, m.manifest.weights.file);
    const bytes = new Uint8Array(await readModelBytes(file));
    if (sha256(bytes) !== m.manifest.weights.sha256)
      throw new UpresError('model.refused', msg('modelFiles.storedModelChanged', { file, id }));
    return selfContainedOnnx(bytes, file);
  }
}
