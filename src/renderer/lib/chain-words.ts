// A chain of models in words, in the UI language (shared/model-chain.ts words the engine's names).
import type { ModelInfo } from '../../shared/model-manifest';
import { chainParts } from '../../shared/model-chain';
import { t } from '../i18n/translate';

/** "Model X, cleaned first with Y"; undefined for a model or pair alone. */
export function chainWords(models: readonly ModelInfo[], id: string): string | undefined {
  const parts = chainParts(id);
  if (parts.length < 2) return undefined;
  const stages = parts.map((p) => models.find((m) => m.id === p));
  if (stages.some((s) => !s)) return t('inspector.chainNotInstalled', { chain: parts.join(' → ') });
  const names = (stages as ModelInfo[]).map((s) => s.name);
  return names.length === 2
    ? t('inspector.chainCleaned', { model: names[1], cleanup: names[0] })
    : names.join(' → ');
}
