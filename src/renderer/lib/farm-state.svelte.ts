import type { UpresApi } from '../../shared/api';
import type { FarmBatchView, FarmSettingsView, FarmTestResult } from '../../shared/farm';
import { engineText } from '../i18n/engine-text';
import { errorMessage } from '../i18n/errors';

/** The calls the farm uses. */
export type FarmApi = Pick<
  UpresApi,
  | 'farmGet'
  | 'farmSet'
  | 'farmTest'
  | 'farmSend'
  | 'farmStatus'
  | 'farmCancel'
  | 'farmForget'
  | 'onEvent'
>;

const messageOf = errorMessage;

/**
 * The render farm as the renderer shows it: the saved Redis address (password hidden by the
 * engine), the last *Test connection* answer, and the batches sent from this app, kept live by the
 * engine's `farm` events. Without a farm set, `configured` is false and nothing of it shows in the
 * queue.
 */
export class FarmState {
  #settings = $state<FarmSettingsView | undefined>(undefined);
  #batches = $state<FarmBatchView[]>([]);
  #test = $state<FarmTestResult | undefined>(undefined);
  #testing = $state(false);
  #saving = $state(false);
  #sending = $state(false);
  #error = $state<string | undefined>(undefined);
  #sendError = $state<string | undefined>(undefined);
  readonly #api: FarmApi;

  constructor(api: FarmApi) {
    this.#api = api;
  }

  get settings(): FarmSettingsView | undefined {
    return this.#settings;
  }
  /** A farm is set: *Send to farm* is offered. */
  get configured(): boolean {
    return !!this.#settings?.url;
  }
  get batches(): readonly FarmBatchView[] {
    return this.#batches;
  }
  get test(): FarmTestResult | undefined {
    return this.#test;
  }
  /** The last answer's sentence in the UI language (the engine's keyed one; else as sent). */
  get testMessage(): string | undefined {
    const r = this.#test;
    if (!r) return undefined;
    return r.detail ? engineText({ ...r.detail, text: r.message }) : r.message;
  }
  get testing(): boolean {
    return this.#testing;
  }
  get saving(): boolean {
    return this.#saving;
  }
  get sending(): boolean {
    return this.#sending;
  }
  /** Why the last save or cancel failed. */
  get error(): string | undefined {
    return this.#error;
  }
  /** Why the last *Send to farm* failed. */
  get sendError(): string | undefined {
    return this.#sendError;
  }

  /** Follows the engine's `farm` events; returns the unsubscribe function. */
  attach(): () => void {
    return this.#api.onEvent((e) => {
      if (e.kind === 'farm') this.#batches = e.batches;
    });
  }

  async load(): Promise<void> {
    try {
      this.#settings = await this.#api.farmGet({});
      if (this.configured) this.#batches = (await this.#api.farmStatus({})).batches;
    } catch (err) {
      this.#error = messageOf(err);
    }
  }

  /** Saves the address and, when given, a new password (`null` forgets the saved one). */
  async save(url: string, password?: string | null): Promise<boolean> {
    this.#saving = true;
    try {
      this.#settings = await this.#api.farmSet(
        password === undefined ? { url } : { url, password },
      );
      this.#error = undefined;
      this.#test = undefined;
      return true;
    } catch (err) {
      this.#error = messageOf(err);
      return false;
    } finally {
      this.#saving = false;
    }
  }

  /** Tests the typed address (or the saved one), with a typed password or the saved one. */
  async testConnection(url?: string, password?: string): Promise<void> {
    this.#testing = true;
    this.#test = undefined;
    try {
      this.#test = await this.#api.farmTest({
        ...(url ? { url } : {}),
        ...(password ? { password } : {}),
      });
    } catch (err) {
      this.#test = { ok: false, message: messageOf(err), shown: url ?? '', workers: [] };
    } finally {
      this.#testing = false;
    }
  }

  /** Sends the given waiting photos (all waiting ones when absent) to the farm. */
  async send(ids?: string[]): Promise<number> {
    this.#sending = true;
    try {
      const r = await this.#api.farmSend(ids && ids.length > 0 ? { ids } : {});
      this.#sendError = undefined;
      return r.sent;
    } catch (err) {
      this.#sendError = messageOf(err);
      return 0;
    } finally {
      this.#sending = false;
    }
  }

  dismissSendError(): void {
    this.#sendError = undefined;
  }

  async cancel(batch: string): Promise<void> {
    try {
      await this.#api.farmCancel({ batch });
    } catch (err) {
      this.#error = messageOf(err);
    }
  }

  async forget(batch: string): Promise<void> {
    try {
      await this.#api.farmForget({ batch });
      this.#batches = this.#batches.filter((b) => b.batch !== batch);
    } catch (err) {
      this.#error = messageOf(err);
    }
  }
}
