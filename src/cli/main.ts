import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { openModelRegistry } from '../main/engine';
import { traceMark } from '../main/engine/metrics/startup-trace';
import { disposeEarlySession } from '../main/engine/runtime/early-session';
import { DEFAULT_MODEL, DEFAULT_NAME_TEMPLATE } from '../shared/defaults';
import { runBenchQuality, type QualityCliOptions } from './bench-command';
import { exitCodeOf } from './exit-codes';
import { addFarmCommands } from './farm-command';
import { runImport, runModels, runPair, runRemove, type ImportCliOptions } from './models-command';
import {
  intInRange,
  numberInRange,
  parseBitDepth,
  parseDevice,
  parseFormat,
  parsePrecision,
} from './options';
import { addPresetCommands } from './presets-command';
import type { ServeCliOptions } from './serve-command';
import { runUpscale, type UpscaleCliOptions } from './upscale-command';
import { addWorkerCommand } from './worker-command';

traceMark('cli: modules loaded');

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** Builds the `upres` program; actions resolve to an exit code stored in `result.code`. */
export function buildProgram(result: { code: number }): Command {
  const program = new Command('upres')
    .description(
      'Upscale photos with ESRGAN-family models (the photo-x4 pair, Real-ESRGAN x4plus based, by default).',
    )
    .version(pkg.version)
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      writeOut: (s) => process.stdout.write(s),
    })
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('upscale')
    .description('upscale image files and folders of images (a resumable batch queue)')
    .argument('[inputs...]', 'image files or folders (a folder contributes its image files)')
    .option('-o, --output <dir>', 'output folder (created if missing); required unless --resume')
    .option('-r, --recursive', 'also take images from sub-folders (the structure is kept)', false)
    .option('-m, --model <id>', 'model or pair id (see `upres models`)', DEFAULT_MODEL)
    .option(
      '--chain <id,id>',
      'run models one after another on each tile, e.g. a 1× cleanup then a 4× upscaler (instead of --model)',
    )
    .option(
      '-a, --alpha <0..1>',
      'for pairs: 0 = fidelity (faithful), 1 = perceptual (sharp, invented texture); default 0.8',
      numberInRange('alpha', 0, 1),
    )
    .option(
      '-s, --scale <n>',
      "output size ÷ input size (default: the model's scale)",
      numberInRange('scale', 0.01, 64),
    )
    .option(
      '-W, --width <px>',
      'output width (height follows the aspect ratio)',
      intInRange('width', 1, 1_000_000),
    )
    .option(
      '-H, --height <px>',
      'output height (width follows the aspect ratio); with --width: fit inside',
      intInRange('height', 1, 1_000_000),
    )
    .option(
      '-f, --format <format>',
      "png | jpeg | webp | tiff | avif (default: the input's format)",
      parseFormat,
    )
    .option('-q, --quality <1-100>', 'JPEG / WebP / AVIF quality', intInRange('quality', 1, 100))
    .addOption(
      new Option(
        '--compression <method>',
        'TIFF compression (lossless): deflate | lzw | none',
      ).choices(['deflate', 'lzw', 'none']),
    )
    .option(
      '--bit-depth <bits>',
      "bits per channel: 8 | 16 (PNG, TIFF), 8 | 10 | 12 (AVIF) (default: the input's)",
      parseBitDepth,
    )
    .option('--effort <0-9>', 'AVIF encoder effort (slower, smaller)', intInRange('effort', 0, 9))
    .option(
      '--keep-print-size',
      'multiply the resolution (DPI) by the scale so the print size stays (default: DPI kept)',
      false,
    )
    .option(
      '-n, --name <template>',
      'output name: {name} {scale} {model} {alpha}',
      DEFAULT_NAME_TEMPLATE,
    )
    .addOption(
      new Option(
        '--on-exists <policy>',
        'when the output exists: skip | overwrite | suffix (add _1, _2…)',
      )
        .choices(['skip', 'overwrite', 'suffix'])
        .default('suffix'),
    )
    .addOption(
      new Option('--transparency <mode>', 'enlarge transparency with the model or a Lanczos resize')
        .choices(['model', 'resize'])
        .default('resize'),
    )
    .addOption(
      new Option('--keep-metadata <policy>', 'EXIF, XMP, IPTC and colour profile: all | none')
        .choices(['all', 'none'])
        .default('all'),
    )
    .option(
      '-t, --tile <px>',
      'tile size in input pixels (default: from available memory)',
      intInRange('tile', 16, 4096),
    )
    .addOption(
      new Option('-d, --device <device>', 'auto | cpu | cuda | dml | coreml | webgpu')
        .default('auto')
        .argParser(parseDevice),
    )
    .addOption(
      new Option('--precision <p>', 'auto | fp32 | fp16 (auto: fp16 on GPUs)')
        .default('auto')
        .argParser(parsePrecision),
    )
    .option('--tta', 'self-ensemble: average the 8 flips / rotations (8× slower)', false)
    .option(
      '--resume',
      'finish the batches an earlier run left unfinished (crash, kill, Ctrl+C)',
      false,
    )
    .option('--json', 'print one JSON report on stdout (progress stays on stderr)', false)
    .option(
      '--log-tiles',
      'print one line per finished tile on stderr (`tile 3/8 photo.png`, `restored` when kept)',
      false,
    )
    .action(async (inputs: string[], opt: UpscaleCliOptions) => {
      traceMark('cli: arguments parsed');
      const registry = await openModelRegistry();
      traceMark('cli: registry opened');
      result.code = await runUpscale(registry, inputs, opt);
    });

  addWorkerCommand(program, result);
  addFarmCommands(program, result);
  addPresetCommands(program, result);

  program
    .command('bench')
    .description('measurements')
    .command('quality')
    .description(
      'PSNR / SSIM on the Y channel, as in the EDSR and ESRGAN papers (LR by MATLAB bicubic)',
    )
    .requiredOption('--dataset <dir>', 'folder of HR images (e.g. ../shared/datasets/Set5)')
    .option(
      '-m, --model <id>',
      'model or pair id, or "bicubic" for the baseline',
      'realesrgan-x4plus',
    )
    .option(
      '-a, --alpha <0..1>',
      "for pairs: the blend (default: the pair's)",
      numberInRange('alpha', 0, 1),
    )
    .option('-s, --scale <n>', 'scale factor', intInRange('scale', 2, 8), 4)
    .addOption(
      new Option('-d, --device <device>', 'auto | cpu | cuda | dml | coreml | webgpu')
        .default('auto')
        .argParser(parseDevice),
    )
    .option('--tta', 'self-ensemble: average the 8 flips / rotations (8× slower)', false)
    .option('--json', 'print the report as JSON on stdout', false)
    .action(async (opt: QualityCliOptions) => {
      result.code = await runBenchQuality(await openModelRegistry(), opt);
    });

  program
    .command('serve')
    .description(
      'run the app in a browser: the UI and the engine on http://127.0.0.1 only, behind a one-time address',
    )
    .option(
      '-p, --port <n>',
      'port to listen on (default: any free port)',
      intInRange('port', 0, 65535),
      0,
    )
    .option('--no-open', 'do not open a browser (just print the address)')
    .action(async (opt: ServeCliOptions) => {
      // Loaded on demand: the server's modules (ws among them) cost every other command's start.
      const { runServe } = await import('./serve-command');
      result.code = await runServe(opt, pkg.version);
    });

  const models = program
    .command('models')
    .description('list the available models and pairs')
    .option('--json', 'print JSON', false)
    .action(async (opt: { json: boolean }) => {
      result.code = runModels(await openModelRegistry(), opt.json);
    });
  models
    .command('pair')
    .description('pair two models of the same architecture for the fidelity ↔ perceptual dial')
    .argument('<fidelity-id>', 'the faithful end (α = 0)')
    .argument('<perceptual-id>', 'the sharp end (α = 1)')
    .requiredOption('--id <pair-id>', 'id of the new pair')
    .option('--name <name>', 'display name')
    .option('-a, --alpha <0..1>', 'default α for the pair', numberInRange('alpha', 0, 1), 0.8)
    .action(
      async (
        fidelity: string,
        perceptual: string,
        opt: { id: string; name?: string; alpha: number },
      ) => {
        result.code = await runPair(await openModelRegistry(), {
          fidelity,
          perceptual,
          id: opt.id,
          name: opt.name,
          defaultAlpha: opt.alpha,
        });
      },
    );
  models
    .command('import')
    .description(
      'import a .pth / .pt / .ckpt, .safetensors or ncnn .param/.bin model into your models folder',
    )
    .argument('<file>', 'the model file')
    .option('--id <id>', 'model id (default: from the file name)')
    .option('--name <name>', 'display name (default: the file name)')
    .addOption(
      new Option('--role <role>', 'role in pairs')
        .choices(['fidelity', 'perceptual', 'general'])
        .default('general'),
    )
    .option(
      '--res-scale <factor>',
      'EDSR residual scaling (default: 0.1 for 256 features, else 1)',
      numberInRange('res-scale', 0, 10),
    )
    .option(
      '--rgb-range <range>',
      'EDSR pixel range (default: from the file, else 255)',
      numberInRange('rgb-range', 0, 65535),
    )
    .option('--json', 'print the new model as JSON', false)
    .action(async (file: string, opt: ImportCliOptions) => {
      result.code = await runImport(await openModelRegistry(), file, opt);
    });
  models
    .command('remove')
    .description('remove a model or pair you imported or created')
    .argument('<id>', 'model or pair id')
    .action(async (id: string) => {
      result.code = await runRemove(await openModelRegistry(), id);
    });
  return program;
}

async function main(argv: string[]): Promise<number> {
  const result = { code: 0 };
  try {
    await buildProgram(result).parseAsync(argv);
    return result.code;
  } catch (err) {
    // Commander has already printed its own message.
    if (!(err instanceof CommanderError))
      process.stderr.write(`upres: ${err instanceof Error ? err.message : String(err)}\n`);
    return exitCodeOf(err);
  } finally {
    // An early inference child no command adopted (see early-session.ts).
    disposeEarlySession();
  }
}

process.exitCode = await main(process.argv);
