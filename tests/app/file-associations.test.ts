// "Open with → Upres": the file associations in electron-builder.yml, read through electron-builder's
// own config loader and schema, against what the engine really reads: a tiny file of every
// extension the folder walk collects (and HEIC / HEIF) is made here and opened with the engine's
// decoder; the associated extensions must be exactly those it opens.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RAW_EXTENSIONS } from '../../src/main/engine/pipeline/camera-raw';
import { decodeImage } from '../../src/main/engine/pipeline/decode';
import { IMAGE_EXTENSIONS } from '../../src/main/engine/queue/collect-inputs';

const repo = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'upres-assoc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A 2×2 24-bit BMP, written by hand (sharp writes none). */
function bmp(): Buffer {
  const row = 8; // 2 px × 3 bytes, padded to 4
  const b = Buffer.alloc(54 + row * 2);
  b.write('BM', 0, 'latin1');
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(2, 18);
  b.writeInt32LE(2, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  b.writeUInt32LE(row * 2, 34);
  b.fill(0x80, 54);
  return b;
}

/** A tiny sample of each extension, made by an encoder of that format. */
async function sample(ext: string): Promise<string> {
  const path = join(dir, `sample.${ext}`);
  const img = sharp({ create: { width: 8, height: 8, channels: 3, background: '#3a7' } });
  switch (ext) {
    case 'jpg':
    case 'jpeg':
      await img.jpeg().toFile(path);
      break;
    case 'png':
      await img.png().toFile(path);
      break;
    case 'webp':
      await img.webp().toFile(path);
      break;
    case 'tif':
    case 'tiff':
      await img.tiff().toFile(path);
      break;
    case 'avif':
      await img.avif().toFile(path);
      break;
    case 'gif':
      await img.gif().toFile(path);
      break;
    case 'bmp':
      writeFileSync(path, bmp());
      break;
    case 'heic':
    case 'heif': {
      // As a phone writes it: HEVC, which only heif-enc (x265) encodes here.
      const png = join(dir, `for-${ext}.png`);
      await img.png().toFile(png);
      execFileSync('heif-enc', ['-q', '80', '-o', path, png], { stdio: 'ignore' });
      break;
    }
    default:
      throw new Error(`no sample for .${ext}`);
  }
  return path;
}

const MIME: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  avif: 'image/avif',
  heic: 'image/heic',
  heif: 'image/heif',
  gif: 'image/gif',
};

type Association = { ext: string | string[]; name?: string; role?: string; rank?: string };
let config: Awaited<ReturnType<typeof getConfig>>;
let associations: Association[];
const extsOf = (a: Association): string[] => (Array.isArray(a.ext) ? a.ext : [a.ext]);

beforeAll(async () => {
  config = await getConfig(repo, null, null);
  await validateConfiguration(config, new DebugLogger(false));
  associations = (config.fileAssociations ?? []) as Association[];
});

describe('file associations', () => {
  it('offer exactly the extensions the engine reads, and no camera raw', async () => {
    const candidates = [...IMAGE_EXTENSIONS].map((e) => e.slice(1)).concat('heic', 'heif');
    const readable: string[] = [];
    for (const ext of new Set(candidates)) {
      const ok = await decodeImage(await sample(ext)).then(
        () => true,
        () => false,
      );
      if (ok) readable.push(ext);
    }
    const offered = associations.flatMap(extsOf);
    expect(offered.sort()).toEqual(readable.sort());
    expect(offered.filter((e) => RAW_EXTENSIONS.has(e))).toEqual([]);
  }, 60_000);

  it('are a Viewer and an Alternate handler, each with its own ProgID, never the default', () => {
    for (const a of associations) {
      expect(a, extsOf(a).join()).toMatchObject({ role: 'Viewer', rank: 'Alternate' });
      expect(a.name).toMatch(/^Upres\.\w+$/);
    }
    expect(new Set(associations.map((a) => a.name)).size).toBe(associations.length);
    const mac = config.mac?.extendInfo as { CFBundleDocumentTypes?: object[] } | undefined;
    expect(mac?.CFBundleDocumentTypes).toEqual([
      expect.objectContaining({
        LSItemContentTypes: ['public.folder'],
        CFBundleTypeRole: 'Viewer',
        LSHandlerRank: 'Alternate',
      }),
    ]);
  });

  it('list the same types in the Linux desktop entry, and define none of their own', () => {
    const mimes = new Set(associations.flatMap(extsOf).map((e) => MIME[e]));
    expect(new Set(config.linux?.mimeTypes ?? [])).toEqual(mimes);
    expect(associations.filter((a) => 'mimeType' in a)).toEqual([]);
  });
});
