import { errorMessage } from '../i18n/errors';
/** The state of one API call as the UI shows it. */
export type ResourceState<T> =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'ready'; value: T }
  | { status: 'error'; message: string };

/** Reactive result of an async call: loading, a value, or an error message to show. */
export class Resource<T> {
  #state = $state<ResourceState<T>>({ status: 'idle' });
  #generation = 0;

  get state(): ResourceState<T> {
    return this.#state;
  }

  /** Runs `fetch`; a result that arrives after a newer call started is dropped. */
  async load(fetch: () => Promise<T>): Promise<void> {
    const generation = ++this.#generation;
    this.#state = { status: 'loading' };
    try {
      const value = await fetch();
      if (generation === this.#generation) this.#state = { status: 'ready', value };
    } catch (err) {
      const message = errorMessage(err);
      if (generation === this.#generation) this.#state = { status: 'error', message };
    }
  }

  /** Shows a value got another way (a call that answers with a newer copy); drops loads in flight. */
  set(value: T): void {
    this.#generation++;
    this.#state = { status: 'ready', value };
  }
}
