// Bad inputs in one batch, through the real CLI: every bad file fails on its own with an error that
// names it and says what is wrong, every good file is still produced, nothing temporary is left.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyModel, rng, TINY_SRVGG } from '../helpers/random-models';
import { runCli } from '../helpers/run-cli';

let dir: string;
let env: NodeJS.ProcessEnv;

/**
 * chmod 000 stops a normal user, not root (CAP_DAC_OVERRIDE). As root the CLI runs under setpriv
 * with the two file-permission capabilities dropped, so the unreadable file really is unreadable;
 * without setpriv that one case cannot be made and is left out (the others still run).
 */
const asRoot = process.getuid?.() === 0;
const DROP_DAC = [
  'setpriv',
  '--inh-caps=-dac_override,-dac_read_search',
  '--bounding-set=-dac_override,-dac_read_search',
];
const canLock = !asRoot || spawnSync('setpriv', ['--version']).status === 0;

function pngChunk(type: string, data: Buffer): Buffer {
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'upres-bad-'));
  const models = join(dir, 'shipped');
  await writeTinyModel(models, 'tiny', TINY_SRVGG, 3);
  env = { UPRES_MODELS_DIR: models, UPRES_USER_DIR: join(dir, 'user') };
  const inDir = join(dir, 'in');
  mkdirSync(inDir);
  const r = rng(9);
  const noise = Buffer.from(Array.from({ length: 64 * 64 * 3 }, () => Math.floor(r() * 256)));
  const raw = { raw: { width: 64, height: 64, channels: 3 as const } };
  await writeFile(join(inDir, 'empty.png'), '');
  // Cut inside the entropy-coded data: the header reads, the pixels do not.
  const jpeg = await sharp(noise, raw).jpeg({ quality: 90 }).toBuffer();
  await writeFile(join(inDir, 'truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length * 0.6)));
  // One flipped bit in the stored CRC of the image data.
  const png = Buffer.from(await sharp(noise, raw).png().toBuffer());
  for (let o = 8; o < png.length;) {
    const len = png.readUInt32BE(o);
    if (png.toString('latin1', o + 4, o + 8) === 'IDAT') {
      png[o + 8 + len] ^= 0x01;
      break;
    }
    o += 12 + len;
  }
  await writeFile(join(inDir, 'bad-crc.png'), png);
  await writeFile(join(inDir, 'notes.png'), 'Shopping list: milk, eggs.\n');
  // A valid PNG header declaring 100000×100000 with one row of data: 10 gigapixels if decoded.
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(100_000, 0);
  ihdr.writeUInt32BE(100_000, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  await writeFile(
    join(inDir, 'bomb.png'),
    Buffer.concat([
      Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
      pngChunk('IHDR', ihdr),
      pngChunk('IDAT', deflateSync(Buffer.alloc(100_000 * 3 + 1))),
      pngChunk('IEND', Buffer.alloc(0)),
    ]),
  );
  if (canLock) {
    await sharp(noise, raw).png().toFile(join(inDir, 'locked.png'));
    chmodSync(join(inDir, 'locked.png'), 0o000);
  }
  await sharp(noise, raw).resize(20, 16).png().toFile(join(inDir, 'good-a.png'));
  await sharp(noise, raw).resize(12, 10).jpeg().toFile(join(inDir, 'good-b.jpg'));
});
afterAll(() => {
  if (existsSync(join(dir, 'in', 'locked.png'))) chmodSync(join(dir, 'in', 'locked.png'), 0o644);
  rmSync(dir, { recursive: true, force: true });
});

interface Item {
  input: string;
  output: string | null;
  status: 'done' | 'error';
  error?: string;
}

describe('bad inputs in one batch', () => {
  it('gives each bad file its own clear error, produces every good one, leaves no temp file', async () => {
    const inDir = join(dir, 'in');
    const out = join(dir, 'out');
    const res = await runCli(
      ['upscale', inDir, '-o', out, '--model', 'tiny', '--json'],
      env,
      asRoot && canLock ? DROP_DAC : [],
    );
    expect(res.code, res.stderr).toBe(1);
    const items = (JSON.parse(res.stdout) as { items: Item[] }).items;
    const by = new Map(items.map((i) => [i.input, i]));
    const expected: [string, RegExp][] = [
      ['empty.png', /the file is empty/],
      ['truncated.jpg', /damaged or truncated/],
      ['bad-crc.png', /damaged or truncated/],
      ['notes.png', /not a readable image \(unrecognised format/],
      ['bomb.png', /100000×100000 is 10000 megapixels, over the 500-megapixel limit/],
    ];
    if (canLock) expected.push(['locked.png', /permission denied/]);
    for (const [name, problem] of expected) {
      const item = by.get(join(inDir, name));
      expect(item, name).toBeDefined();
      expect(item!.status, name).toBe('error');
      expect(item!.output, name).toBeNull();
      expect(item!.error, name).toContain(join(inDir, name));
      expect(item!.error, name).toMatch(problem);
    }
    for (const name of ['good-a.png', 'good-b.jpg']) {
      const item = by.get(join(inDir, name));
      expect(item?.status, `${name}: ${item?.error}`).toBe('done');
      const meta = await sharp(item!.output!).metadata();
      expect(meta.width, name).toBe(name === 'good-a.png' ? 80 : 48);
    }
    expect(items).toHaveLength(expected.length + 2);
    // Only the two outputs: no temp files, no partial files.
    expect(readdirSync(out).sort()).toEqual(['good-a_x4.png', 'good-b_x4.jpg']);
    expect(readdirSync(inDir).filter((n) => n.includes('upres-tmp'))).toEqual([]);
  });
});
