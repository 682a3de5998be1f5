import type { ModelRegistry } from '../main/engine/models/model-registry';

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
