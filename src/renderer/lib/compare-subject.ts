// The facts of the selected queue item that the compare view works from, in one place: its two
// sizes (as the engine planned or wrote them), whether its output exists, and the dial's α.

import { effectiveAlpha } from '../../shared/defaults';
import type { ModelInfo } from '../../shared/model-manifest';
import type { QueueItem } from '../../shared/queue';
import { itemInputSize, itemOutputSize } from './item-output';
import type { Size } from './view-transform';

export interface CompareSubject {
  id: string;
  input: Size;
  /** The size both panes are drawn at (the original is enlarged to it). */
  output: Size;
  /** The output exists and is shown in the upscaled pane. */
  done: boolean;
  /** A pair: the dial applies. */
  pair: boolean;
  /** The α the export uses (the item's, or the pair's default); undefined for single models. */
  exportAlpha: number | undefined;
  /** Changes when the photo or its output size does: a new view starts at fit. */
  viewKey: string;
  /** The view key once the output exists (its image layer is made anew), else ''. */
  outputKey: string;
}

/** The compare view's facts of an item; undefined while either size is unknown. */
export function compareSubject(
  item: QueueItem,
  model: Pick<ModelInfo, 'pair'> | undefined,
): CompareSubject | undefined {
  const input = itemInputSize(item);
  const output = itemOutputSize(item);
  if (!input || !output) return undefined;
  const done = item.state === 'done' && item.output !== undefined;
  const viewKey = `${item.id}|${output.width}x${output.height}`;
  return {
    id: item.id,
    input,
    output,
    done,
    pair: !!model?.pair,
    exportAlpha: effectiveAlpha(item.settings.alpha, model?.pair),
    viewKey,
    outputKey: done ? viewKey : '',
  };
}
