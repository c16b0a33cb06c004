import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as dbus from 'dbus-next';
import { CLOSE_REASON, type NotifyRequest } from './notification.js';
import type { NotificationStore } from './notification-store.js';

/*
 * cexbar's org.freedesktop.Notifications: the D-Bus face of the notification store. dbus-next's
 * decorators do not work from TypeScript, so the members are declared with configureMembers.
 */

export const NOTIFICATIONS_NAME = 'org.freedesktop.Notifications';
export const NOTIFICATIONS_PATH = '/org/freedesktop/Notifications';

/**
 * What the popups can do. No "body-markup": bodies are shown literally, so that a program's
 * text can never turn into links or images; no icons either.
 */
export const CAPABILITIES = ['actions', 'body'];

const SPEC_VERSION = '1.2';

/** cexbar's version from its package.json (dist/src/notifications/ is three levels below). */
function cexbarVersion(): string {
  const manifest = readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8');
  return (JSON.parse(manifest) as { version: string }).version;
}

/** The exported object; dbus-next calls its methods with the arguments the caller sent. */
export class NotificationsInterface extends dbus.interface.Interface {
  readonly #store: NotificationStore;
  readonly #version = cexbarVersion();

  constructor(store: NotificationStore) {
    super(NOTIFICATIONS_NAME);
    this.#store = store;
  }

  Notify(
    appName: string,
    replacesId: number,
    _appIcon: string,
    summary: string,
    body: string,
    actions: string[],
    hints: NotifyRequest['hints'],
    expireTimeout: number,
  ): number {
    return this.#store.notify({
      appName,
      replacesId,
      summary,
      body,
      actions,
      hints,
      expireTimeout,
    });
  }

  // A notification that is gone already is no error: it may just have expired.
  CloseNotification(id: number): void {
    this.#store.close(id, CLOSE_REASON.closedByCall);
  }

  GetCapabilities(): string[] {
    return CAPABILITIES;
  }

  GetServerInformation(): [string, string, string, string] {
    return ['cexbar', 'LXCex', this.#version, SPEC_VERSION];
  }

  // Signals: dbus-next emits what these return.
  NotificationClosed(id: number, reason: number): [number, number] {
    return [id, reason];
  }

  ActionInvoked(id: number, key: string): [number, string] {
    return [id, key];
  }
}

NotificationsInterface.configureMembers({
  methods: {
    Notify: { inSignature: 'susssasa{sv}i', outSignature: 'u' },
    CloseNotification: { inSignature: 'u', outSignature: '' },
    GetCapabilities: { inSignature: '', outSignature: 'as' },
    GetServerInformation: { inSignature: '', outSignature: 'ssss' },
  },
  signals: {
    NotificationClosed: { signature: 'uu' },
    ActionInvoked: { signature: 'us' },
  },
});

/** Calls a method of the bus daemon itself and returns its first answer. */
async function askBusDaemon(
  bus: dbus.MessageBus,
  member: string,
  signature: string,
  body: unknown[],
): Promise<unknown> {
  const reply = await bus.call(
    new dbus.Message({
      destination: 'org.freedesktop.DBus',
      path: '/org/freedesktop/DBus',
      interface: 'org.freedesktop.DBus',
      member,
      signature,
      body,
    }),
  );
  return reply?.body[0];
}

/** The program that owns the name ("mako"), from its process; null when that cannot be read. */
export async function describeNameOwner(
  bus: dbus.MessageBus,
  name: string,
): Promise<string | null> {
  try {
    const owner = await askBusDaemon(bus, 'GetNameOwner', 's', [name]);
    const pid = await askBusDaemon(bus, 'GetConnectionUnixProcessID', 's', [owner]);
    return readFileSync(`/proc/${String(pid)}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}
