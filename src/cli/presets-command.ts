import { type Command, Option } from 'commander';
import { openModelRegistry } from '../main/engine';
import type { ModelRegistry } from '../main/engine/models/model-registry';
import { checkPreset } from '../main/engine/service/preset-check';
import { PresetStore, presetsPath } from '../main/engine/service/preset-store';
import { resolveUserDirs } from '../main/engine/storage/user-dirs';
import { isError, UpresError } from '../shared/errors';
import type { Preset, PresetSettings } from '../shared/presets';
import { EXIT } from './exit-codes';
import { UsageError } from './usage-error';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** The presets file the app uses too (`<user data>/presets.json`). */
export function cliPresets(): PresetStore {
  return new PresetStore(presetsPath(resolveUserDirs().userData));
}

/** Preset keys and the `upscale` option attribute each one fills (only the name template differs). */
const OPTION_OF: Record<keyof PresetSettings, string> = {
  model: 'model',
  alpha: 'alpha',
  scale: 'scale',
  width: 'width',
  height: 'height',
  format: 'format',
  quality: 'quality',
  compression: 'compression',
  bitDepth: 'bitDepth',
  effort: 'effort',
  keepPrintSize: 'keepPrintSize',
  keepMetadata: 'keepMetadata',
  transparency: 'transparency',
  tta: 'tta',
  nameTemplate: 'name',
  onExists: 'onExists',
};

/** Options of `upscale` that `presets save` takes: the ones a preset holds. */
const SAVED = new Set([
  'model',
  'chain',
  'alpha',
  'scale',
  'width',
  'height',
  'format',
  'quality',
  'compression',
  'bit-depth',
  'effort',
  'keep-print-size',
  'name',
  'on-exists',
  'transparency',
  'keep-metadata',
  'tta',
]);

/**
 * Fills a command's options from `--preset <name>`, except those given on the command line, which
 * win. An explicit size (--scale / --width / --height) replaces the preset's whole size choice, an
 * explicit model or chain drops the preset's α (it belongs to the preset's model), and an explicit
 * format drops the preset's bit depth and compression (they belong to its format). An unknown or
 * invalid preset, or one whose model is not installed (`registry` given), is a usage error naming
 * the preset and its file.
 */
export async function applyPresetOption(
  cmd: Command,
  store: PresetStore,
  registry: ModelRegistry | undefined,
): Promise<Preset | undefined> {
  const name = cmd.getOptionValue('preset') as string | undefined;
  if (name === undefined) return undefined;
  let preset: Preset;
  try {
    preset = await store.get(name);
    checkPreset(registry, preset, store.path);
  } catch (err) {
    if (isError(err, 'not-found', 'request.invalid', 'model.unknown'))
      throw new UsageError(`--preset: ${err.message}`);
    throw err;
  }
  const given = (attr: string): boolean => cmd.getOptionValueSource(attr) === 'cli';
  const skip = new Set<string>();
  if (['scale', 'width', 'height'].some(given)) skip.add('scale').add('width').add('height');
  if (given('model') || given('chain')) skip.add('alpha');
  if (given('format')) skip.add('bitDepth').add('compression');
  for (const [key, attr] of Object.entries(OPTION_OF)) {
    const value = preset.settings[key as keyof PresetSettings];
    if (value === undefined || skip.has(attr) || given(attr)) continue;
    // A chain given with the preset's model would replace it; the explicit one wins.
    if (attr === 'model' && given('chain')) continue;
    cmd.setOptionValueWithSource(attr, value, 'config');
  }
  return preset;
}

/** Adds `--preset <name>` to a command that takes the upscale options (`upscale`, `farm submit`). */
export function withPresetOption(cmd: Command, checkModels: boolean): void {
  cmd.addOption(
    new Option(
      '--preset <name>',
      'take the settings of a saved preset (see `upres presets`); options given here win',
    ),
  );
  cmd.hook('preAction', async (_, action) => {
    const registry = checkModels ? await openModelRegistry() : undefined;
    await applyPresetOption(action, cliPresets(), registry);
  });
}

/** One line on a preset: what it makes. */
export function describePreset(p: Preset): string {
  const s = p.settings;
  const parts = [s.model];
  if (s.alpha !== undefined) parts.push(`α ${s.alpha}`);
  if (s.scale !== undefined) parts.push(`×${s.scale}`);
  if (s.width !== undefined || s.height !== undefined)
    parts.push(`${s.width ?? 'auto'}×${s.height ?? 'auto'} px`);
  if (s.format) parts.push(s.format);
  if (s.quality !== undefined) parts.push(`quality ${s.quality}`);
  if (s.compression) parts.push(s.compression);
  if (s.bitDepth !== undefined) parts.push(`${s.bitDepth}-bit`);
  if (s.effort !== undefined) parts.push(`effort ${s.effort}`);
  if (s.keepPrintSize) parts.push('print size kept');
  if (s.keepMetadata === 'none') parts.push('no metadata');
  if (s.transparency === 'model') parts.push('transparency through the model');
  if (s.tta) parts.push('TTA');
  if (s.nameTemplate) parts.push(`name ${s.nameTemplate}`);
  if (s.onExists && s.onExists !== 'suffix') parts.push(`${s.onExists} existing`);
  return `${p.name}: ${parts.join(', ')}`;
}

async function runList(opt: { json: boolean }): Promise<number> {
  const listing = await cliPresets().list();
  if (opt.json) process.stdout.write(`${JSON.stringify(listing, null, 2)}\n`);
  else {
    if (listing.presets.length === 0) log(`no presets in ${listing.path}`);
    for (const p of listing.presets) process.stdout.write(`${describePreset(p)}\n`);
  }
  for (const p of listing.problems) log(`! ${p.message}`);
  return listing.problems.length === 0 ? EXIT.ok : EXIT.failed;
}

type SaveOptions = Record<string, unknown> & { chain?: string; replace: boolean };

async function runSave(name: string, opt: SaveOptions): Promise<number> {
  const settings: Record<string, unknown> = {};
  for (const [key, attr] of Object.entries(OPTION_OF))
    if (opt[attr] !== undefined) settings[key] = opt[attr];
  if (opt.chain !== undefined)
    settings.model = opt.chain
      .split(',')
      .map((s) => s.trim())
      .join(',');
  const store = cliPresets();
  const candidate = { name: name.trim(), settings: settings as PresetSettings };
  try {
    checkPreset(await openModelRegistry(), candidate, store.path);
  } catch (err) {
    if (err instanceof UpresError && err.code !== 'internal') throw new UsageError(err.message);
    throw err;
  }
  const saved = await store.save(name, candidate.settings, { replace: opt.replace });
  log(`saved in ${store.path}`);
  process.stdout.write(`${describePreset(saved)}\n`);
  return EXIT.ok;
}

async function runRemove(name: string): Promise<number> {
  const store = cliPresets();
  try {
    await store.remove(name);
  } catch (err) {
    if (isError(err, 'not-found')) throw new UsageError(err.message);
    throw err;
  }
  log(`removed preset "${name}" from ${store.path}`);
  return EXIT.ok;
}

/**
 * Registers `upres presets [save | remove]` and `--preset` on `upscale` and `farm submit` (after
 * both exist: `save` takes upscale's own option objects).
 */
export function addPresetCommands(program: Command, result: { code: number }): void {
  const find = (c: Command | undefined, n: string) => c?.commands.find((s) => s.name() === n);
  const upscale = find(program, 'upscale');
  if (upscale) withPresetOption(upscale, true);
  // The farm's workers have the models, not necessarily this machine: models are not checked here.
  const submit = find(find(program, 'farm'), 'submit');
  if (submit) withPresetOption(submit, false);

  const presets = program
    .command('presets')
    .description('list the saved presets (the app shows the same ones)')
    .option('--json', 'print JSON', false)
    .action(async (opt: { json: boolean }) => {
      result.code = await runList(opt);
    });
  const save = presets
    .command('save')
    .description('save upscale options as a preset (`upres upscale --preset <name>`)')
    .argument('<name>', 'the preset name');
  for (const o of upscale?.options ?? []) if (SAVED.has(o.name())) save.addOption(o);
  save
    .option('--replace', 'replace a preset of that name', false)
    .action(async (name: string, opt: SaveOptions) => {
      result.code = await runSave(name, opt);
    });
  presets
    .command('remove')
    .description('remove a saved preset')
    .argument('<name>', 'the preset name')
    .action(async (name: string) => {
      result.code = await runRemove(name);
    });
}
