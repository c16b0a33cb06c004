import { sessionBus } from 'dbus-next';
import { StatusNotifierWatcher } from '../../src/tray/watcher.js';

/*
 * Another program's StatusNotifierWatcher, for the test where cexbar finds the name taken and
 * must be a host of it. It owns the name and has no host of its own; it prints "watching" once
 * the name is its own and the registered items after every change.
 */

async function main(): Promise<void> {
  const bus = sessionBus();
  const watcher = await StatusNotifierWatcher.start(bus, false);
  if (watcher === null) throw new Error('the watcher name is taken');
  watcher.subscribe((items) => process.stdout.write(`items ${items.join(' ')}\n`));
  process.stdout.write('watching\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`tray-watcher: ${String(error)}\n`);
  process.exit(1);
});
