// `npm run bench -- <speed|devices|overlap|alpha|preview|memory|queue|eta|farm|groupnorm> [options]`: benchmarks that print figures measured side by side.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { DeviceRequest, ExecutionDevice, Precision } from '../../../shared/device';
import { ModelRegistry } from '../models/model-registry';
import { loadModel } from '../runtime/loaded-model';
import { benchAlpha, benchPreview } from './bench-alpha';
import { benchMemory } from './bench-memory';
import { benchPreviewDial } from './bench-preview';
import { benchOverlap } from './bench-overlap';
import { benchQueue } from './bench-queue';
import { benchSpeed } from './bench-speed';
import { benchDevices, measureRow } from './bench-devices';
import { benchEta } from './bench-eta';
import { benchFarm } from './bench-farm';

const datasets = fileURLToPath(new URL('../../../../../shared/datasets/', import.meta.url));
const cli = fileURLToPath(new URL('../../../../bin/upres.js', import.meta.url));

function parseSize(v: string): [number, number] {
  const m = /^(\d+)x(\d+)$/.exec(v);
  if (!m || Number(m[1]) < 8 || Number(m[2]) < 8)
    throw new InvalidArgumentError('size is WIDTHxHEIGHT, e.g. 128x128');
  return [Number(m[1]), Number(m[2])];
}

/** A commander parser from a zod enum (the bench takes the shared device and precision words). */
const oneOf =
  <T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }) =>
  (v: string): T => {
    const r = schema.safeParse(v);
    if (!r.success) throw new InvalidArgumentError(`not one of the accepted values: ${v}`);
    return r.data;
  };

const program = new Command('bench');
program
  .command('speed')
  .description('raw session throughput against end-to-end CLI throughput on the same image')
  .option('--model <id>', 'model id', 'realesrgan-x4plus')
  .option('--size <WxH>', 'input size', parseSize, [128, 128] as [number, number])
  .option('--repeat <n>', 'images / runs to take the median of', (v) => Number(v), 3)
  .option('--image <path>', 'source photo', `${datasets}Set14/baboon.png`)
  .option('--device <d>', 'auto | cpu | cuda | dml | coreml | webgpu', oneOf(DeviceRequest), 'cpu')
  .option('--precision <p>', 'auto | fp32 | fp16', oneOf(Precision), 'auto')
  .option('--startup-only', 'only the CLI start-up figures and phases', false)
  .action(
    async (o: {
      model: string;
      size: [number, number];
      repeat: number;
      image: string;
      device: DeviceRequest;
      precision: Precision;
      startupOnly: boolean;
    }) => {
      const lines = await benchSpeed(await ModelRegistry.open(), {
        model: o.model,
        width: o.size[0],
        height: o.size[1],
        repeat: o.repeat,
        source: o.image,
        cli,
        device: o.device,
        precision: o.precision,
        startupOnly: o.startupOnly,
      });
      console.log(lines.join('\n'));
    },
  );

program
  .command('devices')
  .description(
    'per provider and precision: s per output MP and PSNR against the CPU, on one small crop',
  )
  .option('--models <list>', 'model ids', (v) => v.split(','), [
    'realesrgan-x4plus',
    'realesr-general-x4v3',
  ])
  // 32 px keeps the WebGPU-on-SwiftShader rows to minutes; on a real GPU use e.g. --size 256.
  .option('--size <px>', 'side of the square crop (input px, one tile)', (v) => Number(v), 32)
  .option('--image <path>', 'source photo', `${datasets}photos/DSCN0010.jpg`)
  .action(async (o: { models: string[]; size: number; image: string }) => {
    await benchDevices({
      models: o.models,
      side: o.size,
      source: o.image,
      self: [process.execPath, ...process.execArgv, process.argv[1]],
    });
  });

// One row of `devices`, in its own process (its environment, its failure); not for people.
program
  .command('device-row', { hidden: true })
  .requiredOption('--model <id>')
  .requiredOption('--device <d>', '', oneOf(ExecutionDevice))
  .requiredOption('--precision <p>', '', oneOf(Precision))
  .requiredOption('--input <png>')
  .requiredOption('--out <file>')
  .action(
    async (o: {
      model: string;
      device: ExecutionDevice;
      precision: Precision;
      input: string;
      out: string;
    }) => {
      try {
        const r = await measureRow(await ModelRegistry.open(), {
          model: o.model,
          device: o.device,
          fp16: o.precision === 'fp16',
          input: o.input,
          out: o.out,
        });
        console.log(`@@row ${JSON.stringify(r)}`);
      } catch (err) {
        console.log(`@@fail ${JSON.stringify((err as Error).message)}`);
      }
    },
  );

program
  .command('memory')
  .description('peak RSS of the CLI upscaling 2, 8 and 24 MP photos against the raw output size')
  .option('--model <id>', 'model id (the fast one, so 24 MP finishes)', 'realesr-general-x4v3')
  .option('--image <path>', 'source photo, enlarged to each size', `${datasets}photos/DSCN0010.jpg`)
  .option('--mp <list>', 'input sizes in megapixels', (v) => v.split(',').map(Number), [2, 8, 24])
  .option('--format <f>', 'jpeg | png | tiff (input and output)', 'jpeg')
  .option('--tile <px>', 'fixed tile size (default: auto)', (v) => Number(v))
  .action(
    async (o: {
      model: string;
      image: string;
      mp: number[];
      format: 'jpeg' | 'png' | 'tiff';
      tile?: number;
    }) => {
      const lines = await benchMemory({
        cli,
        source: o.image,
        model: o.model,
        megapixels: o.mp,
        format: o.format,
        tile: o.tile,
      });
      console.log(lines.join('\n'));
    },
  );

program
  .command('overlap')
  .description(
    'tiled vs untiled output for overlap / feather choices (how the defaults were chosen)',
  )
  .option('--model <id>', 'model id', 'realesrgan-x4plus')
  .option('--image <path>', 'source image', `${datasets}Set14/baboon.png`)
  .option('--crop <px>', 'square crop of the image to use', (v) => Number(v), 128)
  .option('--tile <px>', 'small tile so there are many seams', (v) => Number(v), 32)
  .option(
    '--pairs <json>',
    'overlap/feather pairs',
    '[[16,0],[24,0],[32,0],[32,8],[32,16],[48,0],[48,12]]',
  )
  .action(
    async (o: { model: string; image: string; crop: number; tile: number; pairs: string }) => {
      const model = await loadModel(await ModelRegistry.open(), o.model, { device: 'cpu' });
      try {
        console.log(`model ${o.model}, ${o.crop}×${o.crop} crop of ${o.image}, ${o.tile} px tiles`);
        console.log(
          'overlap feather  PSNR vs untiled  seam step (border / elsewhere)  work at 256 px tiles',
        );
        for (const r of await benchOverlap(
          model,
          o.image,
          o.crop,
          o.tile,
          JSON.parse(o.pairs) as [number, number][],
        )) {
          console.log(
            `${String(r.overlap).padStart(7)} ${String(r.feather).padStart(7)}  ${r.psnr.toFixed(2).padStart(8)} dB` +
              `  ${r.borderStep.toFixed(3)} / ${r.elsewhereStep.toFixed(3)} (${(r.borderStep / r.elsewhereStep).toFixed(2)}×)` +
              `  ${r.work.toFixed(2)}×`,
          );
        }
      } finally {
        await model.dispose();
      }
    },
  );

program
  .command('alpha')
  .description('a batch at one fixed α against the same batch with a different α per image')
  .option('--model <id>', 'pair id', 'photo-x4')
  .option('--size <px>', 'square size of each image', (v) => Number(v), 48)
  .option('--rounds <n>', 'rounds to take the median of', (v) => Number(v), 3)
  .action(async (o: { model: string; size: number; rounds: number }) => {
    const names = ['baboon', 'barbara', 'comic', 'lenna', 'monarch', 'zebra'];
    const images = names.map((n) => `${datasets}Set14/${n}.png`);
    console.log(
      (await benchAlpha(await ModelRegistry.open(), o.model, images, o.size, o.rounds)).join('\n'),
    );
  });

program
  .command('preview')
  .description('exact viewport render on a warm session, both ends, and the instant pixel blend')
  .option('--model <id>', 'pair id', 'photo-x4')
  .option('--image <path>', 'photo', `${datasets}photos/DSCN0010.jpg`)
  .option('--view <px>', 'viewport side in output px', (v) => Number(v), 256)
  .option('--zoom <percent...>', 'zooms of the dial figures (1280×720 viewport)', ['100', '800'])
  .option('--piece <px>', 'core side of a preview piece, input px', (v) => Number(v))
  .option('--dial-only', 'only the dial figures (ends piece by piece, then the exact render)')
  .action(
    async (o: {
      model: string;
      image: string;
      view: number;
      zoom: string[];
      piece?: number;
      dialOnly?: boolean;
    }) => {
      const registry = await ModelRegistry.open();
      if (!o.dialOnly)
        console.log((await benchPreview(registry, o.model, o.image, o.view)).join('\n'));
      const zooms = o.zoom.map((z) => Number(z) / 100);
      console.log((await benchPreviewDial(registry, o.model, o.image, zooms, o.piece)).join('\n'));
    },
  );

program
  .command('queue')
  .description(
    'time to add, cancel and finish 1 k, 4 k and 16 k tiny items, and journal bytes per change',
  )
  .option('--sizes <list>', 'queue sizes', (v) => v.split(',').map(Number), [1000, 4000, 16000])
  .action(async (o: { sizes: number[] }) => {
    console.log((await benchQueue(o.sizes)).join('\n'));
  });

program
  .command('eta')
  .description(
    "the queue's ETA against the time really left, on a folder run with the app's defaults",
  )
  .option('--folder <dir>', 'photos', `${datasets}photos`)
  .option('--model <id>', "model or pair (default: the app's)")
  .action(async (o: { folder: string; model?: string }) => {
    console.log((await benchEta(o.folder, o.model)).join('\n'));
  });

program
  .command('farm')
  .description(
    'photos/s and per-photo queue overhead of a farm of 1 and 2 local workers (redis-server) next to the local upscale',
  )
  .option('--photos <n>', 'photos in the batch', (v) => Number(v), 50)
  .option('--size <WxH>', 'photo size', parseSize, [32, 24] as [number, number])
  .option('--workers <list>', 'worker counts', (v) => v.split(',').map(Number), [1, 2])
  .action(async (o: { photos: number; size: [number, number]; workers: number[] }) => {
    console.log((await benchFarm({ cli, ...o })).join('\n'));
  });

program
  .command('groupnorm')
  .description(
    "RealPLKSR's GroupNorm tiled vs untiled (dB, time) for tile-local and whole-photo statistics",
  )
  .argument('<photo>', 'a photo')
  .argument('<crop>', 'crop width in px from its top left (height ¾ of it), e.g. 256')
  .argument('<tile>', 'tile core in px')
  .argument('<model>', 'a RealPLKSR .pth, or `real` / `deep` for random weights at those sizes')
  .argument('[passes]', 'most statistics passes, `overview`, or `sweep` (the exact deep scheme)')
  .action((...args: unknown[]) => {
    // Its own process (tsx), so its peak RSS is the bench's alone.
    const script = fileURLToPath(new URL('./bench-groupnorm.ts', import.meta.url));
    const argv = (args.slice(0, 5) as (string | undefined)[]).filter((a) => a !== undefined);
    const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...argv], {
      stdio: 'inherit',
      env: { ...process.env, UPRES_SESSION_HOST: 'thread' },
    });
    process.exitCode = r.status ?? 1;
  });

await program.parseAsync(process.argv);
