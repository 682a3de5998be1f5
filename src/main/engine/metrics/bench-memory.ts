// `npm run bench -- memory`: peak RSS of the real CLI upscaling 2, 8 and 24 MP photos, against the
// raw size of each output. The bound the engine promises: peak < 1.5 × raw output + 1 GiB.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

export interface MemoryBenchOptions {
  cli: string;
  source: string;
  model: string;
  megapixels: number[];
  /** Input and output format (the output keeps the input's). */
  format: 'jpeg' | 'png' | 'tiff';
  tile?: number;
}

const GiB = 1024 ** 3;

/** Peak resident set (VmHWM) of a process, polled from /proc until it exits (Linux). */
async function runMeasured(
  cmd: string,
  args: string[],
): Promise<{ code: number; peak: number; seconds: number; stderr: string }> {
  const t0 = performance.now();
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let peak = 0;
  const poll = setInterval(() => {
    void readFile(`/proc/${child.pid}/status`, 'utf8').then(
      (s) => {
        const m = /VmHWM:\s+(\d+) kB/.exec(s);
        if (m) peak = Math.max(peak, Number(m[1]) * 1024);
      },
      () => undefined,
    );
  }, 100);
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)));
  clearInterval(poll);
  return { code, peak, seconds: (performance.now() - t0) / 1000, stderr };
}

const mb = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;

export async function benchMemory(o: MemoryBenchOptions): Promise<string[]> {
  if (process.platform !== 'linux') return ['bench memory reads /proc and runs on Linux only'];
  const dir = await mkdtemp(join(tmpdir(), 'upres-bench-memory-'));
  const lines = [
    `model ${o.model}, ${o.format} output, source ${o.source} enlarged with Lanczos to each size`,
    'input            output              raw output  peak RSS   bound (1.5×raw+1GiB)  peak/raw  time',
  ];
  try {
    const meta = await sharp(o.source).metadata();
    const aspect = meta.width! / meta.height!;
    for (const mp of o.megapixels) {
      const h = Math.round(Math.sqrt((mp * 1e6) / aspect));
      const w = Math.round(h * aspect);
      const ext = { png: 'png', jpeg: 'jpg', tiff: 'tif' }[o.format];
      const input = join(dir, `photo-${mp}mp.${ext}`);
      const img = sharp(o.source).resize(w, h, { kernel: 'lanczos3' });
      const encoded =
        o.format === 'png'
          ? img.png()
          : o.format === 'tiff'
            ? img.tiff({ compression: 'deflate' })
            : img.jpeg({ quality: 92 });
      await encoded.toFile(input);
      const out = join(dir, `out-${mp}`);
      const args = [o.cli, 'upscale', input, '-o', out, '-m', o.model, '-d', 'cpu'];
      if (o.tile) args.push('--tile', String(o.tile));
      const r = await runMeasured(process.execPath, args);
      if (r.code !== 0) {
        lines.push(
          `${mp} MP: failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
        );
        continue;
      }
      const scale = 4;
      const raw = w * scale * h * scale * 3;
      const bound = 1.5 * raw + GiB;
      lines.push(
        [
          `${w}×${h} (${mp} MP)`.padEnd(17),
          `${w * scale}×${h * scale}`.padEnd(20),
          mb(raw).padEnd(12),
          mb(r.peak).padEnd(11),
          `${mb(bound)} ${r.peak < bound ? 'ok' : 'EXCEEDED'}`.padEnd(22),
          (r.peak / raw).toFixed(2).padEnd(10),
          `${r.seconds.toFixed(0)} s`,
        ].join(''),
      );
      await rm(out, { recursive: true, force: true });
      await rm(input, { force: true });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return lines;
}
