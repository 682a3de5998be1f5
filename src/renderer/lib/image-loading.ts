// Loading images off the main thread's critical path: decode before swapping, bitmaps for blending.

/** Resolves once the image at `url` is downloaded and decoded (so showing it never flickers). */
export async function decodeImage(url: string): Promise<void> {
  const img = new Image();
  img.decoding = 'async';
  img.src = url;
  try {
    await img.decode();
  } catch {
    throw new Error(`could not load the image ${url}`);
  }
}

/**
 * Fetches an image and decodes it into a bitmap whose pixels can be read back (the blend). Where
 * the page may not fetch the URL (a custom scheme without fetch support), the image is loaded as
 * an <img>: the blend then happens in the compositor instead of in `blendBytes`.
 */
export async function loadBitmap(url: string): Promise<ImageBitmap> {
  let response: Response | undefined;
  try {
    response = await fetch(url);
  } catch {
    response = undefined;
  }
  if (response?.ok) return createImageBitmap(await response.blob());
  const img = new Image();
  img.src = url;
  try {
    await img.decode();
  } catch {
    throw new Error(`could not load the image ${url}`);
  }
  return createImageBitmap(img);
}
