/**
 * Runs an async task on request, never two runs at once, and merges the requests made during a
 * run into one more run: a burst of Sway events during one resync costs one more resync, not
 * one per event, however long the burst.
 */
export class CoalescedTask {
  readonly #task: () => Promise<void>;
  readonly #onError: (error: unknown) => void;
  #running: Promise<void> | null = null;
  #wanted = false;
  #stopped = false;

  constructor(task: () => Promise<void>, onError: (error: unknown) => void) {
    this.#task = task;
    this.#onError = onError;
  }

  /** Resolves when a run that started after this request has finished. */
  request(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    this.#wanted = true;
    this.#running ??= this.#runWhileWanted();
    return this.#running;
  }

  /** No run starts after this; a run under way finishes. */
  stop(): void {
    this.#stopped = true;
    this.#wanted = false;
  }

  async #runWhileWanted(): Promise<void> {
    // Yield first: `#running` must be assigned before the loop can end and clear it, and the
    // requests of this same turn of the event loop join the first run.
    await Promise.resolve();
    while (this.#wanted && !this.#stopped) {
      this.#wanted = false;
      try {
        await this.#task();
      } catch (error) {
        this.#onError(error);
      }
    }
    // Same synchronous step as the last check above: no request can slip in between.
    this.#running = null;
  }
}
