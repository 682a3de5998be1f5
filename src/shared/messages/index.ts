// The engine's own sentences (notes, warnings, error details), one file per area per locale. The
// engine words them in English from en/; the renderer shows them in the UI language from the same
// keys (catalogues.ts lists these areas beside its own). A new area is one JSON file in each locale
// folder and one line in each list below.
import enBatch from './en/batch.json';
import enModelFiles from './en/modelFiles.json';
import enPipeline from './en/pipeline.json';
import enRuntime from './en/runtime.json';
import deBatch from './de/batch.json';
import deModelFiles from './de/modelFiles.json';
import dePipeline from './de/pipeline.json';
import deRuntime from './de/runtime.json';

/** English is the source: its keys are the keys every locale must have. */
export const ENGINE_MESSAGES_EN = {
  batch: enBatch,
  modelFiles: enModelFiles,
  pipeline: enPipeline,
  runtime: enRuntime,
};

type EngineAreas = typeof ENGINE_MESSAGES_EN;
export type EngineArea = keyof EngineAreas;

/** Every key of the engine's sentences: `<area>.<key>`, e.g. "pipeline.exifDropped". */
export type EngineMessageKey = {
  [A in EngineArea]: `${A}.${keyof EngineAreas[A] & string}`;
}[EngineArea];

/** The German files (`string` values: a locale may lag; the locale test catches it). */
export const ENGINE_MESSAGES_DE: Record<EngineArea, Record<string, string>> = {
  batch: deBatch,
  modelFiles: deModelFiles,
  pipeline: dePipeline,
  runtime: deRuntime,
};
