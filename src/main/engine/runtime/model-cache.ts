import type { DeviceRequest, Precision } from '../../../shared/device';
import type { Disposable } from '../../../shared/dispose';
import { cancelledError, throwIfCancelled } from '../../../shared/cancel';
import type { ModelRegistry } from '../models/model-registry';
import { userDeviceChoices } from './device-choice-store';
import { loadChain } from './chain-model';
import { modelCacheKey, type LoadedModel } from './loaded-model';
import type { OpenSessionOptions } from './open-session';

/** Which model, on which device and in which precision: one cache entry each. */
export interface ModelKey {
  id: string;
  device: DeviceRequest;
  precision: Precision;
}

export type ModelLoader = (key: ModelKey) => Promise<LoadedModel>;

/** A hold on a cached model; `dispose()` lets go of it (the model is disposed with its last lease). */
export interface ModelLease extends Disposable {
  readonly model: LoadedModel;
}

interface Entry {
  refs: number;
  model: Promise<LoadedModel>;
  /** The model once loaded. */
  loaded?: LoadedModel;
}

const keyOf = (k: ModelKey): string => modelCacheKey(k.id, k.device, k.precision);

/** `promise`, or `cancelled` as soon as the signal fires (the promise itself goes on). */
function untilCancelled<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string) {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(cancelledError(what));
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', stop);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', stop);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/**
 * The engine's loaded models, shared by everyone who renders (the queue's renderer, the previews):
 * a model asked for twice with the same key is loaded once, and it is disposed when the last
 * lease on it is let go. Whoever wants to keep a model between jobs keeps its lease.
 */
export class ModelCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly load: ModelLoader) {}

  /**
   * The cache of a registry's models (where each runs and why, and other notes, go to `log`).
   * `auto` keeps its measured device choices in the user data folder unless `session.store` says
   * otherwise; `session` also carries the audience of the messages.
   */
  static forRegistry(
    registry: ModelRegistry,
    log: NonNullable<OpenSessionOptions['log']> = () => undefined,
    session: Omit<OpenSessionOptions, 'device' | 'precision' | 'log'> = {},
  ) {
    const opt = { store: userDeviceChoices(), ...session };
    // loadChain loads a single model or pair as loadModel does, and a chain id stage by stage.
    return new ModelCache((k) =>
      loadChain(registry, k.id, { ...opt, device: k.device, precision: k.precision, log }),
    );
  }

  /**
   * A lease on a model, loading it unless it is loaded or loading already. With a signal that
   * fires, throws `cancelled` at once, also while the load is in flight: a pause or cancel must not
   * wait for a session to be created (seconds on a CPU). The load itself runs to its end; a model
   * nobody waits for any more is then disposed.
   */
  async acquire(key: ModelKey, signal?: AbortSignal): Promise<ModelLease> {
    throwIfCancelled(signal, `loading ${key.id}`);
    const k = keyOf(key);
    let entry = this.entries.get(k);
    // A model whose sessions were terminated is never handed out again.
    if (entry?.loaded?.ended) {
      this.entries.delete(k);
      entry = undefined;
    }
    if (!entry) {
      const e: Entry = { refs: 0, model: this.load(key) };
      e.model.then(
        (m) => (e.loaded = m),
        () => undefined,
      );
      // A failed load is not kept: the next call tries again.
      e.model.catch(() => {
        if (this.entries.get(k) === e) this.entries.delete(k);
      });
      this.entries.set(k, e);
      entry = e;
    }
    entry.refs++;
    let model: LoadedModel;
    try {
      model = await untilCancelled(entry.model, signal, `loading ${key.id}`);
    } catch (err) {
      entry.refs--;
      if (entry.refs === 0 && !entry.loaded) this.disposeWhenLoaded(k, entry);
      throw err;
    }
    let held = true;
    const lease: ModelLease = {
      model,
      dispose: async () => {
        if (!held) return;
        held = false;
        await this.release(k, entry);
      },
    };
    if (signal?.aborted) {
      await lease.dispose();
      throwIfCancelled(signal, `loading ${key.id}`);
    }
    return lease;
  }

  /**
   * Forgets the model of a key (its sessions were terminated): the next `acquire` loads a fresh
   * one; leases on the old one still let go of it as usual.
   */
  evict(key: ModelKey): void {
    this.entries.delete(keyOf(key));
  }

  /** How many models are loaded or loading (for tests and diagnostics). */
  get size(): number {
    return this.entries.size;
  }

  /** A load every waiter gave up on: disposed when it lands, unless someone asked for it again. */
  private disposeWhenLoaded(k: string, entry: Entry): void {
    entry.model.then(
      async (m) => {
        if (entry.refs > 0) return;
        if (this.entries.get(k) === entry) this.entries.delete(k);
        await m.dispose();
      },
      () => undefined,
    );
  }

  private async release(k: string, entry: Entry): Promise<void> {
    if (--entry.refs > 0) return;
    if (this.entries.get(k) === entry) this.entries.delete(k);
    await (await entry.model).dispose();
  }
}
