import { Message, MessageType, Variant, type MessageBus } from 'dbus-next';

/*
 * The few D-Bus calls the tray makes, as plain messages rather than dbus-next's proxy objects:
 * a proxy introspects first (a round trip per item, and some items answer it badly), and a
 * method call message is the only way to learn who called our watcher (its sender).
 */

export const WATCHER_NAME = 'org.kde.StatusNotifierWatcher';
export const WATCHER_PATH = '/StatusNotifierWatcher';
export const WATCHER_INTERFACE = 'org.kde.StatusNotifierWatcher';
export const ITEM_INTERFACE = 'org.kde.StatusNotifierItem';
export const ITEM_DEFAULT_PATH = '/StatusNotifierItem';
export const MENU_INTERFACE = 'com.canonical.dbusmenu';

const BUS_NAME = 'org.freedesktop.DBus';
const BUS_PATH = '/org/freedesktop/DBus';
const PROPERTIES = 'org.freedesktop.DBus.Properties';

/** RequestName's flag and answer (the D-Bus specification's numbers). */
const DO_NOT_QUEUE = 4;
const PRIMARY_OWNER = 1;

export interface MethodCall {
  destination: string;
  path: string;
  interface: string;
  member: string;
  signature?: string;
  body?: unknown[];
}

/** Calls a method and resolves with the reply's body; a D-Bus error rejects with its text. */
export async function callMethod(bus: MessageBus, call: MethodCall): Promise<unknown[]> {
  const reply = await bus.call(
    new Message({
      destination: call.destination,
      path: call.path,
      interface: call.interface,
      member: call.member,
      signature: call.signature ?? '',
      body: call.body ?? [],
    }),
  );
  return (reply?.body ?? []) as unknown[];
}

function callBus(bus: MessageBus, member: string, signature: string, body: unknown[]) {
  return callMethod(bus, {
    destination: BUS_NAME,
    path: BUS_PATH,
    interface: BUS_NAME,
    member,
    signature,
    body,
  });
}

/** Asks the bus daemon to send us the signals a match rule selects. */
export async function addMatch(bus: MessageBus, rule: string): Promise<void> {
  await callBus(bus, 'AddMatch', 's', [rule]);
}

/** Takes a well-known name unless someone has it; true when it is ours now. */
export async function requestName(bus: MessageBus, name: string): Promise<boolean> {
  const [answer] = await callBus(bus, 'RequestName', 'su', [name, DO_NOT_QUEUE]);
  return answer === PRIMARY_OWNER;
}

export async function releaseName(bus: MessageBus, name: string): Promise<void> {
  await callBus(bus, 'ReleaseName', 's', [name]);
}

/** The unique name that owns `name` now, or null when nobody does. */
export async function nameOwner(bus: MessageBus, name: string): Promise<string | null> {
  try {
    const [owner] = await callBus(bus, 'GetNameOwner', 's', [name]);
    return typeof owner === 'string' ? owner : null;
  } catch {
    // org.freedesktop.DBus.Error.NameHasNoOwner: the only way the daemon says "nobody".
    return null;
  }
}

/** Every property of an interface, unwrapped from their variants. */
export async function getAllProperties(
  bus: MessageBus,
  destination: string,
  path: string,
  iface: string,
): Promise<Record<string, unknown>> {
  const [all] = await callMethod(bus, {
    destination,
    path,
    interface: PROPERTIES,
    member: 'GetAll',
    signature: 's',
    body: [iface],
  });
  const properties: Record<string, unknown> = {};
  if (typeof all !== 'object' || all === null) return properties;
  for (const [name, value] of Object.entries(all as Record<string, unknown>)) {
    properties[name] = value instanceof Variant ? value.value : value;
  }
  return properties;
}

/** One property, unwrapped. */
export async function getProperty(
  bus: MessageBus,
  destination: string,
  path: string,
  iface: string,
  name: string,
): Promise<unknown> {
  const [value] = await callMethod(bus, {
    destination,
    path,
    interface: PROPERTIES,
    member: 'Get',
    signature: 'ss',
    body: [iface, name],
  });
  return value instanceof Variant ? value.value : value;
}

/** A signal as the tray's listeners see it. */
export interface SignalMessage {
  sender: string;
  path: string;
  interface: string;
  member: string;
  body: unknown[];
}

/** Calls `listener` for every signal the connection receives; returns what stops it. */
export function onSignal(bus: MessageBus, listener: (signal: SignalMessage) => void): () => void {
  const handle = (message: Message): void => {
    if (message.type !== MessageType.SIGNAL) return;
    listener({
      sender: message.sender,
      path: message.path,
      interface: message.interface,
      member: message.member,
      body: message.body,
    });
  };
  bus.on('message', handle);
  return () => bus.off('message', handle);
}

/** NameOwnerChanged's name, old owner and new owner, or null for any other signal. */
export function nameOwnerChange(
  signal: SignalMessage,
): { name: string; oldOwner: string; newOwner: string } | null {
  if (signal.sender !== BUS_NAME || signal.member !== 'NameOwnerChanged') return null;
  const [name, oldOwner, newOwner] = signal.body;
  if (typeof name !== 'string' || typeof oldOwner !== 'string' || typeof newOwner !== 'string') {
    return null;
  }
  return { name, oldOwner, newOwner };
}

export const NAME_OWNER_CHANGED_RULE =
  "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus'," +
  "member='NameOwnerChanged'";

/** Our own unique name (":1.42"); dbus-next sets it once connected but does not type it. */
export function uniqueNameOf(bus: MessageBus): string | null {
  return (bus as MessageBus & { name: string | null }).name;
}

/** An error reply; dbus-next's types give newError a string where it takes the call. */
export function errorReply(call: Message, errorName: string, text: string): Message {
  const build = (Message as unknown as { newError: (...args: unknown[]) => Message }).newError;
  return build(call, errorName, text);
}
