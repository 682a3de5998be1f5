import { randomUUID } from 'node:crypto';
import type { ApiRequest, ApiResponse, EngineEvent } from '../../../shared/api';
import { UpresError } from '../../../shared/errors';
import type { QueueItem } from '../../../shared/queue';
import type { ImageTokens } from './image-tokens';
import { rasterToPng, type EndsPlan, type PreviewRenderer } from './preview-renderer';

/**
 * Starts a `previewEnds` job: answers with its plan once the model and image are ready, sends each
 * piece as a `previewPiece` event (a PNG token) and its end as a `previewEnds` event.
 */
export function startEndsJob(
  previews: PreviewRenderer,
  images: ImageTokens,
  item: QueueItem,
  req: ApiRequest<'previewEnds'>,
  send: (e: EngineEvent) => void,
): Promise<ApiResponse<'previewEnds'>> {
  const request = randomUUID();
  const id = item.id;
  let planned: ((p: EndsPlan) => void) | undefined;
  const plan = new Promise<EndsPlan>((resolve) => (planned = resolve));
  const job = previews.renderEnds(
    item,
    { region: req.region, piece: req.piece },
    {
      onPlan: (p) => planned?.(p),
      onPiece: async (p) => {
        const png = await rasterToPng(p.raster);
        const size = { width: p.raster.width, height: p.raster.height };
        const token = images.putBytes(png, 'image/png', size).token;
        const { end, index, core, ready, pieces } = p;
        send({ kind: 'previewPiece', request, id, end, index, core, token, ready, pieces });
      },
    },
  );
  const ended = job.then(
    () => ({ state: 'done' as const }),
    (err: unknown) =>
      err instanceof UpresError && err.code === 'cancelled'
        ? { state: 'cancelled' as const }
        : { state: 'failed' as const, message: (err as Error).message, err },
  );
  void ended.then(({ state, ...rest }) =>
    send({
      kind: 'previewEnds',
      request,
      id,
      state,
      message: 'message' in rest ? rest.message : undefined,
    }),
  );
  // A job that fails before its plan (no pair, region outside the image) fails the request itself.
  return Promise.race([plan, job]).then((p) => ({ request, ...p }));
}
