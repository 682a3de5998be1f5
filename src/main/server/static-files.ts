import { stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

/** A file of the built renderer to send, or undefined where the URL names none. */
export interface StaticFile {
  path: string;
  size: number;
  type: string;
}

/**
 * Maps a URL path into the renderer folder: `/` is index.html; encoded separators, dot segments
 * that climb out, hidden files and folders are refused (undefined, answered as 404).
 */
export async function findStaticFile(
  root: string,
  urlPath: string,
): Promise<StaticFile | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const rel = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  if (rel.split('/').some((part) => part.startsWith('.'))) return undefined;
  const base = resolve(root);
  const path = resolve(base, rel);
  if (!path.startsWith(base + sep)) return undefined;
  try {
    const st = await stat(path);
    if (!st.isFile()) return undefined;
    return {
      path,
      size: st.size,
      type: TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
    };
  } catch {
    return undefined;
  }
}
