// Chains of models as the app shows them. A chain id is its stages' ids joined by commas
// ("clean-x1,realesrgan-x4plus"), read the same way as the engine's models/chain-id.ts (model ids
// never hold a comma). The app offers one form of chain: "clean first with" a 1× model, then the
// model chosen as usual.
import type { ModelInfo } from './model-manifest';

const SEPARATOR = ',';

/** The stage ids of an id: one for a model or pair, several for a chain. */
export function chainParts(id: string): string[] {
  return id.split(SEPARATOR).map((s) => s.trim());
}

/** The cleanup stage (first of a chain) and the model after it: "a,b" → a and b; "b" → b alone. */
export function splitCleanup(id: string): { cleanup?: string; model: string } {
  const i = id.indexOf(SEPARATOR);
  return i < 0 ? { model: id } : { cleanup: id.slice(0, i).trim(), model: id.slice(i + 1).trim() };
}

/** The model id of `model` cleaned first with `cleanup` (none: the model alone). */
export function withCleanup(cleanup: string | undefined, model: string): string {
  return cleanup ? `${cleanup}${SEPARATOR}${model}` : model;
}

/**
 * Installed models that can clean first: single 1× models (a pair would be a second dial, which a
 * chain cannot have).
 */
export function cleanupModels(models: readonly ModelInfo[]): ModelInfo[] {
  return models.filter((m) => m.scale === 1 && !m.pair);
}

/**
 * What the app knows of a model id: the installed model or pair, or for a chain a description of
 * the whole (its name in words, the product of the scales, the dial of its one pair stage);
 * undefined when a stage is not installed.
 */
export function modelInfoOf(models: readonly ModelInfo[], id: string): ModelInfo | undefined {
  const parts = chainParts(id);
  if (parts.length === 1) return models.find((m) => m.id === id);
  const stages = parts.map((p) => models.find((m) => m.id === p));
  if (stages.some((s) => !s)) return undefined;
  const known = stages as ModelInfo[];
  const pairs = known.filter((s) => s.pair);
  const last = known[known.length - 1];
  return {
    ...last,
    id,
    name: chainName(known),
    architecture: known.map((s) => s.architecture).join(' → '),
    scale: known.reduce((k, s) => k * s.scale, 1),
    parameters: known.reduce((n, s) => n + s.parameters, 0),
    sizeBytes: known.reduce((n, s) => n + s.sizeBytes, 0),
    // One pair: the chain dials it. Two would be two dials; the engine refuses such a chain.
    pair: pairs.length === 1 ? pairs[0].pair : undefined,
  };
}

function chainName(stages: readonly ModelInfo[]): string {
  const [first, ...rest] = stages;
  return rest.length === 1
    ? `${rest[0].name}, cleaned first with ${first.name}`
    : stages.map((s) => s.name).join(' → ');
}

/**
 * A chain's installed stages by name, in order ("A → B"), as a select shows the model after a
 * cleanup when that is a chain itself (3+ stages); undefined for a single id or a stage not installed.
 */
export function chainStageNames(models: readonly ModelInfo[], id: string): string | undefined {
  const parts = chainParts(id);
  if (parts.length < 2) return undefined;
  const names = parts.map((p) => models.find((m) => m.id === p)?.name);
  return names.every((n) => n !== undefined) ? names.join(' → ') : undefined;
}

/** A chain in words ("Model X, cleaned first with Y"); undefined for a model or pair alone. */
export function chainWords(models: readonly ModelInfo[], id: string): string | undefined {
  if (!id.includes(SEPARATOR)) return undefined;
  return modelInfoOf(models, id)?.name ?? `${chainParts(id).join(' → ')} (not all installed)`;
}
