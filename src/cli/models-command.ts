import { importModel, removeModel } from '../main/engine/models/import-model';
import type { ModelRegistry } from '../main/engine/models/model-registry';
import { writePair, type NewPair } from '../main/engine/models/write-pair';
import { textOf } from '../shared/engine-message';
import { UpresError } from '../shared/errors';

/** Prints the model list, as a table or as one JSON document. */
export function runModels(registry: ModelRegistry, json: boolean): number {
  const models = registry.info();
  if (json) {
    process.stdout.write(`${JSON.stringify({ models }, null, 2)}\n`);
    return 0;
  }
  const rows = models.map((m) => [
    m.id,
    m.architecture,
    `×${m.scale}`,
    `${(m.parameters / 1e6).toFixed(2)} M`,
    `${(m.sizeBytes / 2 ** 20).toFixed(1)} MiB`,
    m.role,
    m.origin,
    m.licence,
    m.source,
  ]);
  const head = [
    'id',
    'architecture',
    'scale',
    'params',
    'size',
    'role',
    'origin',
    'licence',
    'source',
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [head, ...rows])
    process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i])).join('  ')}\n`);
  return 0;
}

/** The user's models folder of a registry (the CLI's always has one). */
function userModels(registry: ModelRegistry): string {
  if (!registry.dirs.user) throw new UpresError('internal', 'no user models folder configured');
  return registry.dirs.user;
}

/**
 * `upres models pair`: stores a new pair in the user's models folder. Failures keep their codes
 * (a taken id, models that cannot pair: bad usage; see exit-codes.ts).
 */
export async function runPair(registry: ModelRegistry, pair: NewPair): Promise<number> {
  const manifest = await writePair(registry, userModels(registry), pair);
  process.stderr.write(
    `paired ${manifest.fidelity} (α 0) with ${manifest.perceptual} (α 1) as ${manifest.id}, default α ${manifest.defaultAlpha}\n`,
  );
  return 0;
}

export interface ImportCliOptions {
  id?: string;
  name?: string;
  role: 'fidelity' | 'perceptual' | 'general';
  resScale?: number;
  rgbRange?: number;
  json: boolean;
}

/**
 * `upres models import <file>`: converts a model file into the user's models folder. A refused or
 * missing file fails (exit 1), a taken id is bad usage (exit 2).
 */
export async function runImport(
  registry: ModelRegistry,
  file: string,
  opt: ImportCliOptions,
): Promise<number> {
  const r = await importModel(registry, file, opt);
  const m = r.manifest;
  const a = m.architecture;
  if (opt.json)
    process.stdout.write(`${JSON.stringify({ model: m, layout: r.layout }, null, 2)}\n`);
  process.stderr.write(
    `imported ${file} as ${m.id}: ${r.layout}, ${a.kind} ×${a.scale}, ${(m.weights.parameters / 1e6).toFixed(2)} M parameters (${m.weights.dtype}) in ${r.seconds.toFixed(1)} s\n`,
  );
  for (const n of r.notes) process.stderr.write(`  note: ${textOf(n)}\n`);
  return 0;
}

/** `upres models remove <id>`. */
export async function runRemove(registry: ModelRegistry, id: string): Promise<number> {
  await removeModel(registry, id);
  process.stderr.write(`removed ${id}\n`);
  return 0;
}
