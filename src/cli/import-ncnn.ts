// Maintainer tool: `npm run models:import-ncnn -- <param> <bin> --id <id> …` converts an ncnn model
// into resources/models (fp16 safetensors + manifest). Reproducible: same inputs, same bytes.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Command } from 'commander';
import { importNcnnModel } from '../main/engine/models/ncnn-import';
import { loadNcnnWeights, parseNcnnParam } from '../main/engine/models/ncnn-reader';
import { sha256, writeModel } from '../main/engine/models/write-model';
import { resolveUserDirs } from '../main/engine/storage/user-dirs';

const program = new Command('models:import-ncnn')
  .argument('<param>', 'ncnn .param file')
  .argument('<bin>', 'ncnn .bin file')
  .requiredOption('--id <id>', 'model id')
  .option('--name <name>', 'display name')
  .option('--role <role>', 'fidelity | perceptual | general', 'general')
  .option('--source <text>', 'where the files came from (package and version)', 'local files')
  .option(
    '--source-path <path>',
    'path of the files inside the source (defaults to the file names)',
  )
  .option('--licence <licence>', 'licence of the weights', 'unknown')
  .option('--credit <text>', 'authors to credit', 'unknown')
  .option('--notes <text>', 'free-form provenance notes')
  .option('--out <dir>', 'output folder', resolveUserDirs().shippedModels)
  .option('--dtype <dtype>', 'float16 | float32', 'float16')
  .action(async (paramPath: string, binPath: string, o: Record<string, string>) => {
    const [paramText, bin] = await Promise.all([readFile(paramPath, 'utf8'), readFile(binPath)]);
    const layers = parseNcnnParam(paramText, paramPath);
    loadNcnnWeights(layers, bin, binPath);
    const { spec, weights } = importNcnnModel(layers);
    const prefix = o.sourcePath ? `${o.sourcePath.replace(/\/$/, '')}/` : '';
    const manifest = await writeModel(o.out, {
      id: o.id,
      name: o.name ?? o.id,
      role: o.role as 'general',
      spec,
      weights,
      dtype: o.dtype as 'float16',
      provenance: {
        source: o.source,
        sourceFiles: [
          { path: prefix + basename(paramPath), sha256: sha256(Buffer.from(paramText, 'utf8')) },
          { path: prefix + basename(binPath), sha256: sha256(bin) },
        ],
        licence: o.licence,
        credit: o.credit,
        convertedWith: 'upres models:import-ncnn',
        notes: o.notes,
      },
    });
    console.log(
      `${manifest.id}: ${spec.kind} ×${spec.scale}, ${manifest.weights.parameters} parameters → ${o.out}`,
    );
  });

await program.parseAsync();
