import { createInterface } from 'node:readline';
import * as dbus from 'dbus-next';

/*
 * A program of the notification tests, run as the desktop user on the session bus (the bus
 * admits its own user only). One line of JSON per event on stdout.
 *
 *   notification-peer client   Listens for NotificationClosed and ActionInvoked, and sends the
 *                              Notify calls it reads from stdin ({"notify": [ARGS...]}).
 *   notification-peer daemon   Another notification daemon: owns org.freedesktop.Notifications
 *                              and prints each Notify it receives.
 */

const NAME = 'org.freedesktop.Notifications';
const PATH = '/org/freedesktop/Notifications';

function print(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

interface NotificationsClient extends dbus.ClientInterface {
  Notify(...args: unknown[]): Promise<number>;
}

/** Notify's arguments as JSON: hints as { name: [signature, value] }. */
function notifyArgs(args: unknown[]): unknown[] {
  const hints = (args[6] ?? {}) as Record<string, [string, unknown]>;
  const variants = Object.fromEntries(
    Object.entries(hints).map(([name, [signature, value]]) => [
      name,
      new dbus.Variant(signature, value),
    ]),
  );
  return [...args.slice(0, 6), variants, args[7]];
}

async function runClient(bus: dbus.MessageBus): Promise<void> {
  const object = await bus.getProxyObject(NAME, PATH);
  const notifications = object.getInterface<NotificationsClient>(NAME);
  notifications.on('NotificationClosed', (id: number, reason: number) =>
    print({ signal: 'NotificationClosed', id, reason }),
  );
  notifications.on('ActionInvoked', (id: number, key: string) =>
    print({ signal: 'ActionInvoked', id, key }),
  );
  createInterface({ input: process.stdin }).on('line', (line) => {
    const request = JSON.parse(line) as { notify: unknown[] };
    notifications.Notify(...notifyArgs(request.notify)).then(
      (id) => print({ notified: id }),
      (error: unknown) => print({ error: String(error) }),
    );
  });
  print({ ready: true });
}

/** Another daemon's Notify: records the call. */
class OtherDaemon extends dbus.interface.Interface {
  #count = 0;

  Notify(app: string, _replaces: number, _icon: string, summary: string, body: string): number {
    this.#count += 1;
    print({ received: [app, summary, body] });
    return this.#count;
  }
}
OtherDaemon.configureMembers({
  methods: { Notify: { inSignature: 'susssasa{sv}i', outSignature: 'u' } },
});

async function runDaemon(bus: dbus.MessageBus): Promise<void> {
  bus.export(PATH, new OtherDaemon(NAME));
  const reply = await bus.requestName(NAME, dbus.NameFlag.DO_NOT_QUEUE);
  if (reply !== dbus.RequestNameReply.PRIMARY_OWNER) throw new Error(`${NAME} is taken`);
  print({ ready: true });
}

const mode = process.argv[2];
const bus = dbus.sessionBus();
(mode === 'daemon' ? runDaemon(bus) : runClient(bus)).catch((error: unknown) => {
  process.stderr.write(`notification-peer: ${String(error)}\n`);
  process.exit(1);
});
