// The app's model calls (Models screen): import, remove, pair, and which models can pair. The same
// engine operations as `upres models import|remove|pair`, with the same checks and refusals; what
// differs is only what an app user is never asked for (an id: one is made from the file name).
import type { ApiRequest, ApiResponse } from '../../../shared/api';
import type { EngineMessage } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';
import type { ModelInfo } from '../../../shared/model-manifest';
import { idFromFileName, importModel, removeModel } from '../models/import-model';
import type { ModelRegistry } from '../models/model-registry';
import { checkPairCompatible, type PairEnd } from '../models/pair-compat';
import { writePair } from '../models/write-pair';
import { basename, extname } from 'node:path';
import { expandPath } from './app-engine';

type Handler<M extends 'importModel' | 'removeModel' | 'pairModels' | 'pairOptions'> = (
  req: ApiRequest<M>,
) => Promise<ApiResponse<M>>;

export interface ModelHandlers {
  importModel: Handler<'importModel'>;
  removeModel: Handler<'removeModel'>;
  pairModels: Handler<'pairModels'>;
  pairOptions: Handler<'pairOptions'>;
}

function infoOf(registry: ModelRegistry, id: string): ModelInfo {
  const info = registry.info().find((m) => m.id === id);
  if (!info) throw new UpresError('internal', `${id} is not in the registry after writing it`);
  return info;
}

/**
 * An id for a file imported without one: from its name, with `-2`, `-3`… when that is taken (two
 * different downloads are often both called `model.pth`; the same file is still refused, by its
 * sha256, naming the model it was imported as).
 */
export function freeModelId(taken: readonly string[], file: string): string {
  const base = idFromFileName(file);
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) if (!used.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** The pairing end of a registered single model (ONNX models bring their stored graph). */
async function endOf(registry: ModelRegistry, id: string): Promise<PairEnd> {
  const spec = registry.get(id).manifest.architecture;
  return { id, spec, onnx: spec.kind === 'onnx' ? await registry.onnxBytes(id) : undefined };
}

/**
 * Groups the single models by what `checkPairCompatible` accepts (same architecture and tensor
 * shapes): each model joins the first group whose first member it pairs with. A model whose
 * weights cannot be read (a damaged ONNX file) pairs with nothing.
 */
export async function pairGroups(registry: ModelRegistry): Promise<string[][]> {
  const groups: { head: PairEnd; ids: string[] }[] = [];
  for (const m of registry.list()) {
    let end: PairEnd;
    try {
      end = await endOf(registry, m.manifest.id);
    } catch {
      continue;
    }
    const group = groups.find((g) => {
      try {
        checkPairCompatible(g.head, end);
        return true;
      } catch {
        return false;
      }
    });
    if (group) group.ids.push(end.id);
    else groups.push({ head: end, ids: [end.id] });
  }
  return groups.filter((g) => g.ids.length >= 2).map((g) => g.ids);
}

/**
 * The model calls of the API contract, on one registry (rescanned after every change). `inUse`
 * answers why a model must stay (photos waiting with it, the default for new photos, a preset), if
 * it must.
 */
export function createModelHandlers(
  registry: ModelRegistry,
  inUse: (
    id: string,
  ) => EngineMessage | string | undefined | Promise<EngineMessage | string | undefined> = () =>
    undefined,
): ModelHandlers {
  return {
    importModel: async ({ path, ...opt }) => {
      const file = expandPath(path);
      const id = opt.id ?? freeModelId(registry.ids(), file);
      // Shown in every Model list: the file's name without its ending (the manifest keeps the
      // file's full name and sha256 as its provenance).
      const name = opt.name ?? (basename(file, extname(file)) || basename(file));
      const r = await importModel(registry, file, { ...opt, id, name });
      await registry.refresh();
      return { model: infoOf(registry, r.manifest.id), layout: r.layout, notes: r.notes };
    },
    removeModel: async ({ id }) => {
      const why = await inUse(id);
      if (why) throw new UpresError('request.invalid', why);
      await removeModel(registry, id);
      await registry.refresh();
      return { removed: id };
    },
    pairModels: async (p) => {
      const dir = registry.dirs.user;
      if (!dir) throw new UpresError('internal', 'no user models folder configured');
      await writePair(registry, dir, p);
      await registry.refresh();
      return infoOf(registry, p.id);
    },
    pairOptions: async () => ({ groups: await pairGroups(registry) }),
  };
}
