import { interface as dbusInterface, Message, type MessageBus } from 'dbus-next';
import { Observable } from '../util/observable.js';
import {
  addMatch,
  errorReply,
  NAME_OWNER_CHANGED_RULE,
  nameOwnerChange,
  onSignal,
  releaseName,
  requestName,
  WATCHER_INTERFACE,
  WATCHER_NAME,
  WATCHER_PATH,
} from './dbus.js';
import { keyOf, parseItemAddress } from './item-state.js';

/*
 * An org.kde.StatusNotifierWatcher: the registry items and hosts meet at. cexbar runs one
 * when nobody else does. Its state is the list of registered items ("NAME/PATH"); an item
 * leaves it when its bus name loses its owner.
 */

const INVALID_ARGS = 'org.freedesktop.DBus.Error.InvalidArgs';

/** The exported interface: properties and signals through dbus-next, calls answered below. */
class WatcherInterface extends dbusInterface.Interface {
  items: string[] = [];
  hosts = new Set<string>();
  localHost = false;

  get RegisteredStatusNotifierItems(): string[] {
    return this.items;
  }

  get IsStatusNotifierHostRegistered(): boolean {
    return this.localHost || this.hosts.size > 0;
  }

  get ProtocolVersion(): number {
    return 0;
  }

  // Answered by the method handler (it needs the caller's name); declared for introspection.
  RegisterStatusNotifierItem(): void {
    return undefined;
  }

  RegisterStatusNotifierHost(): void {
    return undefined;
  }

  StatusNotifierItemRegistered(service: string): string {
    return service;
  }

  StatusNotifierItemUnregistered(service: string): string {
    return service;
  }

  StatusNotifierHostRegistered(): void {
    return undefined;
  }

  StatusNotifierHostUnregistered(): void {
    return undefined;
  }
}

WatcherInterface.configureMembers({
  properties: {
    RegisteredStatusNotifierItems: { signature: 'as', access: 'read' },
    IsStatusNotifierHostRegistered: { signature: 'b', access: 'read' },
    ProtocolVersion: { signature: 'i', access: 'read' },
  },
  methods: {
    RegisterStatusNotifierItem: { inSignature: 's' },
    RegisterStatusNotifierHost: { inSignature: 's' },
  },
  signals: {
    StatusNotifierItemRegistered: { signature: 's' },
    StatusNotifierItemUnregistered: { signature: 's' },
    StatusNotifierHostRegistered: { signature: '' },
    StatusNotifierHostUnregistered: { signature: '' },
  },
});

export class StatusNotifierWatcher extends Observable<readonly string[]> {
  readonly #bus: MessageBus;
  readonly #iface = new WatcherInterface(WATCHER_INTERFACE);
  readonly #handler = (message: Message): boolean => this.#handleCall(message);
  #stopSignals: (() => void) | null = null;

  /** `localHost`: a host lives in this process, so hosts are registered from the start. */
  private constructor(bus: MessageBus, localHost: boolean) {
    super([]);
    this.#bus = bus;
    this.#iface.localHost = localHost;
  }

  /**
   * Exports the watcher and takes its name; null (and nothing left exported) when another
   * program owns the name already.
   */
  static async start(bus: MessageBus, localHost: boolean): Promise<StatusNotifierWatcher | null> {
    const watcher = new StatusNotifierWatcher(bus, localHost);
    bus.export(WATCHER_PATH, watcher.#iface);
    bus.addMethodHandler(watcher.#handler);
    watcher.#stopSignals = onSignal(bus, (signal) => {
      const change = nameOwnerChange(signal);
      if (change !== null && change.newOwner === '') watcher.#forget(change.name);
    });
    await addMatch(bus, NAME_OWNER_CHANGED_RULE);
    if (await requestName(bus, WATCHER_NAME)) return watcher;
    watcher.#unexport();
    return null;
  }

  #handleCall(message: Message): boolean {
    if (message.path !== WATCHER_PATH || message.interface !== WATCHER_INTERFACE) return false;
    const [service] = message.body as unknown[];
    if (typeof service !== 'string') return false;
    if (message.member === 'RegisterStatusNotifierItem') {
      this.#registerItem(message, service);
      return true;
    }
    if (message.member === 'RegisterStatusNotifierHost') {
      this.#registerHost(service === '' ? message.sender : service);
      this.#bus.send(Message.newMethodReturn(message, '', []));
      return true;
    }
    return false;
  }

  #registerItem(message: Message, service: string): void {
    const address = parseItemAddress(service, message.sender);
    if (address === null) {
      const text = `${JSON.stringify(service)} is neither a bus name nor an object path`;
      this.#bus.send(errorReply(message, INVALID_ARGS, text));
      return;
    }
    this.#bus.send(Message.newMethodReturn(message, '', []));
    const key = keyOf(address);
    if (this.#iface.items.includes(key)) return;
    this.#iface.items = [...this.#iface.items, key];
    this.set(this.#iface.items);
    this.#iface.StatusNotifierItemRegistered(key);
  }

  #registerHost(name: string): void {
    if (this.#iface.hosts.has(name)) return;
    this.#iface.hosts.add(name);
    this.#iface.StatusNotifierHostRegistered();
  }

  /** A bus name lost its owner: its items and its host leave. */
  #forget(name: string): void {
    const gone = this.#iface.items.filter((key) => key.startsWith(`${name}/`));
    if (gone.length > 0) {
      this.#iface.items = this.#iface.items.filter((key) => !gone.includes(key));
      this.set(this.#iface.items);
      for (const key of gone) this.#iface.StatusNotifierItemUnregistered(key);
    }
    if (this.#iface.hosts.delete(name)) this.#iface.StatusNotifierHostUnregistered();
  }

  #unexport(): void {
    this.#stopSignals?.();
    this.#bus.removeMethodHandler(this.#handler);
    this.#bus.unexport(WATCHER_PATH, this.#iface);
  }

  /** Gives the name back, so that items see the watcher go (and re-register with the next). */
  async stop(): Promise<void> {
    this.#unexport();
    await releaseName(this.#bus, WATCHER_NAME).catch(() => undefined);
  }
}
