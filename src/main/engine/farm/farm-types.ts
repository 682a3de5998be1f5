import { z } from 'zod';
import { ErrorCode } from '../../../shared/errors';
import type { EngineMessage } from '../../../shared/engine-message';
import { ItemSettings, OnExists } from '../../../shared/queue';

/** The BullMQ queue every worker of a farm takes jobs from (one Redis, one farm). */
export const FARM_QUEUE = 'upres-farm';

/** Prefix of the keys Upres keeps beside BullMQ's own (batches, commit records). */
export const FARM_KEYS = 'upres-farm';

export const batchKey = (batch: string): string => `${FARM_KEYS}:batch:${batch}`;
export const batchesKey = `${FARM_KEYS}:batches`;
/** The temp files a job's renders wrote (see commit-records.ts). */
export const tempsKey = (jobId: string): string => `${FARM_KEYS}:temps:${jobId}`;
/** Who committed a job's output (at most one worker ever links it). */
export const claimKey = (jobId: string): string => `${FARM_KEYS}:claim:${jobId}`;

/**
 * One photo of a batch, as the submitter sees its paths: `input` lies inside `root` (the folder
 * the user gave, or the file's own folder), and the output goes to `outDir`/`relDir`. A worker maps
 * the paths to its own mounts (path-map.ts) and refuses a job whose paths escape them (confine.ts).
 */
export const FarmJobData = z.object({
  v: z.literal(1),
  batch: z.string().min(1),
  input: z.string().min(1),
  root: z.string().min(1),
  relDir: z.string(),
  outDir: z.string().min(1),
  nameTemplate: z.string().min(1),
  onExists: OnExists,
  /** The settings resolved by the submitter (defaults applied): every worker renders the same. */
  settings: ItemSettings,
});
export type FarmJobData = z.infer<typeof FarmJobData>;

/** What a job reports while it runs (BullMQ progress): the worker and its tile. */
export interface FarmProgress {
  worker: string;
  tile: number;
  tiles: number;
  fraction: number;
  itemEta?: number;
  /** The failure's code, set just before a job fails (BullMQ keeps only the message). */
  errorCode?: ErrorCode;
  /** The failure's message as a catalogue key and its values (redacted), for the app's language. */
  errorDetail?: EngineMessage;
}

/** A finished job's result (BullMQ return value), output in the worker's own paths. */
export interface FarmResult {
  state: 'done' | 'skipped';
  worker: string;
  output: string;
  outWidth?: number;
  outHeight?: number;
  seconds: number;
  notes: EngineMessage[];
  /** The output was already committed by an earlier attempt (a worker killed after its commit). */
  recovered?: boolean;
}

/** The states a farm item is reported in (the local queue's words, plus `retrying`). */
export type FarmItemState =
  'waiting' | 'retrying' | 'running' | 'done' | 'skipped' | 'failed' | 'cancelled';

/** Options every job of a batch is submitted with. */
export interface JobPolicy {
  /** Tries before a failing photo is failed for good (a crash of its worker counts too). */
  attempts: number;
  /** Milliseconds before a failed try is taken again. */
  backoffMs: number;
}

export const DEFAULT_POLICY: JobPolicy = { attempts: 3, backoffMs: 1000 };
