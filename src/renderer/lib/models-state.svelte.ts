import type { EngineMessage } from '../../shared/engine-message';
import type { ErrorCode } from '../../shared/errors';
import { errorCode } from '../../shared/errors';
import type { ModelInfo } from '../../shared/model-manifest';
import type { EngineApi } from './connection';
import { importLabel, splitModelFiles } from './model-files';
import { errorMessage } from '../i18n/errors';
import { t } from '../i18n/translate';

/** One model being imported, or the result of one (kept until dismissed). */
export interface ImportJob {
  key: number;
  /** The file(s), as the user named them: "model.pth", "x.param + x.bin". */
  label: string;
  /** Total bytes, when the page knows them (files it sends). */
  bytes?: number;
  state: 'waiting' | 'sending' | 'importing' | 'done' | 'refused';
  /** Fraction of the bytes sent (uploads only). */
  sent?: number;
  model?: ModelInfo;
  /** What the import assumed or converted, to be shown with engineText. */
  notes?: EngineMessage[];
  code?: ErrorCode;
  /** A refusal's English sentence, naming the file. */
  message?: string;
  /** The refusal as a catalogue key and values (shown with engineText in the UI language). */
  detail?: EngineMessage;
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** A refusal's catalogue key and values, with its English text, when it came with them. */
const detailOf = (err: unknown): EngineMessage | undefined => {
  const detail = (err as { detail?: EngineMessage } | null)?.detail;
  return detail ? { ...detail, text: messageOf(err) } : undefined;
};

/**
 * The Models screen's work: imports (one at a time, in order: two imports at once could both pass
 * the duplicate check), removals and new pairs, each followed by a fresh model list.
 */
export class ModelsState {
  #jobs = $state<ImportJob[]>([]);
  #groups = $state.raw<string[][]>([]);
  #removing = $state<string | undefined>(undefined);
  #removeError = $state<string | undefined>(undefined);
  #pairing = $state(false);
  #pairError = $state<string | undefined>(undefined);
  #pairMade = $state<string | undefined>(undefined);
  #next = 1;
  #chain: Promise<void> = Promise.resolve();
  readonly #api: EngineApi;
  readonly #reload: () => Promise<void>;

  constructor(api: EngineApi, reloadModels: () => Promise<void>) {
    this.#api = api;
    this.#reload = reloadModels;
  }

  /** Imports in progress and results not dismissed yet, oldest first. */
  get jobs(): readonly ImportJob[] {
    return this.#jobs;
  }
  /** Groups of models that can pair with each other (see `pairOptions`). */
  get pairGroups(): readonly string[][] {
    return this.#groups;
  }
  get removing(): string | undefined {
    return this.#removing;
  }
  get removeError(): string | undefined {
    return this.#removeError;
  }
  get pairing(): boolean {
    return this.#pairing;
  }
  get pairError(): string | undefined {
    return this.#pairError;
  }
  /** The name of the pair just made. */
  get pairMade(): string | undefined {
    return this.#pairMade;
  }

  /** Whether files can reach the engine from here: by path (Electron) or as bytes (a browser). */
  get canImportFiles(): boolean {
    return !!this.#api.pathForFile || !!this.#api.uploadModel;
  }
  /** A native picker exists (Electron). */
  get canChoose(): boolean {
    return !!this.#api.choosePaths;
  }

  /** Fetches which models can pair (after any change to the list). */
  async loadPairOptions(): Promise<void> {
    try {
      this.#groups = (await this.#api.pairOptions({})).groups;
    } catch {
      this.#groups = [];
    }
  }

  async #refresh(): Promise<void> {
    await Promise.all([this.#reload(), this.loadPairOptions()]);
  }

  #job(label: string, bytes?: number): ImportJob {
    const job: ImportJob = { key: this.#next++, label, bytes, state: 'waiting' };
    this.#jobs.push(job);
    // The proxied element, so later changes are seen.
    return this.#jobs[this.#jobs.length - 1];
  }

  /** Runs `work` after every import queued before it. */
  #queued(job: ImportJob, work: () => Promise<ApiImport>): Promise<void> {
    const run = async (): Promise<void> => {
      try {
        const r = await work();
        job.state = 'done';
        job.model = r.model;
        job.notes = r.notes;
        await this.#refresh();
      } catch (err) {
        job.state = 'refused';
        job.code = errorCode(err);
        job.message = messageOf(err);
        job.detail = detailOf(err);
      }
    };
    this.#chain = this.#chain.then(run);
    return this.#chain;
  }

  /** Imports paths on the engine's machine (native picker, Electron drop, the path field). */
  importPaths(paths: readonly string[]): Promise<void> {
    const { models, others } = splitModelFiles(paths, (p) => p);
    // A path the import does not read is still tried: its refusal names it.
    const groups = [...models, ...others.map((p) => [p])];
    return Promise.all(
      groups.map((group) => {
        const job = this.#job(importLabel(group));
        return this.#queued(job, () => {
          job.state = 'importing';
          return this.#api.importModel({ path: group[0] });
        });
      }),
    ).then(() => undefined);
  }

  /**
   * Imports dropped or picked files, each model once (an ncnn .param with its .bin): by path where
   * the platform tells it, else by sending the bytes.
   */
  importFiles(files: readonly File[]): Promise<void> {
    const pathOf = this.#api.pathForFile;
    if (pathOf) {
      const paths = files.map((f) => pathOf(f)).filter((p) => !!p);
      if (paths.length === files.length) return this.importPaths(paths);
    }
    const upload = this.#api.uploadModel;
    const { models } = splitModelFiles(files, (f) => f.name);
    return Promise.all(
      models.map((group) => {
        const job = this.#job(
          importLabel(group.map((f) => f.name)),
          group.reduce((n, f) => n + f.size, 0),
        );
        return this.#queued(job, async () => {
          if (!upload) throw new Error(t('models.noUpload'));
          job.state = 'sending';
          job.sent = 0;
          return upload(group, (fraction) => {
            job.sent = fraction;
            if (fraction >= 1) job.state = 'importing';
          });
        });
      }),
    ).then(() => undefined);
  }

  /** The native "Import model…" picker (Electron), then imports what was picked. */
  async choose(): Promise<void> {
    const choose = this.#api.choosePaths;
    if (!choose) return;
    const paths = await choose('models');
    if (paths.length > 0) await this.importPaths(paths);
  }

  dismiss(key: number): void {
    this.#jobs = this.#jobs.filter((j) => j.key !== key);
  }

  async remove(id: string): Promise<void> {
    if (this.#removing) return;
    this.#removing = id;
    this.#removeError = undefined;
    try {
      await this.#api.removeModel({ id });
      await this.#refresh();
    } catch (err) {
      this.#removeError = errorMessage(err);
    } finally {
      this.#removing = undefined;
    }
  }

  clearRemoveError(): void {
    this.#removeError = undefined;
  }

  /** Stores a new pair; true when it was made. */
  async pair(p: {
    id: string;
    name: string;
    fidelity: string;
    perceptual: string;
    defaultAlpha: number;
  }): Promise<boolean> {
    if (this.#pairing) return false;
    this.#pairing = true;
    this.#pairError = undefined;
    this.#pairMade = undefined;
    try {
      const made = await this.#api.pairModels(p);
      this.#pairMade = made.name;
      await this.#refresh();
      return true;
    } catch (err) {
      this.#pairError = errorMessage(err);
      return false;
    } finally {
      this.#pairing = false;
    }
  }
}

type ApiImport = { model: ModelInfo; layout: string; notes: EngineMessage[] };
