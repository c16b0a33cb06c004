import { sessionBus, type MessageBus } from 'dbus-next';
import {
  addMatch,
  NAME_OWNER_CHANGED_RULE,
  nameOwnerChange,
  onSignal,
  WATCHER_NAME,
} from '../../src/tray/dbus.js';
import { StatusNotifierWatcher } from '../../src/tray/watcher.js';

/*
 * Another program's StatusNotifierWatcher, for the test where cexbar finds the name taken and
 * must be a host of it. It owns the name and has no host of its own; it prints "watching" once
 * the name is its own and the registered items after every change. While the name is still
 * another's (a panel that just quit, whose connection the bus daemon has not closed yet), it
 * waits for the name to be free.
 */

async function watch(bus: MessageBus): Promise<boolean> {
  const watcher = await StatusNotifierWatcher.start(bus, false);
  if (watcher === null) return false;
  watcher.subscribe((items) => process.stdout.write(`items ${items.join(' ')}\n`));
  process.stdout.write('watching\n');
  return true;
}

async function main(): Promise<void> {
  const bus = sessionBus();
  // One attempt at a time: a second RequestName of ours would answer "already the owner".
  let attempt: Promise<boolean> | null = null;
  const tryToWatch = (): Promise<boolean> => {
    attempt ??= watch(bus).then((started) => {
      if (!started) attempt = null;
      return started;
    });
    return attempt;
  };
  onSignal(bus, (signal) => {
    const change = nameOwnerChange(signal);
    if (change?.name === WATCHER_NAME && change.newOwner === '') void tryToWatch();
  });
  await addMatch(bus, NAME_OWNER_CHANGED_RULE);
  if (!(await tryToWatch())) process.stdout.write('waiting for the name\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`tray-watcher: ${String(error)}\n`);
  process.exit(1);
});
