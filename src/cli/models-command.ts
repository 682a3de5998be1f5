import type { ModelRegistry } from '../main/engine/models/model-registry';
import { writePair, type NewPair } from '../main/engine/models/write-pair';
import { userModelsDir } from '../main/engine/user-data';
import { UsageError } from './usage-error';

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
    m.role,
    m.origin,
    m.licence,
  ]);
  const head = ['id', 'architecture', 'scale', 'params', 'role', 'origin', 'licence'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [head, ...rows])
    process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i])).join('  ')}\n`);
  return 0;
}

/** `upres models pair`: stores a new pair in the user's models folder. */
export async function runPair(registry: ModelRegistry, pair: NewPair): Promise<number> {
  let manifest;
  try {
    manifest = await writePair(registry, userModelsDir(), pair);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  process.stderr.write(
    `paired ${manifest.fidelity} (α 0) with ${manifest.perceptual} (α 1) as ${manifest.id}, default α ${manifest.defaultAlpha}\n`,
  );
  return 0;
}
