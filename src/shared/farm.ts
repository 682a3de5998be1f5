import { z } from 'zod';
import { EngineMessage } from './engine-message';
import { ErrorCode } from './errors';

/**
 * The app's farm settings as the renderer sees them: the Redis address with any password replaced
 * by `***`, and whether a password is saved. The password itself never leaves the engine.
 */
export const FarmSettingsView = z.object({
  /** '' when no farm is set: the local queue is all there is. */
  url: z.string(),
  hasPassword: z.boolean(),
});
export type FarmSettingsView = z.infer<typeof FarmSettingsView>;

/** A change of the farm settings: absent keys stay; `password: null` forgets the saved one. */
export const FarmSettingsPatch = z
  .object({
    /** '' forgets the farm (and its password). A password in the URL is taken out and kept apart. */
    url: z.string().optional(),
    password: z.string().min(1).nullable().optional(),
  })
  .strict();

/** The answer of *Test connection*: one clear sentence, and the workers Redis knows. */
export const FarmTestResult = z.object({
  ok: z.boolean(),
  message: z.string(),
  /** `message` as a catalogue key and its values, for the UI to say in its language. */
  detail: EngineMessage.optional(),
  /** The address tested, password hidden. */
  shown: z.string(),
  workers: z.array(z.string()),
});
export type FarmTestResult = z.infer<typeof FarmTestResult>;

export const FarmRowState = z.enum([
  'waiting',
  'retrying',
  'running',
  'done',
  'skipped',
  'failed',
  'cancelled',
]);

/** One photo the app sent to the farm, as the queue panel shows it. */
export const FarmRow = z.object({
  id: z.string(),
  input: z.string(),
  state: FarmRowState,
  /** The worker running it, or that ran it last. */
  worker: z.string().optional(),
  tile: z.number().optional(),
  tiles: z.number().optional(),
  fraction: z.number(),
  attempts: z.number().int(),
  output: z.string().optional(),
  error: z.string().optional(),
  errorCode: ErrorCode.optional(),
  /** `error` as a catalogue key and its values, for the UI to say in its language. */
  errorDetail: EngineMessage.optional(),
});
export type FarmRow = z.infer<typeof FarmRow>;

/** A batch the app sent, with its photos. */
export const FarmBatchView = z.object({
  batch: z.string(),
  total: z.number().int(),
  fraction: z.number(),
  eta: z.number().optional(),
  finished: z.boolean(),
  cancelled: z.boolean(),
  counts: z.record(FarmRowState, z.number().int()),
  items: z.array(FarmRow),
  /** Set when the farm could not be read just now (the rows are the last ones seen). */
  error: z.string().optional(),
});
export type FarmBatchView = z.infer<typeof FarmBatchView>;
