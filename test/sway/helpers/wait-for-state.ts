import type { SwayClient, SwayState } from '../../../src/sway/client.js';

/** Resolves with the client's first state (the current one included) that `wanted` accepts. */
export function waitForState(
  client: SwayClient,
  what: string,
  wanted: (state: SwayState) => boolean,
  timeoutMs = 5_000,
): Promise<SwayState> {
  if (wanted(client.state)) return Promise.resolve(client.state);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      const last = JSON.stringify(client.state);
      reject(new Error(`test: timed out waiting for ${what}; the last state was ${last}`));
    }, timeoutMs);
    const unsubscribe = client.subscribe((state) => {
      if (!wanted(state)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(state);
    });
  });
}
