interface StateSource<T> {
  readonly state: T;
  subscribe(listener: (state: T) => void): () => void;
}

/** Resolves with the first state (now or later) that satisfies `test`; rejects after timeoutMs. */
export function waitForState<T>(
  source: StateSource<T>,
  test: (state: T) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    if (test(source.state)) {
      resolve(source.state);
      return;
    }
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const unsubscribe = source.subscribe((state) => {
      if (!test(state)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(state);
    });
  });
}
