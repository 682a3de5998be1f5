// Pure helpers of the Models screen: which dropped files are models (and which go together), what
// the list says about each model, and what may be removed or paired. Tested in tests/renderer/.
import type { ModelInfo } from '../../shared/model-manifest';
import type { ErrorCode } from '../../shared/errors';
import { t } from '../i18n/translate';

/** The value of the "Import model…" entry of a Model select (model ids never hold a colon). */
export const IMPORT_MODEL_OPTION = '::import-model';

/** File endings `upres models import` reads (ncnn: a .param with its .bin). */
export const MODEL_EXTENSIONS = ['.pth', '.pt', '.ckpt', '.safetensors', '.onnx', '.param', '.bin'];

const extOf = (name: string): string => {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
};
const stemOf = (name: string): string => {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
};
/** The last part of a path or file name (either separator). */
export const baseName = (path: string): string => path.split(/[\\/]/).pop() ?? path;

/** Whether a file (by its name or path) is one the model import reads. */
export function isModelFile(name: string): boolean {
  return MODEL_EXTENSIONS.includes(extOf(baseName(name)));
}

/**
 * Splits dropped or picked files into models to import and everything else (photos, folders).
 * Each model is one import: a file, or an ncnn `.param` with the `.bin` of the same name (in that
 * order). `nameOf` reads a file's name or path.
 */
export function splitModelFiles<F>(
  files: readonly F[],
  nameOf: (f: F) => string,
): { models: F[][]; others: F[] } {
  const models: F[][] = [];
  const others: F[] = [];
  const ncnn = new Map<string, F[]>();
  for (const f of files) {
    const name = baseName(nameOf(f));
    const ext = extOf(name);
    if (!MODEL_EXTENSIONS.includes(ext)) others.push(f);
    else if (ext === '.param' || ext === '.bin') {
      const key = stemOf(nameOf(f)).toLowerCase();
      const group = ncnn.get(key) ?? [];
      if (group.length === 0) {
        ncnn.set(key, group);
        models.push(group);
      }
      group.push(f);
    } else models.push([f]);
  }
  for (const group of ncnn.values())
    group.sort((a, b) =>
      extOf(nameOf(a)) === '.param' ? -1 : extOf(nameOf(b)) === '.param' ? 1 : 0,
    );
  return { models, others };
}

/** "x.param + x.bin", "model.pth": how one import is named to the user. */
export function importLabel(names: readonly string[]): string {
  return names.map(baseName).join(' + ');
}

/** Where a model came from, in words. */
export function originText(m: ModelInfo): string {
  if (m.origin === 'shipped') return t('models.originShipped');
  if (m.pair) return t('models.originUserPair');
  return m.importedFrom
    ? t('models.originImported', { file: m.importedFrom })
    : t('models.originUser');
}

/** Why a model cannot be removed, or undefined when it can. */
export function removalBlock(m: ModelInfo, all: readonly ModelInfo[]): string | undefined {
  if (m.origin === 'shipped') return t('models.cannotRemoveShipped');
  const pairs = all.filter(
    (p) => p.pair && (p.pair.fidelity === m.id || p.pair.perceptual === m.id),
  );
  if (pairs.length > 0)
    return t('models.cannotRemoveInPair', {
      pairs: pairs.map((p) => `“${p.name}”`).join(', '),
    });
  return undefined;
}

/** The models that can be the other end of a pair with `id` (from `pairOptions`' groups). */
export function pairPartners(groups: readonly (readonly string[])[], id: string): string[] {
  return (groups.find((g) => g.includes(id)) ?? []).filter((other) => other !== id);
}

/** Every model that has at least one partner. */
export function pairable(groups: readonly (readonly string[])[]): string[] {
  return groups.flat();
}

/** A free id for a new pair of `a` and `b` (e.g. "model-a-model-b-pair", then "-2"…). */
export function pairIdFor(a: string, b: string, taken: readonly string[]): string {
  const base = `${a}-${b}-pair`
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) if (!used.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** A sentence that says, in plain words, what kind of refusal an import met (by its code). */
export function refusalHint(code: ErrorCode | undefined): string {
  switch (code) {
    case 'model.refused':
      return t('models.hintRefused');
    case 'input.missing':
      return t('models.hintMissing');
    case 'input.unreadable':
      return t('models.hintUnreadable');
    case 'input.too-large':
      return t('models.hintTooLarge');
    default:
      return t('models.hintOther');
  }
}

/**
 * Paths dropped or opened with the app, routed: model files (an ncnn pair together) to the model
 * import, everything else to the queue, which refuses what it cannot read by name.
 */
export function routePaths(
  paths: readonly string[],
  to: { importModels: (paths: string[]) => void; addPhotos: (paths: string[]) => void },
): void {
  const { models, others } = splitModelFiles(paths, (p) => p);
  if (models.length > 0) to.importModels(models.flat());
  if (others.length > 0) to.addPhotos(others);
}
