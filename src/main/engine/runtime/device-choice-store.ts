import { join } from 'node:path';
import { z } from 'zod';
import { DeviceSpeed, ExecutionDevice } from '../../../shared/device';
import { NoteEntry } from '../../../shared/engine-message';
import { JsonFile } from '../storage/json-file';
import { resolveUserDirs } from '../storage/user-dirs';

/** What `auto` measured for one model family on one set of devices. */
export const MeasuredChoice = z.object({
  /** The model family (architecture and sizes) the tile was timed on. */
  family: z.string(),
  /** The devices and software it was measured with; a change means measuring again. */
  signature: z.string(),
  device: ExecutionDevice,
  fp16: z.boolean(),
  speeds: z.array(DeviceSpeed),
  /** Why a candidate could not be timed (files written before keys hold plain strings). */
  failed: z.array(z.object({ device: ExecutionDevice, reason: NoteEntry })).default([]),
  measuredAt: z.string(),
});
export type MeasuredChoice = z.infer<typeof MeasuredChoice>;

const StoreFile = z.object({ version: z.literal(1), choices: z.array(MeasuredChoice) });

/**
 * The measured device choices, kept in the user data folder (`device-choices.json`), one per model
 * family; a choice counts only while its signature (devices, drivers, onnxruntime) still matches.
 */
export class DeviceChoiceStore {
  private json: JsonFile<typeof StoreFile> | undefined;
  private cache: MeasuredChoice[] | undefined;

  /** Without a path: `device-choices.json` in the user data folder (resolved on first use). */
  constructor(private readonly at?: string) {}

  get path(): string {
    return this.file.path;
  }

  private get file(): JsonFile<typeof StoreFile> {
    this.json ??= new JsonFile(
      this.at ?? join(resolveUserDirs().userData, 'device-choices.json'),
      StoreFile,
    );
    return this.json;
  }

  /** Every choice kept (any signature). */
  async all(): Promise<MeasuredChoice[]> {
    this.cache ??= (await this.file.read()).value?.choices ?? [];
    return this.cache;
  }

  /** The choice for a family measured with this signature, if any. */
  async get(family: string, signature: string): Promise<MeasuredChoice | undefined> {
    return (await this.all()).find((c) => c.family === family && c.signature === signature);
  }

  /** Keeps a choice, replacing the family's earlier one. */
  async put(choice: MeasuredChoice): Promise<void> {
    const rest = (await this.all()).filter((c) => c.family !== choice.family);
    this.cache = [...rest, choice];
    await this.file.write({ version: 1, choices: this.cache });
  }

  /** Forgets every measurement ("measure again"). */
  async clear(): Promise<void> {
    this.cache = [];
    await this.file.write({ version: 1, choices: [] });
  }
}

let shared: DeviceChoiceStore | undefined;

/** The store of this process's user data folder (one instance, so every reader sees each write). */
export function userDeviceChoices(): DeviceChoiceStore {
  shared ??= new DeviceChoiceStore();
  return shared;
}
