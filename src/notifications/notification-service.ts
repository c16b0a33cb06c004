import * as dbus from 'dbus-next';
import type { Config } from '../config/schema.js';
import { describeError, log } from '../util/log.js';
import type { Unsubscribe } from '../util/observable.js';
import { ErrorNotifier, ErrorRateLimit } from './error-notifier.js';
import { CLOSE_REASON } from './notification.js';
import {
  describeNameOwner,
  NOTIFICATIONS_NAME,
  NOTIFICATIONS_PATH,
  NotificationsInterface,
} from './notification-server.js';
import { NotificationStore, type NotificationsState } from './notification-store.js';

/*
 * Desktop notifications: the session bus connection, the store of what is shown, the server
 * that owns org.freedesktop.Notifications while nobody else does, and the sender of cexbar's
 * own errors. One connection serves and sends.
 */

type NotificationsConfig = Config['notifications'];

export interface NotificationServiceOptions {
  config: NotificationsConfig;
  /** The session bus address; undefined: there is no bus. */
  busAddress: string | undefined;
}

export class NotificationService {
  readonly store: NotificationStore;
  #config: NotificationsConfig;
  readonly #busAddress: string | undefined;
  #bus: dbus.MessageBus | null = null;
  readonly #interface: NotificationsInterface;
  #errors: ErrorNotifier | null = null;
  #exported = false;
  #followingOwner = false;
  #closed = false;
  readonly #unsubscribe: Unsubscribe;
  // Mode changes run one after another: a release must not overtake a request.
  #modeChange: Promise<void> = Promise.resolve();

  constructor(options: NotificationServiceOptions) {
    this.#config = options.config;
    this.store = new NotificationStore({
      defaultTimeoutMs: () => this.#config.timeoutSeconds * 1000,
    });
    this.#interface = new NotificationsInterface(this.store);
    this.#unsubscribe = this.store.onEvent((event) => {
      if (event.type === 'closed') this.#interface.NotificationClosed(event.id, event.reason);
      else this.#interface.ActionInvoked(event.id, event.key);
    });
    this.#busAddress = options.busAddress;
  }

  /** Connects to the bus and serves there when the mode says so; the answer comes later. */
  start(): void {
    if (this.#closed || this.#bus !== null) return;
    this.#bus = this.#connect(this.#busAddress);
    if (this.#bus === null) return;
    this.#errors = new ErrorNotifier(
      (summary, body) => this.#sendOwn(summary, body),
      new ErrorRateLimit(),
      (reason) => log.debug('notifications', `an error not sent as a notification: ${reason}`),
    );
    this.#changeMode();
  }

  get state(): NotificationsState {
    return this.store.state;
  }

  subscribe(listener: (state: NotificationsState) => void): Unsubscribe {
    return this.store.subscribe(listener);
  }

  /** A new config: a new mode takes or releases the name, other settings apply to new popups. */
  configure(config: NotificationsConfig): void {
    const modeChanged = config.mode !== this.#config.mode;
    this.#config = config;
    if (modeChanged && this.#bus !== null) this.#changeMode();
  }

  /** What a card's ✕ does, and `cexbar msg notification close ID`. */
  dismiss(id: number): void {
    if (!this.store.close(id, CLOSE_REASON.dismissed)) {
      throw new Error(`no notification ${id} is shown`);
    }
  }

  /** What an action's button does, and `cexbar msg notification invoke ID KEY`. */
  invoke(id: number, key: string | undefined): void {
    if (key === undefined)
      throw new Error("invoke needs the key of one of the notification's actions");
    this.store.invoke(id, key);
  }

  /** Shows cexbar's own error as a notification (when configured), rate-limited. */
  reportError(summary: string, body: string): void {
    if (this.#config.reportErrors) this.#errors?.report(summary, body);
  }

  close(): void {
    this.#closed = true;
    this.#unsubscribe();
    this.store.clear();
    this.#bus?.disconnect();
  }

  #connect(address: string | undefined): dbus.MessageBus | null {
    if (address === undefined || address === '') {
      log.info('notifications', 'no session bus (DBUS_SESSION_BUS_ADDRESS is not set): none shown');
      this.store.setServer('no-bus');
      return null;
    }
    const bus = dbus.sessionBus({ busAddress: address });
    bus.on('error', (error: unknown) => {
      if (this.#closed) return;
      log.warn('notifications', `the session bus failed (${describeError(error)})`);
      this.store.setServer('no-bus');
    });
    return bus;
  }

  #changeMode(): void {
    this.#modeChange = this.#modeChange.then(
      () => this.#applyMode(),
      () => this.#applyMode(),
    );
  }

  async #applyMode(): Promise<void> {
    const bus = this.#bus;
    if (bus === null || this.#closed) return;
    if (this.#config.mode === 'off') {
      await this.#stopServing(bus);
      this.store.setServer('off');
      return;
    }
    if (this.store.state.server === 'cexbar') return;
    try {
      await this.#serve(bus);
    } catch (error) {
      log.warn('notifications', `could not serve ${NOTIFICATIONS_NAME} (${describeError(error)})`);
      this.store.setServer('no-bus');
    }
  }

  async #serve(bus: dbus.MessageBus): Promise<void> {
    if (!this.#exported) bus.export(NOTIFICATIONS_PATH, this.#interface);
    this.#exported = true;
    const reply = await bus.requestName(NOTIFICATIONS_NAME, dbus.NameFlag.DO_NOT_QUEUE);
    if (
      reply === dbus.RequestNameReply.PRIMARY_OWNER ||
      reply === dbus.RequestNameReply.ALREADY_OWNER
    ) {
      log.info('notifications', `serving ${NOTIFICATIONS_NAME} on the session bus`);
      this.store.setServer('cexbar');
      return;
    }
    bus.unexport(NOTIFICATIONS_PATH, this.#interface);
    this.#exported = false;
    const owner = await describeNameOwner(bus, NOTIFICATIONS_NAME);
    log.info(
      'notifications',
      `${owner ?? 'another program'} already serves ${NOTIFICATIONS_NAME}: cexbar leaves it`,
    );
    this.store.setServer('other', owner);
    await this.#followOwner(bus);
  }

  /** When the other daemon leaves the name, serve it (mode "auto"); asked once per bus. */
  async #followOwner(bus: dbus.MessageBus): Promise<void> {
    if (this.#followingOwner) return;
    this.#followingOwner = true;
    const object = await bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus');
    const daemon = object.getInterface('org.freedesktop.DBus');
    daemon.on('NameOwnerChanged', (name: string, _old: string, owner: string) => {
      if (name !== NOTIFICATIONS_NAME || owner !== '' || this.#closed) return;
      if (this.#config.mode !== 'auto' || this.store.state.server !== 'other') return;
      log.info('notifications', `${NOTIFICATIONS_NAME} is free again: cexbar takes it`);
      this.#changeMode();
    });
  }

  async #stopServing(bus: dbus.MessageBus): Promise<void> {
    if (this.store.state.server !== 'cexbar') return;
    for (const notification of this.store.state.notifications) {
      this.store.close(notification.id, CLOSE_REASON.undefined);
    }
    await bus.releaseName(NOTIFICATIONS_NAME);
    bus.unexport(NOTIFICATIONS_PATH, this.#interface);
    this.#exported = false;
    log.info('notifications', `released ${NOTIFICATIONS_NAME} (notifications.mode is "off")`);
  }

  /** Notify through the bus, to whichever program owns the name (cexbar itself, or another). */
  async #sendOwn(summary: string, body: string): Promise<void> {
    if (this.#bus === null) throw new Error('no session bus');
    const urgencyNormal = new dbus.Variant('y', 1);
    await this.#bus.call(
      new dbus.Message({
        destination: NOTIFICATIONS_NAME,
        path: NOTIFICATIONS_PATH,
        interface: NOTIFICATIONS_NAME,
        member: 'Notify',
        signature: 'susssasa{sv}i',
        body: ['cexbar', 0, 'dialog-error', summary, body, [], { urgency: urgencyNormal }, -1],
      }),
    );
  }
}
