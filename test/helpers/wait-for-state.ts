import type { Unsubscribe } from '../../src/util/observable.js';

/** Any client's state and its subscription, as every cexbar client keeps them. */
interface StateSource<T> {
  readonly state: T;
  subscribe(listener: (state: T) => void): Unsubscribe;
}

/** Resolves with the source's first state (the current one included) that `wanted` accepts. */
export function waitForState<T>(
  source: StateSource<T>,
  what: string,
  wanted: (state: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  if (wanted(source.state)) return Promise.resolve(source.state);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      const last = JSON.stringify(source.state);
      reject(new Error(`test: timed out waiting for ${what}; the last state was ${last}`));
    }, timeoutMs);
    const unsubscribe = source.subscribe((state) => {
      if (!wanted(state)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(state);
    });
  });
}
