import { unlink } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { msg, textOf, type EngineMessage } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';
import { ModelManifest } from '../../../shared/model-manifest';
import { specDifferences } from './architecture-tensors';
import { type StateDict } from './state-dict';
import type { ModelRegistry } from './model-registry';
import { readModelFile, type ModelFile, type ReadModelOptions } from './read-model-file';
import { refused } from './refusal';
import { encodeModel, sha256, storeModel } from './write-model';

export interface ImportModelOptions extends ReadModelOptions {
  /** Model id (default: from the file name). */
  id?: string;
  /** Display name (default: the file name). */
  name?: string;
  role?: ModelManifest['role'];
}

export interface ImportedModelResult {
  manifest: ModelManifest;
  /** Key layout recognised and what was assumed or converted. */
  layout: string;
  notes: EngineMessage[];
  seconds: number;
}

/** "RRDB_ESRGAN_x4.pth" → "rrdb_esrgan_x4". */
export function idFromFileName(path: string): string {
  const stem = basename(path, extname(path))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return stem || 'model';
}

function sameValues(a: StateDict, b: StateDict): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || w.length !== v.length) return false;
    for (let i = 0; i < v.length; i++) if (v[i] !== w[i]) return false;
  }
  return true;
}

const UNREADABLE = new Set(['EACCES', 'EPERM', 'EISDIR', 'ELOOP', 'EIO']);

/**
 * Reads a file to import. Its failures are classified here, where the file is refused: missing
 * (`input.missing`), unreadable (`input.unreadable`), or not a model Upres accepts
 * (`model.refused`: unknown layout, unsafe pickle, damaged…).
 */
async function readImported(file: string, opt: ReadModelOptions): Promise<ModelFile> {
  try {
    return await readModelFile(file, opt);
  } catch (err) {
    if (err instanceof UpresError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    const errno = (err as NodeJS.ErrnoException).code ?? '';
    const code =
      errno === 'ENOENT'
        ? 'input.missing'
        : UNREADABLE.has(errno)
          ? 'input.unreadable'
          : 'model.refused';
    // A reader's own sentence (deep inside a format: a damaged zip entry, a bad storage record)
    // has no key of its own; the UI quotes it under a sentence of its language.
    throw new UpresError(code, msg('modelFiles.readerFault', { reason: message }), { cause: err });
  }
}

/**
 * Converts a model file into the user's models folder (canonical safetensors + manifest with the
 * file's name and sha256; an ONNX model is stored as its normalised graph, `<id>.onnx`). Refuses a file already imported, weights identical to a known model
 * (whatever their format or layout) and ids already taken. Nothing is written when it refuses.
 */
export async function importModel(
  registry: ModelRegistry,
  file: string,
  opt: ImportModelOptions = {},
): Promise<ImportedModelResult> {
  const t0 = performance.now();
  const dir = registry.dirs.user;
  if (!dir) throw new UpresError('internal', 'no user models folder configured');
  const label = basename(file);
  const id = opt.id ?? idFromFileName(file);
  if (registry.ids().includes(id))
    throw new UpresError('request.invalid', msg('modelFiles.idTaken', { file: label, id }));
  const read = await readImported(file, opt);
  const hashes = read.files.map((f) => ({ path: basename(f.path), sha256: sha256(f.bytes) }));
  for (const m of registry.list()) {
    const same = m.manifest.provenance.sourceFiles.find((s) =>
      hashes.some((h) => h.sha256 === s.sha256),
    );
    if (same)
      throw refused('modelFiles.alreadyImported', {
        file: label,
        id: m.manifest.id,
        source: same.path,
      });
  }
  const provenance = {
    source: `imported by the user from ${label}`,
    sourceFiles: hashes,
    licence: 'unknown (imported by the user)',
    credit: 'unknown (imported by the user)',
    convertedWith: 'upres models import',
    // The manifest's provenance is an English record, like the rest of the manifest.
    notes: [`${read.format}: ${read.layout}`, ...read.notes.map(textOf)].join('; '),
  };
  if (read.onnx) {
    // An ONNX model is stored as its normalised graph: the same stored bytes are the same model.
    const digest = sha256(read.onnx.bytes);
    const same = registry.list().find((m) => m.manifest.weights.sha256 === digest);
    if (same)
      throw refused('modelFiles.sameModel', {
        file: label,
        id: same.manifest.id,
        origin: same.origin,
      });
    const manifest = ModelManifest.parse({
      id,
      name: opt.name ?? label,
      architecture: read.spec,
      role: opt.role ?? 'general',
      weights: {
        file: `${id}.onnx`,
        dtype: read.onnx.dtype,
        parameters: read.onnx.parameters,
        sha256: digest,
      },
      provenance,
    });
    await storeModel(dir, { bytes: read.onnx.bytes, manifest });
    return {
      manifest,
      layout: read.layout,
      notes: read.notes,
      seconds: (performance.now() - t0) / 1000,
    };
  }
  for (const m of registry.list()) {
    if (m.manifest.architecture.kind === 'onnx') continue;
    if (specDifferences(m.manifest.architecture, read.spec).length > 0) continue;
    if (sameValues(await registry.weights(m.manifest.id), read.weights))
      throw refused('modelFiles.sameWeights', {
        file: label,
        id: m.manifest.id,
        origin: m.origin,
      });
  }
  const encoded = encodeModel({
    id,
    name: opt.name ?? label,
    role: opt.role ?? 'general',
    spec: read.spec,
    weights: read.weights,
    dtype: read.halfPrecision ? 'float16' : 'float32',
    provenance,
  });
  const manifest = await storeModel(dir, encoded);
  return {
    manifest,
    layout: read.layout,
    notes: read.notes,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Removes a user model or pair; shipped ones and models a pair still uses are refused. */
export async function removeModel(registry: ModelRegistry, id: string): Promise<void> {
  const dir = registry.dirs.user;
  if (registry.isPair(id)) {
    const p = registry.getPair(id);
    if (p.origin !== 'user' || !dir)
      throw new UpresError('request.invalid', msg('modelFiles.removeShipped', { id }));
    await unlink(join(dir, `${id}.pair.json`));
    return;
  }
  const m = registry.get(id);
  if (m.origin !== 'user' || !dir)
    throw new UpresError('request.invalid', msg('modelFiles.removeShipped', { id }));
  const users = registry.pairsUsing(id);
  if (users.length > 0)
    throw new UpresError(
      'request.invalid',
      msg('modelFiles.removeInPair', { id, pairs: users.join(', ') }),
    );
  // The manifest goes first: a model without one is invisible, never half-listed.
  await unlink(join(m.dir, `${id}.json`));
  await unlink(join(m.dir, m.manifest.weights.file)).catch(() => undefined);
}
