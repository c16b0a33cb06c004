/*
 * cexbar's own errors as desktop notifications, sent through the session bus to whatever server
 * shows them (cexbar's own included), besides the log line their owner writes. A broken setup
 * can fail the same way many times a minute: a limit keeps that from flooding the screen.
 */

// At most this many notifications per window, and each distinct one once per window.
const MAX_PER_WINDOW = 3;
const WINDOW_MS = 60_000;

/** Decides whether an error may be sent now; `now` is injectable for tests. */
export class ErrorRateLimit {
  readonly #now: () => number;
  // When each recent notification went out, and of what text.
  #sent: { at: number; text: string }[] = [];

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  allow(text: string): boolean {
    const now = this.#now();
    this.#sent = this.#sent.filter((entry) => now - entry.at < WINDOW_MS);
    if (this.#sent.length >= MAX_PER_WINDOW) return false;
    if (this.#sent.some((entry) => entry.text === text)) return false;
    this.#sent.push({ at: now, text });
    return true;
  }
}

/** Sends one notification; rejects when no server takes it. */
export type SendNotification = (summary: string, body: string) => Promise<void>;

export class ErrorNotifier {
  readonly #send: SendNotification;
  readonly #limit: ErrorRateLimit;
  readonly #onDropped: (reason: string) => void;

  constructor(send: SendNotification, limit: ErrorRateLimit, onDropped: (reason: string) => void) {
    this.#send = send;
    this.#limit = limit;
    this.#onDropped = onDropped;
  }

  /** Sends the error unless the limit holds it back; never throws. */
  report(summary: string, body: string): void {
    if (!this.#limit.allow(`${summary}\n${body}`)) {
      this.#onDropped(`held back by the rate limit: ${summary}`);
      return;
    }
    this.#send(summary, body).catch((error: unknown) => {
      this.#onDropped(
        `no server took it (${error instanceof Error ? error.message : String(error)})`,
      );
    });
  }
}
