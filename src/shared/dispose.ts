/**
 * The one shape of clean-up in Upres: whatever holds a worker, a session, a lease on a cached
 * model or an open file has `dispose()`, which releases it and may be called more than once.
 */
export interface Disposable {
  dispose(): Promise<void>;
}

/** Disposes all of them, each even if another fails; rethrows the first failure. */
export async function disposeAll(items: Iterable<Disposable | undefined>): Promise<void> {
  const results = await Promise.allSettled([...items].map((d) => d?.dispose()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
