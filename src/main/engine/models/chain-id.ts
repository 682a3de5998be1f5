// A chain of models is named by its stages' ids joined with commas ("jpeg-clean,realesrgan-x4plus"):
// model ids never hold a comma (see idFromFileName), so a chain id cannot be mistaken for a model's.

const SEPARATOR = ',';

/** The stage ids of a chain id, or undefined for a single model or pair id. */
export function chainStages(id: string): string[] | undefined {
  if (!id.includes(SEPARATOR)) return undefined;
  return id.split(SEPARATOR).map((s) => s.trim());
}

/** The id of a chain of these models, in order. */
export function chainId(stages: readonly string[]): string {
  return stages.join(SEPARATOR);
}
