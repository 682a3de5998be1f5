import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { IMAGE_SCHEME } from '../../shared/api';
import { imageHeaders, type Engine } from '../engine';

/** The token store as the protocol handler sees it. */
export type ImageLookup = Engine['images'];

function notFound(): Response {
  return new Response('no such image', { status: 404, headers: { 'Content-Type': 'text/plain' } });
}

/**
 * Answers `upres-image://<token>` (the handler given to `protocol.handle`): the bytes or the file
 * of a token the engine handed out, 404 for anything else. Only tokens are looked up, so no URL
 * can name a path.
 */
export async function imageResponse(
  images: ImageLookup | undefined,
  url: string,
): Promise<Response> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return notFound();
  }
  if (parsed.protocol !== `${IMAGE_SCHEME}:`) return notFound();
  const source = images?.open(parsed.hostname);
  if (!source) return notFound();
  const headers = imageHeaders(source);
  if (source.kind === 'bytes') return new Response(new Uint8Array(source.data), { headers });
  const stream = createReadStream(source.path);
  try {
    await new Promise<void>((open, fail) => {
      stream.once('open', () => open());
      stream.once('error', fail);
    });
  } catch {
    return notFound();
  }
  const body = Readable.toWeb(stream) as WebReadableStream<Uint8Array>;
  return new Response(body as unknown as ReadableStream<Uint8Array>, { headers });
}
