import { isDeepStrictEqual } from 'node:util';

/** Called with the new state after every real change. */
export type Listener<T> = (state: T) => void;

/** Removes the listener it was returned for. */
export type Unsubscribe = () => void;

/**
 * A current state and the listeners that follow it. Every client of an external system keeps
 * one, so that widgets, the control socket and tests all read the same state and are told of
 * the same changes. It emits only when the new state differs from the old one.
 */
export class Observable<T> {
  #state: T;
  readonly #listeners = new Set<Listener<T>>();

  constructor(initial: T) {
    this.#state = initial;
  }

  get state(): T {
    return this.#state;
  }

  subscribe(listener: Listener<T>): Unsubscribe {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Replaces the state; listeners hear of it only when something really changed. */
  protected set(next: T): void {
    if (isDeepStrictEqual(next, this.#state)) return;
    this.#state = next;
    for (const listener of [...this.#listeners]) listener(next);
  }
}
