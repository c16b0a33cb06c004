import { Observable } from '../util/observable.js';
import {
  CLOSE_REASON,
  lifetimeOf,
  toNotification,
  type CloseReason,
  type Notification,
  type NotifyRequest,
} from './notification.js';

/*
 * The notifications on screen, in memory only: nothing of them is ever written to disk. The
 * D-Bus server feeds it, the popups render it, and `cexbar msg state` reads it.
 */

/** Who shows the host's notifications. */
export type NotificationServerStatus =
  /** Not decided yet: the bus has not answered. */
  | 'starting'
  /** cexbar owns org.freedesktop.Notifications and shows them itself. */
  | 'cexbar'
  /** Another program (mako, dunst) owns the name; cexbar leaves it to it. */
  | 'other'
  /** notifications.mode is "off". */
  | 'off'
  /** There is no session bus to serve on. */
  | 'no-bus';

export interface NotificationsState {
  server: NotificationServerStatus;
  /** The program that owns the name instead of cexbar ("mako"), when known. */
  otherServer: string | null;
  /** Oldest first. */
  notifications: Notification[];
}

/** What the D-Bus server turns into its signals. */
export type NotificationEvent =
  { type: 'closed'; id: number; reason: CloseReason } | { type: 'action'; id: number; key: string };

/** Starts a timer and returns what cancels it; tests pass their own clock. */
export type Schedule = (delayMs: number, run: () => void) => () => void;

const realSchedule: Schedule = (delayMs, run) => {
  const timer = setTimeout(run, delayMs);
  return () => clearTimeout(timer);
};

// Beyond this many, the oldest goes: a program in a loop must not fill the memory.
const MAX_KEPT = 50;

export interface NotificationStoreOptions {
  /** The lifetime of a notification whose expire_timeout is -1, in milliseconds. */
  defaultTimeoutMs(): number;
  schedule?: Schedule;
}

export class NotificationStore extends Observable<NotificationsState> {
  readonly #options: NotificationStoreOptions;
  readonly #schedule: Schedule;
  readonly #timers = new Map<number, () => void>();
  readonly #eventListeners = new Set<(event: NotificationEvent) => void>();
  #lastId = 0;

  constructor(options: NotificationStoreOptions) {
    super({ server: 'starting', otherServer: null, notifications: [] });
    this.#options = options;
    this.#schedule = options.schedule ?? realSchedule;
  }

  /** Hears of closes and invoked actions, for the D-Bus signals. */
  onEvent(listener: (event: NotificationEvent) => void): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }

  setServer(server: NotificationServerStatus, otherServer: string | null = null): void {
    this.set({ ...this.state, server, otherServer });
  }

  /** Shows a notification, or replaces the one of replacesId in place; returns its id. */
  notify(request: NotifyRequest): number {
    const list = this.state.notifications;
    const replaced = list.findIndex((entry) => entry.id === request.replacesId);
    const id = replaced >= 0 ? request.replacesId : this.#nextId();
    const lifetime = lifetimeOf(request, this.#options.defaultTimeoutMs());
    const notification = toNotification(id, request, lifetime !== null);
    const next = [...list];
    if (replaced >= 0) next[replaced] = notification;
    else next.push(notification);
    this.#cancelTimer(id);
    if (lifetime !== null) {
      this.#timers.set(
        id,
        this.#schedule(lifetime, () => this.close(id, CLOSE_REASON.expired)),
      );
    }
    this.#setNotifications(next);
    const oldest = next[0];
    if (next.length > MAX_KEPT && oldest !== undefined)
      this.close(oldest.id, CLOSE_REASON.undefined);
    return id;
  }

  /** Closes one notification; false when there is none of that id. */
  close(id: number, reason: CloseReason): boolean {
    const list = this.state.notifications;
    if (!list.some((entry) => entry.id === id)) return false;
    this.#cancelTimer(id);
    this.#setNotifications(list.filter((entry) => entry.id !== id));
    this.#emit({ type: 'closed', id, reason });
    return true;
  }

  /** Invokes an action, as a click on its button does; the notification closes unless resident. */
  invoke(id: number, key: string): void {
    const notification = this.state.notifications.find((entry) => entry.id === id);
    if (notification === undefined) throw new Error(`no notification ${id} is shown`);
    if (!notification.actions.some((action) => action.key === key)) {
      const keys = notification.actions.map((action) => JSON.stringify(action.key)).join(', ');
      throw new Error(
        `notification ${id} has no action ${JSON.stringify(key)} (it has: ${keys || 'none'})`,
      );
    }
    this.#emit({ type: 'action', id, key });
    if (!notification.resident) this.close(id, CLOSE_REASON.dismissed);
  }

  /** Forgets every notification and stops their timers (the panel is stopping). */
  clear(): void {
    for (const cancel of this.#timers.values()) cancel();
    this.#timers.clear();
    this.#setNotifications([]);
  }

  #nextId(): number {
    // 0 means "no notification" in the spec; ids wrap within 32 bits.
    this.#lastId = this.#lastId >= 0xffffffff ? 1 : this.#lastId + 1;
    return this.#lastId;
  }

  #cancelTimer(id: number): void {
    this.#timers.get(id)?.();
    this.#timers.delete(id);
  }

  #setNotifications(notifications: Notification[]): void {
    this.set({ ...this.state, notifications });
  }

  #emit(event: NotificationEvent): void {
    for (const listener of [...this.#eventListeners]) listener(event);
  }
}
